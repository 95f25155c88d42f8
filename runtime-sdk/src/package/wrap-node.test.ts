import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyUnwrapError } from './errors.ts';
import { generateDeviceKeyPair, rewrapDataKeyForDevice, unwrapDataKeyFromStore } from './wrap.ts';
import { DeviceKeyWrapper, rewrapDataKeyForDeviceNode } from './wrap-node.ts';

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

describe('DeviceKeyWrapper (semi-static store key, one ECDH per device)', () => {
  const otherKey = new Uint8Array(randomBytes(32));

  it('wraps several data keys for one device with one store key; each opens, each with its own salt and iv', async () => {
    const device = await generateDeviceKeyPair();
    const wrapper = new DeviceKeyWrapper();
    const session = wrapper.forDevice(device.publicKeyRaw);
    const a = session.wrap(dataKey);
    const b = session.wrap(otherKey);
    expect(a.ephemeralPublicKey).toBe(wrapper.publicKey);
    expect(b.ephemeralPublicKey).toBe(wrapper.publicKey);
    expect(a.salt).not.toBe(b.salt);
    expect(a.iv).not.toBe(b.iv);
    expect(await opened(a, device.privateKey)).toEqual(dataKey);
    expect(await opened(b, device.privateKey)).toEqual(otherKey);
    // the same data key twice: different ciphertexts (fresh salt → fresh AES key)
    expect(session.wrap(dataKey).ciphertext).not.toBe(a.ciphertext);
    const jwk = await crypto.subtle.exportKey('jwk', device.publicKey);
    expect(await opened(wrapper.wrap(dataKey, jwk), device.privateKey)).toEqual(dataKey);
  });

  it('a wrap for one device does not open for another device under the same store key', async () => {
    const wrapper = new DeviceKeyWrapper();
    const device = await generateDeviceKeyPair();
    const intruder = await generateDeviceKeyPair();
    const wrapped = wrapper.wrap(dataKey, device.publicKeyRaw);
    expect(wrapper.wrap(dataKey, intruder.publicKeyRaw).ephemeralPublicKey).toBe(wrapped.ephemeralPublicKey);
    await expect(unwrapDataKeyFromStore(wrapped, intruder.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
  });

  it('rotates the store key after the interval and after the use count; earlier wraps still open', async () => {
    let now = 1_000_000;
    const wrapper = new DeviceKeyWrapper({ rotateAfterMs: 30_000, rotateAfterUses: 3, now: () => now });
    const device = await generateDeviceKeyPair();
    const first = wrapper.wrap(dataKey, device.publicKeyRaw);
    now += 29_999;
    const second = wrapper.wrap(dataKey, device.publicKeyRaw);
    expect(second.ephemeralPublicKey).toBe(first.ephemeralPublicKey);
    now += 1;
    const afterInterval = wrapper.wrap(dataKey, device.publicKeyRaw);
    expect(afterInterval.ephemeralPublicKey).not.toBe(first.ephemeralPublicKey);
    // uses: afterInterval was the first of the new key; two more, then the fourth rotates
    const keys = [1, 2, 3].map(() => wrapper.wrap(dataKey, device.publicKeyRaw).ephemeralPublicKey);
    expect(keys.slice(0, 2)).toEqual([afterInterval.ephemeralPublicKey, afterInterval.ephemeralPublicKey]);
    expect(keys[2]).not.toBe(afterInterval.ephemeralPublicKey);
    // a session keeps the key it was opened with, even when the wrapper rotates meanwhile
    const session = wrapper.forDevice(device.publicKeyRaw);
    wrapper.rotate();
    const late = session.wrap(otherKey);
    expect(late.ephemeralPublicKey).not.toBe(wrapper.publicKey);
    for (const w of [first, second, afterInterval])
      expect(await opened(w, device.privateKey)).toEqual(dataKey);
    expect(await opened(late, device.privateKey)).toEqual(otherKey);
  });

  it('rejects invalid device keys with the same error as the one-shot re-wrap, and bad options', async () => {
    const wrapper = new DeviceKeyWrapper();
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]);
    const jwk = await crypto.subtle.exportKey('jwk', (await generateDeviceKeyPair()).publicKey);
    for (const bad of [
      'AAAA',
      offCurve.toString('base64'),
      { ...jwk, crv: 'P-384' },
      { ...jwk, y: 'AAAA' },
    ]) {
      expect(() => wrapper.forDevice(bad)).toThrow(
        new KeyUnwrapError('device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)'),
      );
    }
    const device = await generateDeviceKeyPair();
    expect(() => wrapper.wrap(new Uint8Array(16), device.publicKeyRaw)).toThrow(/data key must be 32 bytes/);
    expect(() => new DeviceKeyWrapper({ rotateAfterMs: 0 })).toThrow(RangeError);
  });
});
