import {
  createCipheriv,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyUnwrapError } from './errors.ts';
import {
  curveOfKey,
  type DeviceKeyCurve,
  deviceKeyFields,
  generateDeviceKeyPair,
  negotiateDeviceKeyPair,
  rewrapDataKeyForDevice,
  unwrapDataKeyFromStore,
} from './wrap.ts';
import { DeviceKeyWrapper, rewrapDataKeyForDeviceNode, SMALL_ORDER_X25519 } from './wrap-node.ts';

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
    expect(a.ephemeralPublicKey).toBe(wrapper.publicKey());
    expect(b.ephemeralPublicKey).toBe(wrapper.publicKey());
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
    expect(late.ephemeralPublicKey).not.toBe(wrapper.publicKey());
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

describe('X25519 device keys (the negotiated curve where the engine has it)', () => {
  const otherKey = new Uint8Array(randomBytes(32));
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
  // u-coordinates (little-endian) of the points of small order on Curve25519 and its twist:
  // 0, 1, the two points of order 8, and p − 1 (order 2)
  const smallOrder = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];
  // encodings no engine produces: u = p and p + 1 (0 and 1 again), and the top bit set
  const nonCanonical = [
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000080',
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
  ];

  it('the store wraps for an X25519 device key (raw or JWK) under its own X25519 key; the device opens it', async () => {
    const stackTraceLimit = Error.stackTraceLimit;
    const device = await generateDeviceKeyPair('X25519');
    expect(device.curve).toBe('X25519');
    expect(Buffer.from(device.publicKeyRaw, 'base64')).toHaveLength(32);
    const wrapper = new DeviceKeyWrapper();
    const session = wrapper.forDevice(device.publicKeyRaw, 'X25519');
    const a = session.wrap(dataKey);
    const b = session.wrap(otherKey);
    expect(a.ephemeralPublicKey).toBe(wrapper.publicKey('X25519'));
    expect(Buffer.from(a.ephemeralPublicKey, 'base64')).toHaveLength(32);
    expect(wrapper.publicKey('X25519')).not.toBe(wrapper.publicKey('P-256'));
    expect([a.salt, a.iv]).not.toEqual([b.salt, b.iv]);
    expect(await opened(a, device.privateKey)).toEqual(dataKey);
    expect(await opened(b, device.privateKey)).toEqual(otherKey);
    // the key import runs without stack traces (wrap-node.ts) and puts the limit back
    expect(Error.stackTraceLimit).toBe(stackTraceLimit);
    expect(new Error('x').stack).toContain('wrap-node.test.ts');
    const jwk = await crypto.subtle.exportKey('jwk', device.publicKey);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'X25519' });
    expect(await opened(wrapper.wrap(dataKey, jwk, 'X25519'), device.privateKey)).toEqual(dataKey);
    // the one-shot forms, node:crypto and WebCrypto, give the same shape
    const oneShot = rewrapDataKeyForDeviceNode(dataKey, device.publicKeyRaw, 'X25519');
    const portable = await rewrapDataKeyForDevice(dataKey, device.publicKeyRaw, 'X25519');
    for (const w of [oneShot, portable]) {
      expect(Buffer.from(w.ephemeralPublicKey, 'base64')).toHaveLength(32);
      expect(await opened(w, device.privateKey)).toEqual(dataKey);
    }
  });

  it('per-launch key separation: another X25519 device, or a P-256 one, cannot open the wrap', async () => {
    const wrapper = new DeviceKeyWrapper();
    const device = await generateDeviceKeyPair('X25519');
    const intruder = await generateDeviceKeyPair('X25519');
    const p256 = await generateDeviceKeyPair('P-256');
    const wrapped = wrapper.wrap(dataKey, device.publicKeyRaw, 'X25519');
    // the same store key, another shared secret
    expect(wrapper.wrap(dataKey, intruder.publicKeyRaw, 'X25519').ephemeralPublicKey).toBe(
      wrapped.ephemeralPublicKey,
    );
    await expect(unwrapDataKeyFromStore(wrapped, intruder.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(unwrapDataKeyFromStore(wrapped, p256.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
    const forP256 = wrapper.wrap(dataKey, p256.publicKeyRaw);
    await expect(unwrapDataKeyFromStore(forP256, device.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
    expect(await opened(forP256, p256.privateKey)).toEqual(dataKey);
  });

  it('each curve rotates its own store key on the same schedule', async () => {
    let now = 0;
    const wrapper = new DeviceKeyWrapper({ rotateAfterMs: 30_000, rotateAfterUses: 2, now: () => now });
    const x = await generateDeviceKeyPair('X25519');
    const p = await generateDeviceKeyPair('P-256');
    const x1 = wrapper.wrap(dataKey, x.publicKeyRaw, 'X25519').ephemeralPublicKey;
    const p1 = wrapper.wrap(dataKey, p.publicKeyRaw).ephemeralPublicKey;
    expect(wrapper.wrap(dataKey, x.publicKeyRaw, 'X25519').ephemeralPublicKey).toBe(x1);
    // the third X25519 device gets a new X25519 key; P-256 has served one device and keeps its key
    const x2 = wrapper.wrap(dataKey, x.publicKeyRaw, 'X25519');
    expect(x2.ephemeralPublicKey).not.toBe(x1);
    expect(wrapper.wrap(dataKey, p.publicKeyRaw).ephemeralPublicKey).toBe(p1);
    now += 30_000;
    expect(wrapper.wrap(dataKey, x.publicKeyRaw, 'X25519').ephemeralPublicKey).not.toBe(
      x2.ephemeralPublicKey,
    );
    expect(await opened(x2, x.privateKey)).toEqual(dataKey);
  });

  it('refuses small-order X25519 points (all-zero shared secret) in every form', async () => {
    const wrapper = new DeviceKeyWrapper();
    const { privateKey } = generateKeyPairSync('x25519');
    for (const hex of smallOrder) {
      const point = Buffer.from(hex, 'hex');
      // they really are of small order: the X25519 result is zero for any private key, so
      // OpenSSL refuses to derive (or gives zeros)
      let zero = true;
      try {
        const publicKey = createPublicKey({ key: point, format: 'raw-public', asymmetricKeyType: 'x25519' });
        zero = !diffieHellman({ privateKey, publicKey }).some((b) => b !== 0);
      } catch {}
      expect(zero, hex).toBe(true);
      const jwk = { kty: 'OKP', crv: 'X25519', x: point.toString('base64url') };
      for (const key of [b64(hex), jwk]) {
        expect(() => wrapper.forDevice(key, 'X25519'), hex).toThrow(new KeyUnwrapError(SMALL_ORDER_X25519));
        expect(() => rewrapDataKeyForDeviceNode(dataKey, key, 'X25519'), hex).toThrow(KeyUnwrapError);
        await expect(rewrapDataKeyForDevice(dataKey, key, 'X25519'), hex).rejects.toThrow(SMALL_ORDER_X25519);
      }
    }
  });

  it('refuses X25519 keys of the wrong length or form, non-canonical encodings, keys of the other curve and unknown curves', async () => {
    const wrapper = new DeviceKeyWrapper();
    const x = await generateDeviceKeyPair('X25519');
    const p = await generateDeviceKeyPair('P-256');
    const raw = Buffer.from(x.publicKeyRaw, 'base64');
    const jwk = await crypto.subtle.exportKey('jwk', x.publicKey);
    const invalid = new KeyUnwrapError(
      'device public key is not a valid X25519 key (32 bytes raw, base64, or an OKP JWK)',
    );
    for (const bad of [
      '',
      raw.subarray(0, 31).toString('base64'),
      Buffer.concat([raw, Buffer.from([0])]).toString('base64'),
      p.publicKeyRaw,
      ...nonCanonical.map(b64),
      { ...jwk, crv: 'X448' },
      { ...jwk, kty: 'EC' },
      { ...jwk, x: 'AAAA' },
      await crypto.subtle.exportKey('jwk', p.publicKey),
    ]) {
      expect(() => wrapper.forDevice(bad, 'X25519')).toThrow(invalid);
      expect(() => rewrapDataKeyForDeviceNode(dataKey, bad, 'X25519')).toThrow(invalid);
    }
    // an X25519 key presented as P-256 (no deviceKeyCurve) is not a P-256 point
    expect(() => wrapper.forDevice(x.publicKeyRaw)).toThrow(
      new KeyUnwrapError('device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)'),
    );
    await expect(rewrapDataKeyForDevice(dataKey, x.publicKeyRaw)).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(rewrapDataKeyForDevice(dataKey, p.publicKeyRaw, 'X25519')).rejects.toBeInstanceOf(
      KeyUnwrapError,
    );
    const unknown = 'X448' as DeviceKeyCurve;
    expect(() => wrapper.forDevice(x.publicKeyRaw, unknown)).toThrow(/unknown device key curve X448/);
    expect(() => rewrapDataKeyForDeviceNode(dataKey, x.publicKeyRaw, unknown)).toThrow(
      /unknown device key curve/,
    );
  });

  it('the device refuses a store key of small order (a hostile store or path), whatever the ciphertext', async () => {
    const device = await generateDeviceKeyPair('X25519');
    for (const hex of smallOrder) {
      // what an attacker who picks the store key knows: the all-zero shared secret, so the wrap key
      const point = Buffer.from(hex, 'hex');
      const salt = randomBytes(16);
      const iv = randomBytes(12);
      const wrapKey = hkdfSync('sha256', Buffer.alloc(32), salt, 'tessera-device-wrap-v1:X25519', 32);
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(wrapKey), iv);
      cipher.setAAD(point);
      const ct = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
      const forged = {
        ephemeralPublicKey: point.toString('base64'),
        salt: salt.toString('base64'),
        iv: iv.toString('base64'),
        ciphertext: ct.toString('base64'),
      };
      await expect(unwrapDataKeyFromStore(forged, device.privateKey), hex).rejects.toBeInstanceOf(
        KeyUnwrapError,
      );
    }
  });

  it('negotiateDeviceKeyPair picks X25519 where WebCrypto has it; deviceKeyFields names the curve only then', async () => {
    const pair = await negotiateDeviceKeyPair();
    expect(pair.curve).toBe('X25519');
    expect(curveOfKey(pair.privateKey)).toBe('X25519');
    expect(pair.privateKey.extractable).toBe(false);
    expect(deviceKeyFields(pair)).toEqual({ devicePublicKey: pair.publicKeyRaw, deviceKeyCurve: 'X25519' });
    const p256 = await generateDeviceKeyPair();
    expect(curveOfKey(p256.privateKey)).toBe('P-256');
    expect(deviceKeyFields(p256)).toEqual({ devicePublicKey: p256.publicKeyRaw });
  });
});
