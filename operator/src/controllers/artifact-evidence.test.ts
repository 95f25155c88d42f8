import { createHash } from 'node:crypto';
import type { Artifact } from '@tessera/crds';
import {
  generateKek,
  generateSigningKeyPair,
  type SigningKeyPair,
  writePackage,
} from '@tessera/runtime-sdk/package';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactEvidence, type ArtifactReader, checkArtifact, type Expected } from './artifact-evidence.ts';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
let tenantKey: SigningKeyPair;
let otherKey: SigningKeyPair;
const blobs = new Map<string, Uint8Array>();
/** one tenant's artifacts, by digest */
const reader: ArtifactReader = {
  read: async (tenant, digest) => (tenant === 'acme' ? blobs.get(digest) : undefined),
};

async function pack(key: SigningKeyPair, meta: Record<string, string>): Promise<Artifact> {
  const kek = await generateKek();
  const pkg = await writePackage([{ path: 'app.js', bytes: new TextEncoder().encode('App({})') }], {
    kek: kek.rawBase64,
    kekId: kek.keyId,
    signingKey: key.privateKeyPkcs8,
    signingKeyId: key.keyId,
    meta,
  });
  blobs.set(sha(pkg.bytes), pkg.bytes);
  return {
    digest: sha(pkg.bytes),
    plaintextDigest: `sha256:${pkg.index.plaintextDigest}`,
    sourceDigest: `sha256:${'0'.repeat(64)}`,
    size: pkg.bytes.length,
    keyId: pkg.signingKeyId,
    signature: pkg.signature,
    compilerVersion: '0.1.0',
    pages: [],
  };
}

const meta = { tenant: 'acme', miniProgram: 'pay', version: '1.0.0' };
const expected = (): Expected => ({
  ...meta,
  publicKeys: [{ keyId: tenantKey.keyId, key: tenantKey.publicKeySpki }],
});

beforeAll(async () => {
  [tenantKey, otherKey] = await Promise.all([generateSigningKeyPair(), generateSigningKeyPair()]);
});

describe('checkArtifact', () => {
  it('accepts an artifact signed by the tenant that names its tenant, mini-program and version', async () => {
    expect(await checkArtifact(reader, await pack(tenantKey, meta), expected())).toEqual({ ok: true });
  });
  it('refuses an index signed by another key', async () => {
    const v = await checkArtifact(reader, await pack(otherKey, meta), expected());
    expect(v).toMatchObject({ ok: false, final: true, reason: 'ArtifactSignatureInvalid' });
  });
  it('refuses an index that names another mini-program, version or tenant', async () => {
    for (const [field, value] of [
      ['miniProgram', 'other'],
      ['version', '2.0.0'],
      ['tenant', 'globex'],
    ]) {
      const v = await checkArtifact(
        reader,
        await pack(tenantKey, { ...meta, [field as string]: value as string }),
        expected(),
      );
      expect(v).toMatchObject({ ok: false, final: true, reason: 'ArtifactNotForThisVersion' });
      expect(v.ok ? '' : v.message).toContain(`names ${field} "${value}"`);
    }
  });
  it('refuses a status whose key or plaintext digest differs from the signed index', async () => {
    const a = await pack(tenantKey, meta);
    const v = await checkArtifact(reader, { ...a, plaintextDigest: `sha256:${'1'.repeat(64)}` }, expected());
    expect(v).toMatchObject({ ok: false, reason: 'ArtifactStatusMismatch' });
  });
  it('refuses a digest that is not among this tenant’s artifacts (another tenant’s digest)', async () => {
    const a = await pack(tenantKey, meta);
    const v = await checkArtifact(reader, a, { ...expected(), tenant: 'globex' });
    expect(v).toMatchObject({ ok: false, final: false, reason: 'ArtifactNotInStore' });
  });
  it('refuses bytes that do not hash to the digest in status', async () => {
    const a = await pack(tenantKey, meta);
    const b = await pack(tenantKey, meta);
    blobs.set(a.digest, blobs.get(b.digest) as Uint8Array);
    const v = await checkArtifact(reader, a, expected());
    expect(v).toMatchObject({ ok: false, final: true, reason: 'ArtifactDigestMismatch' });
  });
  it('checks subpackages too', async () => {
    const main = await pack(tenantKey, meta);
    const sub = await pack(otherKey, meta);
    const v = await checkArtifact(
      reader,
      { ...main, subpackages: [{ name: 'history', root: 'history', digest: sub.digest, size: sub.size }] },
      expected(),
    );
    expect(v).toMatchObject({ ok: false, reason: 'ArtifactSignatureInvalid' });
    expect(v.ok ? '' : v.message).toContain('subpackage history');
  });
});

describe('ArtifactEvidence', () => {
  const versionWith = (artifact: Artifact, uid = 'u1') =>
    ({
      metadata: { uid },
      spec: { miniProgram: 'pay', version: '1.0.0' },
      status: { phase: 'Compiled', artifact },
    }) as unknown as Parameters<ArtifactEvidence['check']>[0];

  it('reads an artifact once for concurrent checks and remembers the verdict for that artifact only', async () => {
    let reads = 0;
    const counting: ArtifactReader = {
      read: async (tenant, digest, max) => {
        reads++;
        return reader.read(tenant, digest, max);
      },
    };
    const evidence = new ArtifactEvidence(counting);
    const good = versionWith(await pack(tenantKey, meta));
    const [a, b] = await Promise.all([evidence.check(good, expected()), evidence.check(good, expected())]);
    expect([a, b, reads]).toEqual([{ ok: true }, { ok: true }, 1]);
    expect(evidence.verdict(good, expected())).toEqual({ ok: true });
    // the same version with another artifact in status is not covered by the earlier verdict
    const forged = versionWith(await pack(otherKey, meta));
    expect(evidence.verdict(forged, expected())).toBeUndefined();
    expect(await evidence.check(forged, expected())).toMatchObject({
      ok: false,
      reason: 'ArtifactSignatureInvalid',
    });
  });
});
