// Node-only forms of the device re-wrap (wrap.ts) for the store's launch path: the same ECDH
// (X25519 or P-256: the curve the device asked for) → HKDF-SHA256 → AES-256-GCM construction
// and wire format (DeviceWrappedKey), computed synchronously with node:crypto. Node's WebCrypto runs each of the seven subtle calls
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
//
// X25519 (RFC 7748) has a semi-static store key of its own, rotated on the same schedule. Every
// 32-byte string is a point on the curve or on its twist; Curve25519 is twist-secure and its
// clamped scalars are multiples of the cofactor, so a hostile point reveals nothing about the
// store key. What it can do is be of small order, which makes the shared secret all zeros
// whatever the store key: that is refused (OpenSSL refuses it too; it is checked here as well),
// and so are encodings an honest engine never produces (top bit set, or u ≥ 2^255 − 19). An
// X25519 ECDH costs well under a P-256 one (bench/crypto-floor.ts), which is why launches
// negotiate it where the engine has it.

import {
  createCipheriv,
  createECDH,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  type ECDH,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { KeyUnwrapError } from './errors.ts';
import {
  type DeviceKeyCurve,
  type DevicePublicKeyInput,
  type DeviceWrappedKey,
  deviceInfo,
  invalidDeviceKey,
  SMALL_ORDER_X25519,
} from './wrap.ts';

const INVALID_P256 = invalidDeviceKey('P-256');
const INVALID_X25519 = invalidDeviceKey('X25519');

export { SMALL_ORDER_X25519 };

/** The device key's bytes: base64 or bytes as given, or the JWK's coordinates when `jwk` matches it. */
function keyBytes(input: DevicePublicKeyInput, jwk: (k: JsonWebKey) => Buffer): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'base64');
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return jwk(input);
}

function p256Point(input: DevicePublicKeyInput): Buffer {
  const point = keyBytes(input, (k) => {
    if (k.kty !== 'EC' || k.crv !== 'P-256' || typeof k.x !== 'string' || typeof k.y !== 'string') {
      throw new KeyUnwrapError(INVALID_P256);
    }
    const x = Buffer.from(k.x, 'base64url');
    const y = Buffer.from(k.y, 'base64url');
    if (x.length !== 32 || y.length !== 32) throw new KeyUnwrapError(INVALID_P256);
    return Buffer.concat([Buffer.from([4]), x, y]);
  });
  // the points Node's WebCrypto raw import takes: uncompressed, or compressed
  const uncompressed = point.length === 65 && point[0] === 4;
  const compressed = point.length === 33 && (point[0] === 2 || point[0] === 3);
  if (!uncompressed && !compressed) throw new KeyUnwrapError(INVALID_P256);
  return point;
}

/**
 * The device's X25519 public key as a KeyObject: 32 bytes, in the canonical encoding every
 * engine produces (top bit clear, u < 2^255 − 19).
 */
function x25519Key(input: DevicePublicKeyInput): KeyObject {
  const u = keyBytes(input, (k) => {
    if (k.kty !== 'OKP' || k.crv !== 'X25519' || typeof k.x !== 'string') {
      throw new KeyUnwrapError(INVALID_X25519);
    }
    return Buffer.from(k.x, 'base64url');
  });
  if (u.length !== 32 || u[31]! > 0x7f || nonCanonical(u)) throw new KeyUnwrapError(INVALID_X25519);
  return withoutStackTraces(() =>
    createPublicKey({ key: u, format: 'raw-public', asymmetricKeyType: 'x25519' }),
  );
}

/**
 * Runs `fn` (synchronous) with no stack traces captured for errors thrown inside it. For
 * createPublicKey: it first probes its argument for being a KeyObject and then a CryptoKey, each
 * probe a private-field check that throws and is caught inside Node, and capturing those two
 * TypeErrors' stack traces is ~13 µs of the ~18 µs the import costs (profile of first launches,
 * bench/profile-launch.ts). The limit is restored before anything else can run; where it cannot
 * be changed (frozen intrinsics) `fn` just runs. Errors from `fn` are replaced by KeyUnwrapError
 * by the callers anyway, so nothing loses a stack it would show.
 */
