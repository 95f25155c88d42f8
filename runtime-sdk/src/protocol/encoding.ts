// Small byte helpers shared by the protocol module. WebCrypto and TextEncoder only,
// so this runs unchanged in browsers, workers and Node. Hex, UTF-8 and SHA-256 are the package
// module's (one copy in the browser bundle).
import { sha256Hex as sha256HexOfBytes, toBase64, toHex, utf8 } from '../package/bytes.ts';

export { toHex, utf8 };

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const b64 = text.replaceAll('-', '+').replaceAll('_', '/');
  try {
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export function sha256Hex(data: Uint8Array | string): Promise<string> {
  return sha256HexOfBytes(typeof data === 'string' ? utf8(data) : data);
}

/** Constant-time comparison of two equal-length strings (signatures, tokens). */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
