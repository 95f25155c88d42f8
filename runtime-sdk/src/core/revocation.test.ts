import { describe, expect, it } from 'vitest';
import { UnknownSigningKeyError } from '../package/errors.ts';
import { generateSigningKeyPair } from '../package/keys.ts';
import { signDetached, verifyDetached } from '../package/sign.ts';
import { type RevocationStore, SigningKeyRevocations, SigningKeyRevokedError } from './revocation.ts';

function memoryStore(initial: string[] = []): RevocationStore & { saved: string[] } {
  const s = {
    saved: [...initial],
    load: async () => s.saved,
    save: async (ids: readonly string[]) => {
      s.saved = [...ids];
    },
  };
  return s;
}

describe('SigningKeyRevocations', () => {
  it('takes revoked keys out of the configured ones, so their signatures no longer verify', async () => {
    const old = await generateSigningKeyPair();
    const current = await generateSigningKeyPair();
    const configured = [old.publicKeySpki, current.publicKeySpki];
    const r = new SigningKeyRevocations([], memoryStore());
    expect((await r.trusted(configured)).map((k) => k.keyId)).toEqual([old.keyId, current.keyId]);
    await r.learn([old.keyId]);
    const trusted = await r.trusted(configured);
    expect(trusted.map((k) => k.keyId)).toEqual([current.keyId]);
    const bytes = new TextEncoder().encode('index');
    const sig = await signDetached(bytes, { keyId: old.keyId, key: old.privateKeyPkcs8 });
    const err = await verifyDetached(bytes, sig.signature, trusted, old.keyId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownSigningKeyError);
    expect(r.explain(err, 'the package')).toBeInstanceOf(SigningKeyRevokedError);
    await expect(r.check(old.keyId, 'app 1.0.0')).rejects.toThrow(/revoked signing key/);
    await expect(r.check(current.keyId, 'app 1.0.0')).resolves.toBeUndefined();
  });

  it('persists what it learns, never forgets, and ignores junk ids', async () => {
    const store = memoryStore();
    const a = new SigningKeyRevocations(['0123456789abcdef'], store);
    await a.learn(['fedcba9876543210', '<script>', 'x'.repeat(200)]);
    expect(store.saved.sort()).toEqual(['0123456789abcdef', 'fedcba9876543210']);
    // a later answer without revocations removes nothing
    await a.learn([]);
    await a.learn(undefined);
    const b = new SigningKeyRevocations([], store);
    expect(await b.has('fedcba9876543210')).toBe(true);
    expect(await b.has('0123456789abcdef')).toBe(true);
  });

  it('a broken store does not stop launches (the configured list still applies)', async () => {
    const r = new SigningKeyRevocations(['0123456789abcdef'], {
      load: () => Promise.reject(new Error('disk')),
      save: () => Promise.reject(new Error('disk')),
    });
    await r.learn(['fedcba9876543210']);
    expect(await r.has('0123456789abcdef')).toBe(true);
    expect(await r.has('fedcba9876543210')).toBe(true);
  });
});
