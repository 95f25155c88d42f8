// Builds the signed release documents (docs/architecture.md §3): one per (host app, listed mini-program) plus
// an index per host app. Pure functions of cached objects, so they are testable without a
// cluster. Documents are canonical JSON; the digest covers exactly the signed bytes.
import { createHash } from 'node:crypto';
import { type KubeObject, ownerReferenceTo } from '@tessera/controller-runtime';
import {
  type GrayRule,
  type HostApp,
  type HostAppIndex,
  LABEL_HOST_APP,
  LABEL_MINI_PROGRAM,
  LABEL_RELEASE,
  type MiniProgram,
  type MiniProgramRelease,
  type MiniProgramVersion,
  RELEASE_DATA_KEY,
  RELEASE_DIGEST_ANNOTATION,
  RELEASE_KEY_ID_ANNOTATION,
  RELEASE_SIGNATURE_KEY,
  type ReleasedGrayRule,
  type ReleasedVersion,
} from '@tessera/crds';
import { compareSemver, parseSemver, type SemVer } from '@tessera/gray';
import { canonicalJson } from '@tessera/runtime-sdk/package';
import { boundedName, managedLabels } from './names.ts';
import { currentUserList } from './user-list.ts';

export interface ReleaseInputs {
  tenant: string;
  hostApp: HostApp;
  miniProgram: MiniProgram;
  versions: readonly MiniProgramVersion[];
  grayRules: readonly GrayRule[];
  isReleasable: (v: MiniProgramVersion) => boolean;
}

const released = (v: MiniProgramVersion): ReleasedVersion | undefined =>
  v.status?.artifact
    ? {
        version: v.spec.version,
        ...(v.spec.minSdkVersion ? { minSdkVersion: v.spec.minSdkVersion } : {}),
        artifact: v.status.artifact,
      }
    : undefined;

/** How many older versions a release keeps for SDKs below the stable version's minSdkVersion. */
const MAX_FALLBACKS = 4;

/**
 * The versions SDKs too old for `stable` get instead: the newest releasable older version with a
 * lower minSdkVersion, then the newest below that one's, and so on until one without any.
 */
function fallbacksFor(stable: ReleasedVersion, x: ReleaseInputs): ReleasedVersion[] {
  let floor = stable.minSdkVersion ? parseSemver(stable.minSdkVersion) : null;
  if (!floor) return [];
  const out: ReleasedVersion[] = [];
  for (const v of fallbackCandidates(stable, x.versions).filter(x.isReleasable)) {
    const min = v.spec.minSdkVersion ? parseSemver(v.spec.minSdkVersion) : null;
    if (min && compareSemver(min, floor) >= 0) continue;
    const r = released(v);
    if (!r) continue;
    out.push(r);
    if (!min || out.length >= MAX_FALLBACKS) break;
    floor = min;
  }
  return out;
}

/**
 * The versions that may serve SDKs below `stable`'s minSdkVersion: older ones with a lower or no
 * minimum, newest first (the operator checks their artifacts like the stable one's).
 */
export function fallbackCandidates(
  stable: { version: string; minSdkVersion?: string | undefined },
  versions: readonly MiniProgramVersion[],
): MiniProgramVersion[] {
  const floor = stable.minSdkVersion ? parseSemver(stable.minSdkVersion) : null;
  const top = parseSemver(stable.version);
  if (!floor || !top) return [];
  return versions
    .map((v) => ({ v, semver: parseSemver(v.spec.version) }))
    .filter((o): o is { v: MiniProgramVersion; semver: SemVer } => {
      if (o.semver === null || compareSemver(o.semver, top) >= 0) return false;
      const min = o.v.spec.minSdkVersion ? parseSemver(o.v.spec.minSdkVersion) : null;
      return !min || compareSemver(min, floor) < 0;
    })
    .sort((a, b) => compareSemver(b.semver, a.semver))
    .map((o) => o.v);
}