function withoutStackTraces<T>(fn: () => T): T {
  const desc = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  if (!desc?.writable) return fn();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** u ≥ 2^255 − 19 (little-endian, top bit already clear): 0x7f, thirty 0xff, then ≥ 0xed. */
function nonCanonical(u: Buffer): boolean {
  if (u[31] !== 0x7f || u[0]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (u[i] !== 0xff) return false;
  return true;
}

/** Whether every byte is zero, in time independent of where a non-zero byte is. */
function allZero(bytes: Uint8Array): boolean {
  let any = 0;
  for (const b of bytes) any |= b;
  return any === 0;
}

/** A store ECDH key on one curve: its raw public key, and the shared secret with a device key. */
interface StoreKey {
  readonly public: Buffer;
  /** KeyUnwrapError when the device key is not a valid public key on this curve */
  secret(devicePublicKey: DevicePublicKeyInput): KeyObject;
}

function p256StoreKey(): StoreKey {
  const ecdh: ECDH = createECDH('prime256v1');
  return {
    public: ecdh.generateKeys(),
    secret(devicePublicKey) {
      const point = p256Point(devicePublicKey);
      try {
        // decodes the point with the on-curve check
        return createSecretKey(ecdh.computeSecret(point));
      } catch {
        throw new KeyUnwrapError(INVALID_P256);
      }
    },
  };
}

function x25519StoreKey(): StoreKey {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    public: publicKey.export({ format: 'raw-public' }),
    secret(devicePublicKey) {
      const device = x25519Key(devicePublicKey);
      let shared: Buffer;
      try {
        // OpenSSL refuses an all-zero result too; checked here as well, not left to it
        shared = diffieHellman({ privateKey, publicKey: device });
      } catch {
        throw new KeyUnwrapError(SMALL_ORDER_X25519);
      }
      if (allZero(shared)) throw new KeyUnwrapError(SMALL_ORDER_X25519);
      return createSecretKey(shared);
    },
  };
}

function storeKey(curve: DeviceKeyCurve): StoreKey {
  if (curve === 'X25519') return x25519StoreKey();
  if (curve === 'P-256') return p256StoreKey();
  throw new KeyUnwrapError(`unknown device key curve ${String(curve)} (X25519 or P-256)`);
}

/** ECDH of a store key with a device public key; KeyUnwrapError (naming the curve) when it is not a valid key. */
function sharedSecret(
  store: StoreKey,
  devicePublicKey: DevicePublicKeyInput,
  curve: DeviceKeyCurve,
): KeyObject {
  try {
    return store.secret(devicePublicKey);
  } catch (e) {
    throw e instanceof KeyUnwrapError ? e : new KeyUnwrapError(invalidDeviceKey(curve));
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
  info: Uint8Array,
  storePublic: Buffer,
  storePublicB64: string,
  dataKey: Uint8Array,
): DeviceWrappedKey {
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  const fresh = freshBytes(28);
  const salt = fresh.subarray(0, 16);
  const iv = fresh.subarray(16);
  const wrapKey = createSecretKey(new Uint8Array(hkdfSync('sha256', shared, salt, info, 32)));
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

/**
 * Store side, Node only: re-wraps a raw data key for one device public key on `curve` (default
 * P-256) with a fresh store key (see wrap.ts).
 */
export function rewrapDataKeyForDeviceNode(
  dataKey: Uint8Array,
  devicePublicKey: DevicePublicKeyInput,
  curve: DeviceKeyCurve = 'P-256',
): DeviceWrappedKey {
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  const store = storeKey(curve);
  const shared = sharedSecret(store, devicePublicKey, curve);
  return wrapWith(shared, deviceInfo(curve), store.public, store.public.toString('base64'), dataKey);
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

/** One curve's semi-static store key and its rotation counters. */
interface Slot {
  key: StoreKey;
  publicB64: string;
  info: Uint8Array;
  bornAt: number;
  uses: number;
}

/**
 * Store side, Node only: re-wraps data keys for device keys under a semi-static, in-memory store
 * ECDH key pair per curve (X25519 and P-256), each replaced after `rotateAfterMs` or
 * `rotateAfterUses` devices on it, whichever comes first (construction and its security
 * argument at the top of this file).
 */
export class DeviceKeyWrapper {
  readonly #rotateAfterMs: number;
  readonly #rotateAfterUses: number;
  readonly #now: () => number;
  readonly #slots = new Map<DeviceKeyCurve, Slot>();

  constructor(options: DeviceKeyWrapperOptions = {}) {
    this.#rotateAfterMs = options.rotateAfterMs ?? 30_000;
    this.#rotateAfterUses = options.rotateAfterUses ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#rotateAfterMs > 0) || !(this.#rotateAfterUses >= 1)) {
      throw new RangeError('rotateAfterMs must be > 0 and rotateAfterUses ≥ 1');
    }
    this.rotate();
  }

  /** Replaces the store key pairs (of `curve`, default both) now; the old private keys are dropped. */
  rotate(curve?: DeviceKeyCurve): void {
    for (const c of curve ? [curve] : (['X25519', 'P-256'] as const)) {
      const key = storeKey(c);
      this.#slots.set(c, {
        key,
        publicB64: key.public.toString('base64'),
        info: deviceInfo(c),
        bornAt: this.#now(),
        uses: 0,
      });
    }
  }

  /**
   * The current store public key on `curve` (default P-256; raw, base64): what wraps carry as
   * ephemeralPublicKey.
   */
  publicKey(curve: DeviceKeyCurve = 'P-256'): string {
    return this.#slot(curve).publicB64;
  }

  #slot(curve: DeviceKeyCurve): Slot {
    const slot = this.#slots.get(curve);
    if (!slot) throw new KeyUnwrapError(`unknown device key curve ${String(curve)} (X25519 or P-256)`);
    return slot;
  }

  /**
   * One ECDH with this device key under the current store key of its curve (default P-256);
   * every data key of the launch is then wrapped from it. Throws KeyUnwrapError when the device
   * key is not a valid public key on that curve (or, X25519, is of small order).
   */
  forDevice(devicePublicKey: DevicePublicKeyInput, curve: DeviceKeyCurve = 'P-256'): DeviceWrapSession {
    let slot = this.#slot(curve);
    if (slot.uses >= this.#rotateAfterUses || this.#now() - slot.bornAt >= this.#rotateAfterMs) {
      this.rotate(curve);
      slot = this.#slot(curve);
    }
    const shared = sharedSecret(slot.key, devicePublicKey, curve);
    slot.uses++;
    const { key, publicB64, info } = slot;
    return { wrap: (dataKey) => wrapWith(shared, info, key.public, publicB64, dataKey) };
  }

  /** forDevice(devicePublicKey, curve).wrap(dataKey) */
  wrap(
    dataKey: Uint8Array,
    devicePublicKey: DevicePublicKeyInput,
    curve: DeviceKeyCurve = 'P-256',
  ): DeviceWrappedKey {
    return this.forDevice(devicePublicKey, curve).wrap(dataKey);
  }
}
