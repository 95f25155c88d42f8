import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyUnwrapError } from './errors.ts';
import { generateDeviceKeyPair, rewrapDataKeyForDevice, unwrapDataKeyFromStore } from './wrap.ts';
import { rewrapDataKeyForDeviceNode } from './wrap-node.ts';

const dataKey = new Uint8Array(randomBytes(32));

async function opened(wrapped: Parameters<typeof unwrapDataKeyFromStore>[0], privateKey: CryptoKey) {
  const key = await unwrapDataKeyFromStore(wrapped, privateKey, { extractable: true });
  return new Uint8Array(await crypto.subtle.exportKey('raw', key));
}

describe('rewrapDataKeyForDeviceNode (node:crypto form of the device re-wrap)', () => {
  it('produces what the device side (WebCrypto) opens, from a raw point or a JWK', async () => {
    const device = await generateDeviceKeyPair();
    expect(await opened(rewrapDataKeyForDeviceNode(dataKey, device.publicKeyRaw), device.privateKey)).toEqual(
      dataKey,
    );
    const jwk = await crypto.subtle.exportKey('jwk', device.publicKey);
    expect(await opened(rewrapDataKeyForDeviceNode(dataKey, jwk), device.privateKey)).toEqual(dataKey);
  });

  it('has the same shape as the portable version and a fresh ephemeral key, salt and iv each time', async () => {
    const device = await generateDeviceKeyPair();
    const a = rewrapDataKeyForDeviceNode(dataKey, device.publicKeyRaw);
    const b = rewrapDataKeyForDeviceNode(dataKey, device.publicKeyRaw);
    const portable = await rewrapDataKeyForDevice(dataKey, device.publicKeyRaw);
    for (const field of ['ephemeralPublicKey', 'salt', 'iv', 'ciphertext'] as const) {
      expect(Buffer.from(a[field], 'base64').length).toBe(Buffer.from(portable[field], 'base64').length);
      expect(a[field]).not.toBe(b[field]);
    }
  });

  it('cannot be opened by another device', async () => {
    const device = await generateDeviceKeyPair();
    const intruder = await generateDeviceKeyPair();
    const wrapped = rewrapDataKeyForDeviceNode(dataKey, device.publicKeyRaw);
    await expect(unwrapDataKeyFromStore(wrapped, intruder.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
  });

  it('accepts a compressed point, as the portable version does in Node', async () => {
    const device = await generateDeviceKeyPair();
    const raw = Buffer.from(device.publicKeyRaw, 'base64');
    const point = Buffer.concat([Buffer.from([raw[64]! & 1 ? 3 : 2]), raw.subarray(1, 33)]);
    expect(
      await opened(rewrapDataKeyForDeviceNode(dataKey, point.toString('base64')), device.privateKey),
    ).toEqual(dataKey);
  });

  it('rejects device keys that are not P-256 points on the curve', async () => {
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
    const jwk = await crypto.subtle.exportKey('jwk', (await generateDeviceKeyPair()).publicKey);
    for (const bad of [
      'AAAA',
      offCurve.toString('base64'),
      Buffer.concat([Buffer.from([5]), Buffer.alloc(64, 1)]).toString('base64'),
      { ...jwk, crv: 'P-384' },
      { ...jwk, x: 'AAAA' },
    ]) {
      expect(() => rewrapDataKeyForDeviceNode(dataKey, bad)).toThrow(KeyUnwrapError);
      await expect(rewrapDataKeyForDevice(dataKey, bad)).rejects.toBeInstanceOf(KeyUnwrapError);
    }
  });
});
