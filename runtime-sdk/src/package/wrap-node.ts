// Node-only form of rewrapDataKeyForDevice (wrap.ts), for the store's launch path: the same
// ECDH P-256 → HKDF-SHA256 → AES-256-GCM construction and output, computed synchronously with
// node:crypto. Node's WebCrypto runs each of the seven subtle calls of the portable version as
// a separate thread-pool job with its own promise and key objects, which costs the store about
// twice the CPU per launch (measured by services/store/bench). Browsers never load this file.

import { createCipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { fromBase64 } from './bytes.ts';
import { KeyUnwrapError } from './errors.ts';
import { DEVICE_INFO, type DevicePublicKeyInput, type DeviceWrappedKey } from './wrap.ts';

const INVALID_DEVICE_KEY = 'device public key is not a valid ECDH P-256 key (JWK or raw uncompressed point)';

function devicePoint(input: DevicePublicKeyInput): Uint8Array {
  if (typeof input === 'string') return fromBase64(input);
  if (input instanceof Uint8Array) return input;
  if (
    input.kty !== 'EC' ||
    input.crv !== 'P-256' ||
    typeof input.x !== 'string' ||
    typeof input.y !== 'string'
  ) {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
  const x = fromBase64(input.x);
  const y = fromBase64(input.y);
  if (x.length !== 32 || y.length !== 32) throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(x, 1);
  point.set(y, 33);
  return point;
}

/** Store side, Node only: re-wraps a raw data key for one device public key (see wrap.ts). */
export function rewrapDataKeyForDeviceNode(
  dataKey: Uint8Array,
  devicePublicKey: DevicePublicKeyInput,
): DeviceWrappedKey {
  if (dataKey.length !== 32) throw new KeyUnwrapError(`data key must be 32 bytes, got ${dataKey.length}`);
  let point: Uint8Array;
  try {
    point = devicePoint(devicePublicKey);
  } catch {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
  // the points Node's WebCrypto raw import takes: uncompressed, or compressed
  const uncompressed = point.length === 65 && point[0] === 4;
  const compressed = point.length === 33 && (point[0] === 2 || point[0] === 3);
  if (!uncompressed && !compressed) throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  const eph = createECDH('prime256v1');
  const ephRaw = eph.generateKeys();
  let shared: Buffer;
  try {
    // validates that the point is on the curve
    shared = eph.computeSecret(point);
  } catch {
    throw new KeyUnwrapError(INVALID_DEVICE_KEY);
  }
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrapKey = Buffer.from(hkdfSync('sha256', shared, salt, DEVICE_INFO, 32));
  const cipher = createCipheriv('aes-256-gcm', wrapKey, iv);
  cipher.setAAD(ephRaw);
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return {
    ephemeralPublicKey: ephRaw.toString('base64'),
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    ciphertext: ct.toString('base64'),
  };
}
