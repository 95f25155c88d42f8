// What the operator releases is re-derived from evidence it can check, never taken from status
// alone (status may be forged by a mis-granted role or a bug): the artifact's bytes are fetched
// from the tenant's store, hashed against the digest in status, and the signed package index
// must be signed by one of this tenant's trusted keys and name this tenant, mini-program and
// version. Main package and every subpackage alike.
import { createHash } from 'node:crypto';
import type { Artifact, MiniProgramVersion, Tenant } from '@tessera/crds';
import { PackageError, type PublicKeyInput, verifyPackageIndex } from '@tessera/runtime-sdk/package';
import { publicKeysOf, revokedSigningKeyIdsOf } from './tenant-keys.ts';
import type { SecretLike } from './types.ts';

/** Reads an artifact of `tenant` by digest ("sha256:<hex>"); undefined when the store has none. */
export interface ArtifactReader {
  read(tenant: string, digest: string, maxBytes: number): Promise<Uint8Array | undefined>;
}

export type Verdict =
  | { ok: true }
  /** `final`: the evidence contradicts status; otherwise the check may succeed later */
  | { ok: false; final: boolean; reason: string; message: string };

export interface Expected {
  tenant: string;
  miniProgram: string;
  version: string;
  publicKeys: readonly { keyId: string; key: string }[];
}

const CHECK_CONCURRENCY = 8;
/** Largest artifact the operator reads (the compiler's default quota is far below). */
const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

export async function checkArtifact(
  reader: ArtifactReader,
  artifact: Artifact,
  expected: Expected,
): Promise<Verdict> {
  const parts = [
    { name: 'the main package', digest: artifact.digest, size: artifact.size },
    ...(artifact.subpackages ?? []).map((s) => ({
      name: `subpackage ${s.name}`,
      digest: s.digest,
      size: s.size,
    })),
  ];
  for (const [i, part] of parts.entries()) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await reader.read(expected.tenant, part.digest, Math.min(part.size, MAX_ARTIFACT_BYTES));
    } catch (e) {
      return refuse(
        false,
        'ArtifactUnreachable',
        `could not read ${part.name} from the store: ${(e as Error).message}`,
      );
    }
    if (!bytes)
      return refuse(
        false,
        'ArtifactNotInStore',
        `${part.name} ${part.digest} is not among tenant ${expected.tenant}'s artifacts in the store`,
      );
    const verdict = await checkPackage(bytes, part, expected, i === 0 ? artifact : undefined);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

async function checkPackage(
  bytes: Uint8Array,
  part: { name: string; digest: string },
  expected: Expected,
  main: Artifact | undefined,
): Promise<Verdict> {
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== part.digest)
    return refuse(true, 'ArtifactDigestMismatch', `${part.name} hashes to ${actual}, not ${part.digest}`);
  let index: Awaited<ReturnType<typeof verifyPackageIndex>>['index'];
  try {
    ({ index } = await verifyPackageIndex(
      bytes,
      expected.publicKeys.map((k): PublicKeyInput => ({ keyId: k.keyId, key: k.key })),
    ));
  } catch (e) {
    if (!(e instanceof PackageError)) throw e;
    return refuse(
      true,
      'ArtifactSignatureInvalid',
      `${part.name} is not signed by a trusted signing key of tenant ${expected.tenant}: ${e.message}`,
    );
  }
  const named = { tenant: expected.tenant, miniProgram: expected.miniProgram, version: expected.version };
  for (const [field, want] of Object.entries(named)) {
    const got = index.meta[field];
    if (got !== want)
      return refuse(
        true,
        'ArtifactNotForThisVersion',
        `${part.name}'s signed index names ${field} ${got === undefined ? '(none)' : `"${got}"`}, not "${want}"`,
      );
  }
  if (main) {
    if (index.signingKeyId !== main.keyId || `sha256:${index.plaintextDigest}` !== main.plaintextDigest)
      return refuse(
        true,
        'ArtifactStatusMismatch',
        `status.artifact (key ${main.keyId}, plaintext ${main.plaintextDigest}) does not match the signed index (key ${index.signingKeyId}, plaintext sha256:${index.plaintextDigest})`,
      );
  }
  return { ok: true };
}

