// Envelope encryption of the per-artifact data key:
//  - at rest: AES-256-GCM under the tenant key-encryption key (KEK), bound to the KEK id;
//  - at launch: re-wrapped for one device (ECDH → HKDF-SHA256 → AES-256-GCM; X25519 where the
//    engine has it, P-256 as the negotiated fallback: negotiateDeviceKeyPair), so the data key
//    never crosses the wire in the clear and the CDN never sees it. The device sends a fresh
//    ECDH key per launch. The store side here uses a fresh ECDH key per wrap; the store itself
//    uses DeviceKeyWrapper (wrap-node.ts): a semi-static store key rotated every 30 s, one ECDH
//    per launch shared by all its data keys, a fresh HKDF salt and IV per wrap. The wire format
//    and unwrapDataKeyFromStore are the same for both.
import { concatBytes, fromBase64, own, randomBytes, subtle, toBase64, toHex, utf8 } from './bytes.ts';
import { KeyUnwrapError } from './errors.ts';
import { importKek, type KeyBytesInput } from './keys.ts';

const WRAP_AAD_PREFIX = 'tessera-dk-v1:';
export const DEVICE_INFO = utf8('tessera-device-wrap-v1');
const ECDH_P256: EcKeyImportParams = { name: 'ECDH', namedCurve: 'P-256' };

export function generateDataKey(): Uint8Array<ArrayBuffer> {
  return randomBytes(32);
}

export async function importDataKey(dataKey: CryptoKey | Uint8Array): Promise<CryptoKey> {
  if (!(dataKey instanceof Uint8Array)) return dataKey;
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  return subtle().importKey('raw', own(dataKey), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

async function kekKey(kek: CryptoKey | KeyBytesInput): Promise<CryptoKey> {
  return typeof kek === 'string' || kek instanceof Uint8Array ? importKek(kek) : kek;
}

/** Wrapped form: "<kekId>.<base64(iv ‖ ciphertext ‖ tag)>". */
export async function wrapDataKey(
  dataKey: Uint8Array,
  kek: CryptoKey | KeyBytesInput,
  kekId: string,
): Promise<string> {
  if (!/^[0-9a-f]{16}$/.test(kekId)) throw new TypeError('kekId must be 16 lower-case hex digits');
  const iv = randomBytes(12);
  const ct = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8(WRAP_AAD_PREFIX + kekId) },
      await kekKey(kek),
      own(dataKey),
    ),
  );
  return `${kekId}.${toBase64(concatBytes([iv, ct]))}`;
}

export function wrappedKeyId(wrapped: string): string {
  const dot = wrapped.indexOf('.');
  if (dot !== 16) throw new KeyUnwrapError('wrapped data key is malformed (expected "<kekId>.<base64>")');
  return wrapped.slice(0, 16);
}

/** Returns the raw 32-byte data key; throws KeyUnwrapError if it was modified or the KEK is wrong. */
export async function unwrapDataKey(wrapped: string, kek: CryptoKey | KeyBytesInput): Promise<Uint8Array> {
  const kekId = wrappedKeyId(wrapped);
  let blob: Uint8Array<ArrayBuffer>;
  try {
    blob = fromBase64(wrapped.slice(17));
  } catch {
    throw new KeyUnwrapError('wrapped data key is not valid base64');
  }
  if (blob.length !== 12 + 32 + 16) throw new KeyUnwrapError('wrapped data key has the wrong length');
  try {
    const pt = await subtle().decrypt(
      { name: 'AES-GCM', iv: blob.subarray(0, 12), additionalData: utf8(WRAP_AAD_PREFIX + kekId) },
      await kekKey(kek),
      blob.subarray(12),
    );
    return new Uint8Array(pt);
  } catch {
    throw new KeyUnwrapError(
      `wrapped data key does not unwrap with key-encryption key ${kekId}: it was modified or the key is wrong`,
    );
  }
}

/**
 * A check value that binds a data key to a package without revealing it: AES-GCM tag over a
 * constant, with a fixed nonce never used for files (file nonces are random and non-zero).
 * Works with non-extractable keys.
 */
