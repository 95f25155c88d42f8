import { describe, expect, it } from 'vitest';
import { sha256Hex } from './encoding.ts';
import { LaunchRequestSchema } from './launch-request.ts';
import { mintSessionToken, peekSessionToken, verifySessionToken } from './session.ts';
import {
  canonicalRequestString,
  importHmacKey,
  parseSignatureHeaders,
  signRequest,
  verifyRequestSignature,
} from './signing.ts';

const secret = 'sdk-secret-0123456789';

async function roundTrip(
  overrides: Partial<{ method: string; path: string; body: string; now: number }> = {},
) {
  const headers = await signRequest({
    method: 'post',
    path: '/v1/launch?x=1',
    body: '{"a":1}',
    sdkKey: 'key-1',
    sdkSecret: secret,
    timestamp: 1_000_000,
  });
  const parsed = parseSignatureHeaders((n) => headers[n]);
  if (!parsed.ok) throw new Error(parsed.reason);
  return verifyRequestSignature({
    method: overrides.method ?? 'POST',
    path: overrides.path ?? '/v1/launch?x=1',
    headers: parsed.value,
    bodySha256: await sha256Hex(overrides.body ?? '{"a":1}'),
    key: await importHmacKey(secret),
    now: overrides.now ?? 1_000_100,
  });
}

describe('request signing', () => {
  it('builds the documented canonical string', () => {
    expect(
      canonicalRequestString({ method: 'get', path: '/p?q', timestamp: 5, nonce: 'n', bodySha256: 'h' }),
    ).toBe('TESSERA-HMAC-SHA256\nGET\n/p?q\n5\nn\nh');
  });

  it('verifies its own signatures and rejects every altered part', async () => {
    expect(await roundTrip()).toEqual({ ok: true });
    expect(await roundTrip({ method: 'PUT' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await roundTrip({ path: '/v1/launch?x=2' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await roundTrip({ body: '{"a":2}' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await roundTrip({ now: 1_000_301 })).toEqual({ ok: false, reason: 'timestamp-outside-window' });
    expect(await roundTrip({ now: 999_699 })).toEqual({ ok: false, reason: 'timestamp-outside-window' });
  });

  it('accepts a native HMAC function with identical results', async () => {
    const { createHmac } = await import('node:crypto');
    const headers = await signRequest({
      method: 'GET',
      path: '/x',
      sdkKey: 'k',
      sdkSecret: secret,
      timestamp: 10,
    });
    const parsed = parseSignatureHeaders((n) => headers[n]);
    if (!parsed.ok) throw new Error(parsed.reason);
    const native = (m: string) => createHmac('sha256', secret).update(m).digest('hex');
    const verdict = await verifyRequestSignature({
      method: 'GET',
      path: '/x',
      headers: parsed.value,
      bodySha256: await sha256Hex(''),
      key: native,
      now: 10,
    });
    expect(verdict).toEqual({ ok: true });
  });

  it('rejects malformed headers before any crypto', () => {
    const base: Record<string, string> = {
      'x-tessera-key': 'k',
      'x-tessera-timestamp': '1',
      'x-tessera-nonce': 'abcdefghijklmnop',
      'x-tessera-signature': 'a'.repeat(64),
    };
    const parse = (h: Record<string, string>) => parseSignatureHeaders((n) => h[n]);
    expect(parse(base).ok).toBe(true);
    expect(parse({ ...base, 'x-tessera-timestamp': '1e9' })).toEqual({
      ok: false,
      reason: 'malformed-timestamp',
    });
    expect(parse({ ...base, 'x-tessera-nonce': 'short' })).toEqual({ ok: false, reason: 'malformed-nonce' });
    expect(parse({ ...base, 'x-tessera-nonce': 'x'.repeat(65) })).toEqual({
      ok: false,
      reason: 'malformed-nonce',
    });
    expect(parse({ ...base, 'x-tessera-signature': 'Z'.repeat(64) })).toEqual({
      ok: false,
      reason: 'malformed-signature',
    });
    const { 'x-tessera-key': _drop, ...missing } = base;
    expect(parse(missing)).toEqual({ ok: false, reason: 'missing-headers' });
  });
});

describe('session tokens', () => {
  it('round-trips, expires and refuses forgery', async () => {
    const key = await importHmacKey(secret);
    const token = await mintSessionToken({ key: 'k', sub: 'u1', iat: 100, exp: 400 }, key);
    expect(await verifySessionToken(token, key, 200)).toMatchObject({ key: 'k', sub: 'u1' });
    expect(await verifySessionToken(token, key, 400)).toBeNull();
    expect(await verifySessionToken(token, await importHmacKey('other-secret'), 200)).toBeNull();
    const [p, , s] = token.split('.');
    const forged = `${p}.${btoa(JSON.stringify({ key: 'k', sub: 'admin', iat: 100, exp: 400 }))}.${s}`;
    expect(await verifySessionToken(forged, key, 200)).toBeNull();
    expect(peekSessionToken('garbage')).toBeNull();
    expect(peekSessionToken(`tst1.${'A'.repeat(5000)}.00`)).toBeNull();
  });
});

describe('launch schema', () => {
  it('refuses unknown fields and bad keys', () => {
    const devicePublicKey = { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) };
    expect(LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey }).success).toBe(true);
    expect(LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey, extra: 1 }).success).toBe(false);
    expect(
      LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey: { ...devicePublicKey, crv: 'P-384' } })
        .success,
    ).toBe(false);
    expect(
      LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey, attributes: { 'bad key!': 1 } }).success,
    ).toBe(false);
  });
});

describe('device key forms', () => {
  it('accepts the raw base64 point the package module produces', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    const b64 = btoa(String.fromCharCode(...raw));
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    expect(LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey: b64 }).success).toBe(true);
    expect(LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey: jwk }).success).toBe(true);
    expect(LaunchRequestSchema.safeParse({ appId: 'a', devicePublicKey: b64.slice(1) }).success).toBe(false);
  });
});