export function buildRelease(x: ReleaseInputs): MiniProgramRelease {
  const mp = x.miniProgram;
  const ha = x.hostApp;
  const mpName = mp.metadata.name ?? '';
  const haName = ha.metadata.name ?? '';
  const byVersion = new Map(x.versions.map((v) => [v.spec.version, v]));
  const stableV = mp.spec.stableVersion ? byVersion.get(mp.spec.stableVersion) : undefined;
  const stable = stableV && x.isReleasable(stableV) ? released(stableV) : undefined;
  const rules = x.grayRules
    .filter((r) => r.status?.active && (!r.spec.hostApps?.length || r.spec.hostApps.includes(haName)))
    .filter((r) => {
      const v = byVersion.get(r.spec.version);
      return v !== undefined && x.isReleasable(v);
    })
    .sort(
      (a, b) =>
        a.spec.priority - b.spec.priority || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  const candidates: ReleasedVersion[] = [];
  for (const version of [...new Set(rules.map((r) => r.spec.version))].sort()) {
    const v = byVersion.get(version);
    const rv = v ? released(v) : undefined;
    if (rv) candidates.push(rv);
  }
  const grayRules: ReleasedGrayRule[] = rules.map((r) => {
    const { miniProgram: _mp, users, ...spec } = r.spec;
    // An imported list is referenced by digest, never inlined (format: @tessera/crds userlist.ts).
    const imported = currentUserList(r);
    const list = imported
      ? { configMap: imported.configMap, key: imported.key, digest: imported.digest, count: imported.count }
      : undefined;
    return {
      ...spec,
      name: r.metadata.name ?? '',
      ...(users?.ids?.length || list
        ? { users: { ...(users?.ids?.length ? { ids: [...users.ids] } : {}), ...(list ? { list } : {}) } }
        : {}),
    };
  });
  const fallbacks = stable && !mp.spec.suspended ? fallbacksFor(stable, x) : [];
  const kept = new Set(fallbacks.map((f) => f.version));
  const revokedVersions = x.versions
    .filter((v) => v.status?.phase === 'Retired' && !kept.has(v.spec.version))
    .map((v) => v.spec.version)
    .sort();
  const allowed = (list: { allowedMiniPrograms?: string[] } & ({ name: string } | { id: string })) =>
    (list.allowedMiniPrograms ?? []).includes(mpName);
  return {
    schema: 'tessera.dev/release/v1',
    tenant: x.tenant,
    namespace: mp.metadata.namespace ?? '',
    hostApp: haName,
    miniProgram: mpName,
    appId: mp.spec.appId,
    displayName: mp.spec.displayName,
    ...(mp.spec.description ? { description: mp.spec.description } : {}),
    ...(mp.spec.icon ? { icon: mp.spec.icon } : {}),
    ...(mp.spec.category ? { category: mp.spec.category } : {}),
    tags: mp.spec.tags ?? [],
    suspended: mp.spec.suspended,
    ...(mp.spec.suspended && mp.spec.suspendReason ? { suspendReason: mp.spec.suspendReason } : {}),
    ...(stable && !mp.spec.suspended ? { stable } : {}),
    ...(fallbacks.length ? { fallbacks } : {}),
    candidates: mp.spec.suspended ? [] : candidates,
    grayRules: mp.spec.suspended ? [] : grayRules,
    domains: mp.spec.domains ?? {},
    ...(mp.spec.privacyScopes?.length ? { privacyScopes: mp.spec.privacyScopes } : {}),
    permissions: {
      hostApis: (ha.spec.hostApis ?? [])
        .filter(allowed)
        .map((a) => a.name)
        .sort(),
      menuItems: (ha.spec.menuItems ?? [])
        .filter(allowed)
        .map((m) => m.id)
        .sort(),
    },
    revokedVersions: mp.spec.suspended
      ? [
          ...new Set([
            ...revokedVersions,
            ...x.versions.filter((v) => v.status?.artifact).map((v) => v.spec.version),
          ]),
        ].sort()
      : revokedVersions,
    ...(ha.spec.updatePolicy ? { updatePolicy: ha.spec.updatePolicy } : {}),
    ...(ha.spec.branding ? { branding: ha.spec.branding } : {}),
    sourceGeneration: mp.metadata.generation ?? 0,
  };
}

export function buildIndex(
  tenant: string,
  ha: HostApp,
  entries: ReadonlyArray<{ name: string; appId: string; configMap: string; digest: string }>,
): HostAppIndex {
  return {
    schema: 'tessera.dev/release-index/v1',
    tenant,
    namespace: ha.metadata.namespace ?? '',
    hostApp: ha.metadata.name ?? '',
    platforms: ha.spec.platforms,
    branding: ha.spec.branding,
    updatePolicy: ha.spec.updatePolicy,
    hostApis: (ha.spec.hostApis ?? []).map((a) => a.name).sort(),
    menuItems: (ha.spec.menuItems ?? []).map((m) => ({ id: m.id, title: m.title })),
    miniPrograms: [...entries].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export interface EncodedDocument {
  json: string;
  digest: string;
}

export function encodeDocument(doc: unknown): EncodedDocument {
  const json = canonicalJson(doc);
  return { json, digest: `sha256:${createHash('sha256').update(json, 'utf8').digest('hex')}` };
}

/** True when the live ConfigMap already carries this document signed with this key. */
export function isCurrent(
  live: (KubeObject & { data?: Record<string, string> }) | undefined,
  doc: EncodedDocument,
  keyId: string,
): boolean {
  return (
    live?.data?.[RELEASE_DATA_KEY] === doc.json &&
    live.metadata?.annotations?.[RELEASE_DIGEST_ANNOTATION] === doc.digest &&
    live.metadata?.annotations?.[RELEASE_KEY_ID_ANNOTATION] === keyId &&
    typeof live.data?.[RELEASE_SIGNATURE_KEY] === 'string'
  );
}

export function releaseConfigMap(
  ha: HostApp,
  tenant: string,
  name: string,
  kind: 'mini-program' | 'index',
  miniProgram: string | undefined,
  doc: EncodedDocument,
  signature: { keyId: string; signature: string },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: ha.metadata.namespace,
      labels: managedLabels(tenant, {
        [LABEL_RELEASE]: kind,
        [LABEL_HOST_APP]: boundedName(ha.metadata.name ?? '', 63),
        ...(miniProgram ? { [LABEL_MINI_PROGRAM]: boundedName(miniProgram, 63) } : {}),
      }),
      annotations: { [RELEASE_KEY_ID_ANNOTATION]: signature.keyId, [RELEASE_DIGEST_ANNOTATION]: doc.digest },
      ownerReferences: [ownerReferenceTo(ha)],
    },
    data: { [RELEASE_DATA_KEY]: doc.json, [RELEASE_SIGNATURE_KEY]: signature.signature },
  } as KubeObject;
}
