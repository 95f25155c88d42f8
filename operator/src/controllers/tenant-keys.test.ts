import type { Tenant } from '@tessera/crds';
import { signDetached, verifyDetached } from '@tessera/runtime-sdk/package';
import { describe, expect, it } from 'vitest';
import {
  currentKeyRevoked,
  KEY_FILES,
  newKeySecret,
  publicKeysOf,
  revokedSigningKeyIdsOf,
  rotatedKeySecret,
  secretKeyGeneration,
  signingKeyOf,
} from './tenant-keys.ts';

const tenant = (gen: number) =>
  ({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'acme', uid: 'u' },
    spec: { displayName: 'Acme', crypto: { keyGeneration: gen } },
  }) as Tenant;

describe('tenant keys', () => {
  it('generates a KEK and a signing key whose public key verifies its signatures', async () => {
    const s = await newKeySecret(tenant(0));
    expect(Buffer.from(s.data?.[KEY_FILES.kek] ?? '', 'base64')).toHaveLength(32);
    const keys = publicKeysOf(s);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.state).toBe('current');
    const sk = signingKeyOf(s);
    if (!sk) throw new Error('no signing key');
    const bytes = new TextEncoder().encode('hello');
    const sig = await signDetached(bytes, sk);
    expect(await verifyDetached(bytes, sig.signature, [keys[0]?.publicKey ?? ''], sk.keyId)).toBe(sk.keyId);
    expect(JSON.stringify(keys)).not.toContain(s.data?.[KEY_FILES.signingKey]);
  });

  it('rotation keeps the previous public key and KEK', async () => {
    const s0 = await newKeySecret(tenant(0));
    const s1 = await rotatedKeySecret(tenant(1), s0);
    expect(secretKeyGeneration(s1)).toBe(1);
    const keys = publicKeysOf(s1);
    expect(keys.map((k) => k.state)).toEqual(['current', 'previous']);
    expect(keys[1]?.publicKey).toBe(s0.data?.[KEY_FILES.publicKey]);
    expect(s1.data?.[KEY_FILES.previousKek]).toBe(s0.data?.[KEY_FILES.kek]);
    expect(s1.data?.[KEY_FILES.kek]).not.toBe(s0.data?.[KEY_FILES.kek]);
  });

  it('ignores a Secret with missing or garbage fields', () => {
    expect(publicKeysOf({ data: {} })).toEqual([]);
    expect(signingKeyOf({ data: { [KEY_FILES.signingKeyId]: '!!!' } })).toBeUndefined();
    expect(secretKeyGeneration({ metadata: { annotations: { 'tessera.dev/key-generation': 'NaN' } } })).toBe(
      0,
    );
  });

  it('leaves revoked keys out of the published keys and never signs with a revoked key', async () => {
    const s0 = await newKeySecret(tenant(0));
    const compromised = publicKeysOf(s0)[0]?.keyId ?? '';
    const revoking = {
      ...tenant(0),
      spec: { ...tenant(0).spec, crypto: { ...tenant(0).spec.crypto, revokedSigningKeyIds: [compromised] } },
    } as Tenant;
    expect(currentKeyRevoked(revoking, s0)).toBe(true);
    expect(publicKeysOf(s0, revokedSigningKeyIdsOf(revoking))).toEqual([]);
    expect(signingKeyOf(s0, revokedSigningKeyIdsOf(revoking))).toBeUndefined();
    const s1 = await rotatedKeySecret(revoking, s0);
    expect(currentKeyRevoked(revoking, s1)).toBe(false);
    const published = publicKeysOf(s1, revokedSigningKeyIdsOf(revoking));
    expect(published.map((k) => k.state)).toEqual(['current']);
    expect(published[0]?.keyId).not.toBe(compromised);
    expect(signingKeyOf(s1, revokedSigningKeyIdsOf(revoking))?.keyId).toBe(published[0]?.keyId);
    // data wrapped under the previous KEK still decrypts: only the signing key is distrusted
    expect(s1.data?.[KEY_FILES.previousKek]).toBe(s0.data?.[KEY_FILES.kek]);
  });
});
