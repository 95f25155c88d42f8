// HMAC-SHA256 request signing between host apps and the store.
//
// Canonical string (lines joined with "\n", no trailing newline):
//   TESSERA-HMAC-SHA256
//   <METHOD upper case>
//   <path including the query string, exactly as sent on the wire: sign
//    `new URL(url).pathname + new URL(url).search`, since fetch re-encodes characters such as '>
//   <timestamp: unix seconds, decimal>
//   <nonce: 16–64 chars of [A-Za-z0-9_-]>
//   <hex SHA-256 of the raw body bytes (of the empty string when there is no body)>
// Signature: lower-case hex HMAC-SHA256(sdkSecret, canonical string).
// Headers: x-tessera-key, x-tessera-timestamp, x-tessera-nonce, x-tessera-signature.
// The store accepts timestamps within ±300 s and rejects a nonce seen before within that window.

import { sha256Hex, timingSafeEqualString, toBase64Url, toHex, utf8 } from './encoding.ts';

export const SIGNING_ALGORITHM = 'TESSERA-HMAC-SHA256';
export const SIGNATURE_WINDOW_SECONDS = 300;
export const HEADER_KEY = 'x-tessera-key';
export const HEADER_TIMESTAMP = 'x-tessera-timestamp';
export const HEADER_NONCE = 'x-tessera-nonce';
export const HEADER_SIGNATURE = 'x-tessera-signature';

const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;
const TIMESTAMP_RE = /^[0-9]{1,12}$/;
const SIGNATURE_RE = /^[0-9a-f]{64}$/;

export interface CanonicalRequest {
  method: string;
  path: string;
  timestamp: number;
  nonce: string;
  bodySha256: string;
}

export function canonicalRequestString(req: CanonicalRequest): string {
  return [
    SIGNING_ALGORITHM,
    req.method.toUpperCase(),
    req.path,
    String(req.timestamp),
    req.nonce,
    req.bodySha256,
  ].join('\n');
}

export function newNonce(): string {
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(18)));
}

/** Imports an sdkSecret as an HMAC key. Callers that sign often should keep the key. */
export function importHmacKey(secret: string): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  const sig = await globalThis.crypto.subtle.sign('HMAC', key, utf8(message));
  return toHex(new Uint8Array(sig));
}

export interface SignRequestInput {
  method: string;
  path: string;
  body?: Uint8Array | string;
  sdkKey: string;
  sdkSecret: string | CryptoKey;
  /** unix seconds; defaults to now */
  timestamp?: number;
  nonce?: string;
}

/** Returns the four headers to send with the request. */
export async function signRequest(input: SignRequestInput): Promise<Record<string, string>> {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = input.nonce ?? newNonce();
  const bodySha256 = await sha256Hex(input.body ?? '');
  const key = typeof input.sdkSecret === 'string' ? await importHmacKey(input.sdkSecret) : input.sdkSecret;
  const signature = await hmacHex(
    key,
    canonicalRequestString({ method: input.method, path: input.path, timestamp, nonce, bodySha256 }),
  );
  return {
    [HEADER_KEY]: input.sdkKey,
    [HEADER_TIMESTAMP]: String(timestamp),
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: signature,
  };
}

export type SignatureHeaders = { key: string; timestamp: number; nonce: string; signature: string };

export type SignatureFailure =
  | 'missing-headers'
  | 'malformed-timestamp'
  | 'malformed-nonce'
  | 'malformed-signature'
  | 'timestamp-outside-window'
  | 'bad-signature';

/** Parses the signature headers; `get` reads one header (lower-case name). */
export function parseSignatureHeaders(
  get: (name: string) => string | undefined,
): { ok: true; value: SignatureHeaders } | { ok: false; reason: SignatureFailure } {
  const key = get(HEADER_KEY);
  const ts = get(HEADER_TIMESTAMP);
  const nonce = get(HEADER_NONCE);
  const signature = get(HEADER_SIGNATURE);
  if (!key || !ts || !nonce || !signature) return { ok: false, reason: 'missing-headers' };
  if (!TIMESTAMP_RE.test(ts)) return { ok: false, reason: 'malformed-timestamp' };
  if (!NONCE_RE.test(nonce)) return { ok: false, reason: 'malformed-nonce' };
  if (!SIGNATURE_RE.test(signature)) return { ok: false, reason: 'malformed-signature' };
  return { ok: true, value: { key, timestamp: Number(ts), nonce, signature } };
}

export interface VerifyRequestInput {
  method: string;
  path: string;
  headers: SignatureHeaders;
  bodySha256: string;
  /**
   * the sdkSecret as an HMAC CryptoKey, or a function computing the hex HMAC-SHA256 of a message
   * (servers may pass a synchronous native implementation; the result must be identical)
   */
  key: CryptoKey | ((message: string) => string | Promise<string>);
  /** unix seconds; defaults to now */
  now?: number;
  windowSeconds?: number;
}

/**
 * Verifies window and signature. Nonce replay is the caller's job (it needs shared state):
 * reserve `headers.nonce` for 2 × window only after this returns ok.
 */
export async function verifyRequestSignature(
  input: VerifyRequestInput,
): Promise<{ ok: true } | { ok: false; reason: SignatureFailure }> {
  const now = input.now ?? Math.floor(Date.now() / 1000);
  const window = input.windowSeconds ?? SIGNATURE_WINDOW_SECONDS;
  if (Math.abs(now - input.headers.timestamp) > window)
    return { ok: false, reason: 'timestamp-outside-window' };
  const key = input.key;
  const sign = typeof key === 'function' ? key : (m: string) => hmacHex(key, m);
  const expected = await sign(
    canonicalRequestString({
      method: input.method,
      path: input.path,
      timestamp: input.headers.timestamp,
      nonce: input.headers.nonce,
      bodySha256: input.bodySha256,
    }),
  );
  return timingSafeEqualString(expected, input.headers.signature)
    ? { ok: true }
    : { ok: false, reason: 'bad-signature' };
}