const refuse = (final: boolean, reason: string, message: string): Verdict => ({
  ok: false,
  final,
  reason,
  message,
});

/**
 * Verdicts per version, remembered for exactly the artifact and keys they were reached with
 * (in memory only: after a restart everything released is checked again).
 */
export class ArtifactEvidence {
  readonly #reader: ArtifactReader;
  readonly #verdicts = new Map<string, { fingerprint: string; verdict: Verdict }>();
  readonly #inFlight = new Map<string, Promise<Verdict>>();

  constructor(reader: ArtifactReader) {
    this.#reader = reader;
  }

  /** The remembered verdict for this version as it is now; undefined when not checked yet. */
  verdict(v: MiniProgramVersion, expected: Expected): Verdict | undefined {
    const hit = this.#verdicts.get(v.metadata.uid ?? '');
    return hit && hit.fingerprint === fingerprint(v, expected) ? hit.verdict : undefined;
  }

  async check(v: MiniProgramVersion, expected: Expected): Promise<Verdict> {
    const known = this.verdict(v, expected);
    if (known && (known.ok || known.final)) return known;
    const uid = v.metadata.uid ?? '';
    const print = fingerprint(v, expected);
    // the version and host-app controllers ask for the same version at once: one download
    const key = `${uid}\n${print}`;
    const running = this.#inFlight.get(key);
    if (running) return running;
    const artifact = v.status?.artifact;
    const pending = (
      artifact
        ? checkArtifact(this.#reader, artifact, expected)
        : Promise.resolve(refuse(true, 'NotCompiled', 'status records no artifact'))
    )
      .then((verdict) => {
        this.#verdicts.set(uid, { fingerprint: print, verdict });
        return verdict;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, pending);
    return pending;
  }

  /** Checks `versions` a few at a time (after a restart a host app may list thousands). */
  async checkAll(versions: ReadonlyArray<{ v: MiniProgramVersion; expected: Expected }>): Promise<Verdict[]> {
    const out: Verdict[] = [];
    for (let i = 0; i < versions.length; i += CHECK_CONCURRENCY) {
      const batch = versions.slice(i, i + CHECK_CONCURRENCY);
      out.push(...(await Promise.all(batch.map(({ v, expected }) => this.check(v, expected)))));
    }
    return out;
  }

  forget(uid: string): void {
    this.#verdicts.delete(uid);
  }
}

function fingerprint(v: MiniProgramVersion, e: Expected): string {
  return JSON.stringify([v.status?.artifact ?? null, e.tenant, e.miniProgram, e.version, e.publicKeys]);
}

/** Artifacts from the store, read with a Kubernetes bearer token (the store checks get on miniprogramversions). */
export function storeArtifactReader(storeUrl: string, token: () => Promise<string>): ArtifactReader {
  const base = storeUrl.replace(/\/+$/, '');
  return {
    async read(tenant, digest, maxBytes) {
      const hex = digest.replace(/^sha256:/, '');
      const res = await fetch(`${base}/v1/tenants/${encodeURIComponent(tenant)}/artifacts/${hex}`, {
        headers: { authorization: `Bearer ${await token()}` },
        signal: AbortSignal.timeout(60_000),
      });
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`the store answered ${res.status} for artifact ${digest}`);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        await res.body?.cancel();
        throw new Error(`artifact ${digest} is ${declared} bytes, more than the ${maxBytes} status records`);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > maxBytes)
        throw new Error(
          `artifact ${digest} is ${bytes.length} bytes, more than the ${maxBytes} status records`,
        );
      return bytes;
    },
  };
}

/** What a version's artifact must prove: its tenant, mini-program and version, and the tenant's trusted keys. */
export function expectedFor(
  tenant: Tenant,
  v: MiniProgramVersion,
  keySecret: SecretLike | undefined,
): Expected {
  return {
    tenant: tenant.metadata.name ?? '',
    miniProgram: v.spec.miniProgram,
    version: v.spec.version,
    publicKeys: keySecret
      ? publicKeysOf(keySecret, revokedSigningKeyIdsOf(tenant)).map((k) => ({
          keyId: k.keyId,
          key: k.publicKey,
        }))
      : [],
  };
}