export async function dataKeyCheck(dataKey: CryptoKey | Uint8Array): Promise<string> {
  const key = await importDataKey(dataKey);
  const tag = new Uint8Array(
    await subtle().encrypt(
      { name: 'AES-GCM', iv: new Uint8Array(12), additionalData: utf8('tessera-key-check-v1') },
      key,
      new Uint8Array(0),
    ),
  );
  return toHex(tag);
}

export interface DeviceWrappedKey {
  /**
   * The store's ECDH public key for this wrap on the device key's curve (fresh, or semi-static
   * and short-lived in the store: see wrap-node.ts), raw (P-256: uncompressed point, 65 bytes;
   * X25519: 32 bytes), base64; also the AES-GCM AAD.
   */
  ephemeralPublicKey: string;
  salt: string;
  iv: string;
  ciphertext: string;
}

/**
 * The curve of the device key agreement at launch: X25519 where the engine has it (WebCrypto
 * X25519: current Chromium, Firefox, Safari, Node), P-256 as the fallback. The launch request
 * names it (`deviceKeyCurve`; absent means P-256, what SDKs before X25519 send).
 */
export type DeviceKeyCurve = 'X25519' | 'P-256';

export type DevicePublicKeyInput = JsonWebKey | KeyBytesInput;

const algorithmOf = (curve: DeviceKeyCurve): EcKeyImportParams | Algorithm =>
  curve === 'X25519' ? { name: 'X25519' } : ECDH_P256;

/**
 * HKDF info per curve: P-256 keeps the label it always had (so wraps stay what SDKs before
 * X25519 open); X25519 gets its own, so a shared secret is never used under the other curve's label.
 */
export const deviceInfo = (curve: DeviceKeyCurve): Uint8Array<ArrayBuffer> =>
  curve === 'X25519' ? utf8('tessera-device-wrap-v1:X25519') : DEVICE_INFO;

async function importDevicePublic(input: DevicePublicKeyInput, curve: DeviceKeyCurve): Promise<CryptoKey> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const raw = typeof input === 'string' ? fromBase64(input) : own(input);
    // WebCrypto takes an X25519 key of any length in some engines; it is 32 bytes
    if (curve === 'X25519' && raw.length !== 32) throw new KeyUnwrapError('not 32 bytes');
    return subtle().importKey('raw', raw, algorithmOf(curve), true, []);
  }
  return subtle().importKey('jwk', input, algorithmOf(curve), true, []);
}

/** An X25519 public key of small order: the shared secret would be all zeros, whatever the other key. */
export const SMALL_ORDER_X25519 =
  'device public key is a small-order X25519 point (the shared secret would be all zeros)';

async function deriveWrapKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
  curve: DeviceKeyCurve,
): Promise<CryptoKey> {
  const shared = new Uint8Array(
    await subtle().deriveBits({ name: privateKey.algorithm.name, public: publicKey }, privateKey, 256),
  );
  // X25519 with a small-order point gives all zeros (WebCrypto refuses it already; not left to
  // it). The callers say why: rewrapDataKeyForDevice names the small-order key.
  let any = 0;
  for (const b of shared) any |= b;
  if (!any) throw new KeyUnwrapError('all-zero shared secret');
  const hkdfKey = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: deviceInfo(curve) },
    hkdfKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Why a device public key was refused, the same words in the WebCrypto and node:crypto forms. */
export const invalidDeviceKey = (curve: DeviceKeyCurve): string =>
  curve === 'X25519'
    ? 'device public key is not a valid X25519 key (32 bytes raw, base64, or an OKP JWK)'
    : 'device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)';

