import { z } from 'zod';
import { GrayRuleSpecSchema } from './grayrule.ts';
import { HostAppSpecSchema } from './hostapp.ts';
import { DomainsSchema, MiniProgramSpecSchema } from './miniprogram.ts';
import { ArtifactSchema } from './miniprogramversion.ts';

/**
 * Release ConfigMaps: what each host app may load. The operator writes one small
 * ConfigMap per (host app, listed mini-program) plus one index per host app, each
 * signed with the tenant signing key; the store reads them through an informer.
 *
 * data[RELEASE_DATA_KEY] holds the canonical JSON document (the exact bytes that
 * were signed), data[RELEASE_SIGNATURE_KEY] the base64 signature, and the
 * RELEASE_KEY_ID_ANNOTATION annotation names the signing key.
 */
export const RELEASE_DATA_KEY = 'release.json';
export const RELEASE_SIGNATURE_KEY = 'release.sig';
export const RELEASE_KEY_ID_ANNOTATION = 'tessera.dev/key-id';
export const RELEASE_DIGEST_ANNOTATION = 'tessera.dev/digest';

export const LABEL_RELEASE = 'tessera.dev/release';
export const LABEL_TENANT = 'tessera.dev/tenant';
export const LABEL_HOST_APP = 'tessera.dev/host-app';
export const LABEL_MINI_PROGRAM = 'tessera.dev/mini-program';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'tessera-operator';

/** Value of LABEL_RELEASE: a per-mini-program release document or a host-app index. */
export type ReleaseKind = 'mini-program' | 'index';

export const releaseConfigMapName = (hostApp: string, miniProgram: string) =>
  truncateName(`tessera-release-${hostApp}-${miniProgram}`);
export const indexConfigMapName = (hostApp: string) => truncateName(`tessera-index-${hostApp}`);

/** Keeps generated names within the 253-character object-name limit, deterministically. */
function truncateName(name: string): string {
  if (name.length <= 253) return name;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `${name.slice(0, 244)}-${h.toString(16).padStart(8, '0')}`;
}

export const ReleasedVersionSchema = z.object({
  version: z.string(),
  minSdkVersion: z.string().optional(),
  artifact: ArtifactSchema,
});
export type ReleasedVersion = z.infer<typeof ReleasedVersionSchema>;

/** A gray rule as compiled into a release: spec fields plus where its user list lives. */
export const ReleasedGrayRuleSchema = GrayRuleSpecSchema.omit({ miniProgram: true, users: true }).extend({
  name: z.string(),
  users: z
    .object({
      ids: z.array(z.string()).optional(),
      list: z
        .object({ configMap: z.string(), key: z.string(), digest: z.string(), count: z.number().int() })
        .optional(),
    })
    .optional(),
});
export type ReleasedGrayRule = z.infer<typeof ReleasedGrayRuleSchema>;

export const MiniProgramReleaseSchema = z.object({
  schema: z.literal('tessera.dev/release/v1'),
  tenant: z.string(),
  namespace: z.string(),
  hostApp: z.string(),
  miniProgram: z.string(),
  appId: z.string(),
  displayName: z.string(),
  description: z.string().optional(),
  icon: z.string().optional(),
  category: z.string().optional(),
  tags: z.array(z.string()).default([]),
  suspended: z.boolean(),
  suspendReason: z.string().optional(),
  /** The version everyone not matched by a gray rule gets; absent when nothing is released. */
  stable: ReleasedVersionSchema.optional(),
  /** Candidate versions referenced by active gray rules. */
  candidates: z.array(ReleasedVersionSchema).default([]),
  /** Active gray rules, in evaluation order (ascending priority, then name). */
  grayRules: z.array(ReleasedGrayRuleSchema).default([]),
  domains: DomainsSchema.default({}),
  /** MiniProgram.spec.privacyScopes: what the mini-program may ask the user for, and why. */
  privacyScopes: MiniProgramSpecSchema.shape.privacyScopes,
  permissions: z.object({
    hostApis: z.array(z.string()).default([]),
    menuItems: z.array(z.string()).default([]),
  }),
  /** Versions that were released before and no longer are: SDKs purge cached copies. */
  revokedVersions: z.array(z.string()).default([]),
  /** The host app's update policy for cached copies (HostApp.spec.updatePolicy), sent to SDKs at launch. */
  updatePolicy: HostAppSpecSchema.shape.updatePolicy,
  /** The host app's branding (HostApp.spec.branding), sent to SDKs at launch for their chrome. */
  branding: HostAppSpecSchema.shape.branding,
  /** Generation of the MiniProgram the document was built from. */
  sourceGeneration: z.number().int(),
});
export type MiniProgramRelease = z.infer<typeof MiniProgramReleaseSchema>;

export const HostAppIndexSchema = z.object({
  schema: z.literal('tessera.dev/release-index/v1'),
  tenant: z.string(),
  namespace: z.string(),
  hostApp: z.string(),
  /** HostApp.spec.platforms: the store binds credentials to these web origins and app ids. */
  platforms: HostAppSpecSchema.shape.platforms.default({}),
  branding: HostAppSpecSchema.shape.branding,
  updatePolicy: HostAppSpecSchema.shape.updatePolicy,
  hostApis: z.array(z.string()).default([]),
  menuItems: z.array(z.object({ id: z.string(), title: z.string() })).default([]),
  miniPrograms: z.array(
    z.object({ name: z.string(), appId: z.string(), configMap: z.string(), digest: z.string() }),
  ),
});
export type HostAppIndex = z.infer<typeof HostAppIndexSchema>;
