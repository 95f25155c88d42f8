// Launch: the SDK asks which version of a mini-program to run for this user on this host app
// (launch-request.ts), and gets everything it needs to download, verify and decrypt it. The two
// sides live in separate modules so the browser bundle carries only the response schemas.

import * as z from 'zod/mini';
import { Sha256HexSchema, TenantNameSchema } from './routes.ts';
import { count } from './schema-helpers.ts';

/**
 * The data key re-wrapped for the device (ECDH P-256 → HKDF-SHA256 → AES-GCM), base64; the
 * shape of DeviceWrappedKey from @tessera/runtime-sdk/package (unwrapDataKeyFromStore reads it).
 */
export const DeviceWrappedKeySchema = z.strictObject({
  ephemeralPublicKey: z.string(),
  salt: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
});

export const ArtifactRefSchema = z.strictObject({
  /** absolute path on the store; immutable */
  url: z.string(),
  /** SHA-256 of the ciphertext container */
  digest: Sha256HexSchema,
  size: count(),
  /** digest of the canonical plaintext index (pin it: openPackage({ expect: { plaintextDigest } })) */
  plaintextDigest: z.optional(Sha256HexSchema),
  /** base64 signature over the package index, as recorded at compile time */
  indexSignature: z.optional(z.string()),
});

export const SubpackageRefSchema = z.strictObject({
  name: z.string(),
  root: z.string(),
  url: z.string(),
  digest: Sha256HexSchema,
  size: count(),
  /** the subpackage's own data key, re-wrapped for the device like the main package's; absent when cached */
  wrappedKey: z.optional(DeviceWrappedKeySchema),
});
/** A subpackage ref with its wrapped key: every ref of an answer that is not cached, and what the offline cache keeps. */
export type SubpackageRef = z.infer<typeof SubpackageRefSchema> & {
  wrappedKey: z.infer<typeof DeviceWrappedKeySchema>;
};

/**
 * The release document this answer was computed from, exactly as the operator signed it
 * (tenant signing key). An SDK that does not want to trust the store can verify it with
 * verifyDetached(utf8(document), signature, tenantPublicKeys, keyId) and check the version,
 * artifact digest, domains and permissions of this response against it.
 */
export const SignedReleaseSchema = z.strictObject({
  document: z.string(),
  signature: z.string(),
  keyId: z.optional(z.string()),
});

export const DomainsSchema = z.strictObject({
  request: z._default(z.array(z.string()), []),
  upload: z._default(z.array(z.string()), []),
  download: z._default(z.array(z.string()), []),
  socket: z._default(z.array(z.string()), []),
  webView: z._default(z.array(z.string()), []),
});

/**
 * The HostApp's update policy for cached mini-programs (HostApp.spec.updatePolicy): background
 * checks at most every checkIntervalSeconds, only on Wi-Fi when wifiOnly.
 */
export const UpdatePolicySchema = z.strictObject({
  background: z.boolean(),
  wifiOnly: z.boolean(),
  checkIntervalSeconds: count(),
});
export type UpdatePolicy = z.infer<typeof UpdatePolicySchema>;

const ColorSchema = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/));

/**
 * The HostApp's white-label branding (HostApp.spec.branding): the SDK draws its navigation bar,
 * capsule and loading screen with it.
 */
export const BrandingSchema = z.strictObject({
  primaryColor: z.optional(ColorSchema),
  backgroundColor: z.optional(ColorSchema),
  logo: z.optional(z.string().check(z.maxLength(2048))),
  capsule: z.optional(
    z.strictObject({ visible: z.optional(z.boolean()), style: z.optional(z.enum(['light', 'dark'])) }),
  ),
});
export type Branding = z.infer<typeof BrandingSchema>;

/** A privacy scope the mini-program declared (MiniProgram.spec.privacyScopes) and why it needs it. */
export const PrivacyScopeSchema = z.strictObject({
  scope: z.string().check(z.maxLength(32)),
  purpose: z.string().check(z.maxLength(256)),
});
export type PrivacyScope = z.infer<typeof PrivacyScopeSchema>;

export const ResolutionReasonSchema = z.enum(['stable', 'user-list', 'gray-rule']);

export const LaunchResponseSchema = z
  .strictObject({
    tenant: TenantNameSchema,
    appId: z.string(),
    miniProgram: z.string(),
    version: z.string(),
    reason: ResolutionReasonSchema,
    /** the GrayRule name when reason is gray-rule or user-list */
    rule: z.optional(z.string()),
    artifact: ArtifactRefSchema,
    /** key id of the tenant signing key that signed the package index */
    signingKeyId: z.string(),
    /** the data key re-wrapped for this request's devicePublicKey; absent when cached */
    wrappedKey: z.optional(DeviceWrappedKeySchema),
    /**
     * true: the device already holds this exact artifact (main package and every subpackage, by
     * digest: request.cachedDigests), so no key is wrapped for it; the SDK opens its cached copy.
     * (Its OpenAPI description is added by the store: zod-lite, which the web build parses with, has no z.describe.)
     */
    cached: z.optional(z.literal(true)),
    domains: DomainsSchema,
    /** the scopes wx.authorize may ask the user for; any other is refused without asking */
    privacyScopes: z._default(z.array(PrivacyScopeSchema).check(z.maxLength(16)), []),
    /** what the host app grants this mini-program: `hostApi:<name>` and `menu:<id>` entries */
    permissions: z._default(z.array(z.string()), []),
    /** versions the device must drop from its cache (rolled back, retired, taken down) */
    purge: z._default(z.array(z.string()), []),
    /** digest of the release document this answer was computed from */
    releaseDigest: z.string(),
    subpackages: z.optional(z.array(SubpackageRefSchema)),
    /** only when the request set wantRelease and its releaseDigest is not the current one */
    release: z.optional(SignedReleaseSchema),
    /** absent: the SDK checks for a new version on every launch */
    updatePolicy: z.optional(UpdatePolicySchema),
    /** absent: the SDK's default chrome */
    branding: z.optional(BrandingSchema),
    /**
     * signing key ids the tenant revoked: the SDK stops trusting them (and remembers that) even
     * when its configuration still lists their public keys
     */
    revokedSigningKeyIds: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(32))),
  })
  .check(
    // either every data key is wrapped for the device, or none is and the answer says cached
    z.refine(
      (r) => [r, ...(r.subpackages ?? [])].every((k) => !r.cached === !!k.wrappedKey),
      'wrappedKey must be given unless cached',
    ),
  );
export type LaunchResponse = z.infer<typeof LaunchResponseSchema>;