/** Store side: re-wraps a raw data key for one device public key (on `curve`, default P-256). */
export async function rewrapDataKeyForDevice(
  dataKey: Uint8Array,
  devicePublicKey: DevicePublicKeyInput,
  curve: DeviceKeyCurve = 'P-256',
): Promise<DeviceWrappedKey> {
  let devicePub: CryptoKey;
  try {
    devicePub = await importDevicePublic(devicePublicKey, curve);
  } catch {
    throw new KeyUnwrapError(invalidDeviceKey(curve));
  }
  const eph = (await subtle().generateKey(algorithmOf(curve), true, ['deriveBits'])) as CryptoKeyPair;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  // with a device key that imported, only an all-zero X25519 result fails (WebCrypto's
  // OperationError, or our own check)
  const wrapKey = await deriveWrapKey(eph.privateKey, devicePub, salt, curve).catch(() => {
    throw new KeyUnwrapError(SMALL_ORDER_X25519);
  });
  const ephRaw = new Uint8Array(await subtle().exportKey('raw', eph.publicKey));
  const ct = new Uint8Array(
    await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: ephRaw }, wrapKey, own(dataKey)),
  );
  return {
    ephemeralPublicKey: toBase64(ephRaw),
    salt: toBase64(salt),
    iv: toBase64(iv),
    ciphertext: toBase64(ct),
  };
}

export interface DeviceKeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Raw public key, base64 (P-256: uncompressed point; X25519: 32 bytes): send this in the launch request, */
  publicKeyRaw: string;
  /** with this as deviceKeyCurve. */
  curve: DeviceKeyCurve;
}

/** Device side: an ECDH key pair on `curve` (default P-256) whose private key is not extractable. */
export async function generateDeviceKeyPair(curve: DeviceKeyCurve = 'P-256'): Promise<DeviceKeyPair> {
  const pair = (await subtle().generateKey(algorithmOf(curve), false, ['deriveBits'])) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicKeyRaw: toBase64(raw), curve };
}

let x25519Missing = false;

/**
 * Device side: the key pair a launch sends, negotiated with the engine: X25519 when its WebCrypto
 * has it (found out by generating the pair itself, so detection costs nothing), else P-256 from
 * then on.
 */
export async function negotiateDeviceKeyPair(): Promise<DeviceKeyPair> {
  if (!x25519Missing) {
    try {
      return await generateDeviceKeyPair('X25519');
    } catch {
      x25519Missing = true;
    }
  }
  return generateDeviceKeyPair('P-256');
}

/** The launch request fields for a device key: deviceKeyCurve only for X25519 (absent means P-256). */
export function deviceKeyFields(pair: DeviceKeyPair): { devicePublicKey: string; deviceKeyCurve?: 'X25519' } {
  return pair.curve === 'X25519'
    ? { devicePublicKey: pair.publicKeyRaw, deviceKeyCurve: 'X25519' }
    : { devicePublicKey: pair.publicKeyRaw };
}

/** The curve of a device private key (a cached key from before X25519 is P-256). */
export const curveOfKey = (key: CryptoKey): DeviceKeyCurve =>
  key.algorithm.name === 'X25519' ? 'X25519' : 'P-256';

/**
 * Device side: recovers the data key as an AES-GCM CryptoKey (non-extractable unless asked,
 * e.g. to re-wrap it under a device key for offline use). The curve is the device key's own.
 */
export async function unwrapDataKeyFromStore(
  wrapped: DeviceWrappedKey,
  devicePrivateKey: CryptoKey,
  options: { extractable?: boolean } = {},
): Promise<CryptoKey> {
  try {
    const curve = curveOfKey(devicePrivateKey);
    const ephRaw = fromBase64(wrapped.ephemeralPublicKey);
    const ephPub = await subtle().importKey('raw', ephRaw, algorithmOf(curve), false, []);
    const wrapKey = await deriveWrapKey(devicePrivateKey, ephPub, fromBase64(wrapped.salt), curve);
    const raw = await subtle().decrypt(
      { name: 'AES-GCM', iv: fromBase64(wrapped.iv), additionalData: ephRaw },
      wrapKey,
      fromBase64(wrapped.ciphertext),
    );
    return await subtle().importKey('raw', raw, { name: 'AES-GCM' }, options.extractable ?? false, [
      'encrypt',
      'decrypt',
    ]);
  } catch {
    throw new KeyUnwrapError(
      'device-wrapped data key does not unwrap: it was modified or is for another device',
    );
  }
}
