// Envelope encryption of the per-artifact data key:
//  - at rest: AES-256-GCM under the tenant key-encryption key (KEK), bound to the KEK id;
//  - at launch: re-wrapped for one device (ECDH P-256 → HKDF-SHA256 → AES-256-GCM), so the data
//    key never crosses the wire in the clear and the CDN never sees it. The device sends a fresh
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
   * The store's ECDH P-256 public key for this wrap (fresh, or semi-static and short-lived in
   * the store: see wrap-node.ts), raw uncompressed point, base64; also the AES-GCM AAD.
   */
  ephemeralPublicKey: string;
  salt: string;
  iv: string;
  ciphertext: string;
}

export type DevicePublicKeyInput = JsonWebKey | KeyBytesInput;

async function importDevicePublic(input: DevicePublicKeyInput): Promise<CryptoKey> {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const raw = typeof input === 'string' ? fromBase64(input) : own(input);
    return subtle().importKey('raw', raw, ECDH_P256, true, []);
  }
  return subtle().importKey('jwk', input, ECDH_P256, true, []);
}

async function deriveWrapKey(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  salt: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey> {
  const shared = await subtle().deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const hkdfKey = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: DEVICE_INFO },
    hkdfKey,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Store side: re-wraps a raw data key for one device public key. */
export async function rewrapDataKeyForDevice(
  dataKey: Uint8Array,
  devicePublicKey: DevicePublicKeyInput,
): Promise<DeviceWrappedKey> {
  let devicePub: CryptoKey;
  try {
    devicePub = await importDevicePublic(devicePublicKey);
  } catch {
    throw new KeyUnwrapError(
      'device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)',
    );
  }
  const eph = (await subtle().generateKey(ECDH_P256, true, ['deriveBits'])) as CryptoKeyPair;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrapKey = await deriveWrapKey(eph.privateKey, devicePub, salt);
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
  /** Raw uncompressed point, base64: send this in the launch request. */
  publicKeyRaw: string;
}

/** Device side: an ECDH P-256 key pair whose private key is not extractable. */
export async function generateDeviceKeyPair(): Promise<DeviceKeyPair> {
  const pair = (await subtle().generateKey(ECDH_P256, false, ['deriveBits'])) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicKeyRaw: toBase64(raw) };
}

/**
 * Device side: recovers the data key as an AES-GCM CryptoKey (non-extractable unless asked,
 * e.g. to re-wrap it under a device key for offline use).
 */
export async function unwrapDataKeyFromStore(
  wrapped: DeviceWrappedKey,
  devicePrivateKey: CryptoKey,
  options: { extractable?: boolean } = {},
): Promise<CryptoKey> {
  try {
    const ephRaw = fromBase64(wrapped.ephemeralPublicKey);
    const ephPub = await subtle().importKey('raw', ephRaw, ECDH_P256, false, []);
    const wrapKey = await deriveWrapKey(devicePrivateKey, ephPub, fromBase64(wrapped.salt));
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
