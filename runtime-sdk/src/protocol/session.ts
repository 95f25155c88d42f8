// Short-lived session tokens for web host apps. The host app's backend calls
// POST /v1/sessions (HMAC-signed with its sdkSecret); the browser then sends
// `Authorization: Bearer <token>` instead of signing requests itself (it must never hold
// the sdkSecret). Tokens are stateless: `tst1.<base64url(JSON payload)>.<hex HMAC>`, keyed
// with the host app's sdkSecret, so every store replica can verify them.

import * as z from 'zod/mini';
import { fromBase64Url, timingSafeEqualString, toBase64Url, utf8 } from './encoding.ts';
import { text } from './schema-helpers.ts';
import { hmacHex } from './signing.ts';

export const SESSION_TOKEN_PREFIX = 'tst1';
export const SESSION_MAX_TTL_SECONDS = 3600;

export const SessionRequestSchema = z.strictObject({
  userId: z.optional(text(256, 1)),
  ttlSeconds: z._default(z.int().check(z.gte(30), z.lte(SESSION_MAX_TTL_SECONDS)), 600),
});
export type SessionRequest = z.input<typeof SessionRequestSchema>;

export const SessionResponseSchema = z.strictObject({
  token: z.string(),
  expiresAt: z.string(),
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

export const SessionPayloadSchema = z.strictObject({
  key: text(128, 1),
  sub: z.optional(text(256)),
  iat: z.int(),
  exp: z.int(),
});
export type SessionPayload = z.infer<typeof SessionPayloadSchema>;

export async function mintSessionToken(payload: SessionPayload, key: CryptoKey): Promise<string> {
  const body = toBase64Url(utf8(JSON.stringify(payload)));
  const sig = await hmacHex(key, `${SESSION_TOKEN_PREFIX}.${body}`);
  return `${SESSION_TOKEN_PREFIX}.${body}.${sig}`;
}

/** Reads the payload WITHOUT verifying it (to find which key verifies it). */
export function peekSessionToken(token: string): SessionPayload | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== SESSION_TOKEN_PREFIX || !parts[1] || parts[1].length > 2048)
    return null;
  const raw = fromBase64Url(parts[1]);
  if (!raw) return null;
  try {
    const parsed = SessionPayloadSchema.safeParse(JSON.parse(new TextDecoder().decode(raw)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function verifySessionToken(
  token: string,
  key: CryptoKey,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<SessionPayload | null> {
  const payload = peekSessionToken(token);
  if (!payload) return null;
  const [prefix, body, sig] = token.split('.');
  const expected = await hmacHex(key, `${prefix}.${body}`);
  if (!sig || !timingSafeEqualString(expected, sig)) return null;
  if (payload.exp <= nowSeconds || payload.exp - payload.iat > SESSION_MAX_TTL_SECONDS) return null;
  return payload;
}
