// Node-only forms of the device re-wrap (wrap.ts) for the store's launch path: the same
// ECDH P-256 → HKDF-SHA256 → AES-256-GCM construction and wire format (DeviceWrappedKey),
// computed synchronously with node:crypto. Node's WebCrypto runs each of the seven subtle calls
// of the portable version as a separate thread-pool job with its own promise and key objects,
// which costs the store about twice the CPU per launch. Browsers never load this file.
//
// DeviceKeyWrapper is what the store uses: its ECDH key pair is semi-static (kept in memory
// only, replaced every 30 s and after 100,000 devices) instead of fresh per wrap, and one
// launch's data keys (main package and subpackages) share one ECDH with the device key. The
// device key is ephemeral per launch, so every launch still gets its own shared secret, and a
// wrapped key stays secret once the store key that wrapped it has been rotated away (forward
// secrecy with a window of one rotation). Each wrap has a fresh HKDF salt (so its own AES key)
// and a fresh IV; the store public key goes out as `ephemeralPublicKey` and is the AES-GCM AAD,
// exactly as before, so unwrapDataKeyFromStore is unchanged. Because the store key is reused,
// the device point must be checked to be on the curve (invalid-curve attacks): computeSecret
// does that (OpenSSL decodes the point with the curve check; P-256 has cofactor 1).

import {
  createCipheriv,
  createECDH,
  createSecretKey,
  type ECDH,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { KeyUnwrapError } from './errors.ts';
import { DEVICE_INFO, type DevicePublicKeyInput, type DeviceWrappedKey } from './wrap.ts';

const INVALID_DEVICE_KEY = 'device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)';

function devicePoint(input: DevicePublicKeyInput): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'base64');
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (
    input.kty !== 'EC' ||
    input.crv !== 'P-256' ||
    typeof input.x !== 'string' ||
    typeof input.y !== 'string'
  ) {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
  const x = Buffer.from(input.x, 'base64url');
  const y = Buffer.from(input.y, 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  return Buffer.concat([Buffer.from([4]), x, y]);
}

/** ECDH of a store key with a device public key; KeyUnwrapError when the device key is not a P-256 point. */
function sharedSecret(store: ECDH, devicePublicKey: DevicePublicKeyInput): KeyObject {
  let point: Buffer;
  try {
    point = devicePoint(devicePublicKey);
  } catch {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
  // the points Node's WebCrypto raw import takes: uncompressed, or compressed
  const uncompressed = point.length === 65 && point[0] === 4;
  const compressed = point.length === 33 && (point[0] === 2 || point[0] === 3);
  if (!uncompressed && !compressed) throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  try {
    // decodes the point with the on-curve check
    return createSecretKey(store.computeSecret(point));
  } catch {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
}

// Salts and IVs are taken from a buffer of CSPRNG output, each byte used once (as Node's
// randomUUID does): one randomBytes call costs several µs, about as much as the rest of a wrap.
const RANDOM_POOL_BYTES = 28 * 512;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function freshBytes(n: number): Buffer {
  if (randomOffset + n > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  const out = randomPool.subarray(randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

// Keys are passed to node:crypto as KeyObjects: given a Buffer, createCipheriv and hkdfSync
// first probe it for being a KeyObject or CryptoKey, which costs more than making a KeyObject.
function wrapWith(
  shared: KeyObject,
  storePublic: Buffer,
  storePublicB64: string,
  dataKey: Uint8Array,
): DeviceWrappedKey {
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  const fresh = freshBytes(28);
  const salt = fresh.subarray(0, 16);
  const iv = fresh.subarray(16);
  const wrapKey = createSecretKey(new Uint8Array(hkdfSync('sha256', shared, salt, DEVICE_INFO, 32)));
  const cipher = createCipheriv('aes-256-gcm', wrapKey, iv);
  cipher.setAAD(storePublic);
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return {
    ephemeralPublicKey: storePublicB64,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ct.toString('base64'),
  };
}

/** Store side, Node only: re-wraps a raw data key for one device public key with a fresh store key (see wrap.ts). */
export function rewrapDataKeyForDeviceNode(
  dataKey: Uint8Array,
  devicePublicKey: DevicePublicKeyInput,
): DeviceWrappedKey {
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  const store = createECDH('prime256v1');
  const storePublic = store.generateKeys();
  return wrapWith(sharedSecret(store, devicePublicKey), storePublic, storePublic.toString('base64'), dataKey);
}

/** Data keys wrapped for one device under one ECDH (see DeviceKeyWrapper.forDevice). */
export interface DeviceWrapSession {
  /** a fresh salt and IV every call; the result opens with unwrapDataKeyFromStore */
  wrap(dataKey: Uint8Array): DeviceWrappedKey;
}

export interface DeviceKeyWrapperOptions {
  /** how long one store key pair is used, in ms (default 30,000) */
  rotateAfterMs?: number;
  /** how many device keys one store key pair serves at most (default 100,000) */
  rotateAfterUses?: number;
  /** clock in ms (tests) */
  now?: () => number;
}

/**
 * Store side, Node only: re-wraps data keys for device keys under a semi-static, in-memory store
 * ECDH key pair that is replaced after `rotateAfterMs` or `rotateAfterUses` devices, whichever
 * comes first (construction and its security argument at the top of this file).
 */
export class DeviceKeyWrapper {
  readonly #rotateAfterMs: number;
  readonly #rotateAfterUses: number;
  readonly #now: () => number;
  #key!: ECDH;
  #public!: Buffer;
  #publicB64!: string;
  #bornAt = 0;
  #uses = 0;

  constructor(options: DeviceKeyWrapperOptions = {}) {
    this.#rotateAfterMs = options.rotateAfterMs ?? 30_000;
    this.#rotateAfterUses = options.rotateAfterUses ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#rotateAfterMs > 0) || !(this.#rotateAfterUses >= 1)) {
      throw new RangeError('rotateAfterMs must be > 0 and rotateAfterUses ≥ 1');
    }
    this.rotate();
  }

  /** Replaces the store key pair now; the old private key is dropped. */
  rotate(): void {
    this.#key = createECDH('prime256v1');
    this.#public = this.#key.generateKeys();
    this.#publicB64 = this.#public.toString('base64');
    this.#bornAt = this.#now();
    this.#uses = 0;
  }

  /** The current store public key (raw uncompressed point, base64): what wraps carry as ephemeralPublicKey. */
  get publicKey(): string {
    return this.#publicB64;
  }

  /**
   * One ECDH with this device key under the current store key; every data key of the launch is
   * then wrapped from it. Throws KeyUnwrapError when the device key is not a P-256 point.
   */
  forDevice(devicePublicKey: DevicePublicKeyInput): DeviceWrapSession {
    if (this.#uses >= this.#rotateAfterUses || this.#now() - this.#bornAt >= this.#rotateAfterMs) {
      this.rotate();
    }
    const shared = sharedSecret(this.#key, devicePublicKey);
    this.#uses++;
    const storePublic = this.#public;
    const storePublicB64 = this.#publicB64;
    return { wrap: (dataKey) => wrapWith(shared, storePublic, storePublicB64, dataKey) };
  }

  /** forDevice(devicePublicKey).wrap(dataKey) */
  wrap(dataKey: Uint8Array, devicePublicKey: DevicePublicKeyInput): DeviceWrappedKey {
    return this.forDevice(devicePublicKey).wrap(dataKey);
  }
}
