// Host-app authentication for device-facing routes: either an HMAC-signed request (sdkKey +
// sdkSecret, 5-minute window, nonce used once) or a session token minted for web host apps.

import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  parseSignatureHeaders,
  peekSessionToken,
  SIGNATURE_WINDOW_SECONDS,
  verifyRequestSignature,
  verifySessionToken,
} from '@tessera/runtime-sdk/protocol';
import type { StoreContext } from '../context.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { CredentialEntry } from '../release/state.ts';
import { checkOrigin } from './host-binding.ts';
import { NonceStoreUnavailable } from './nonces.ts';
import type { EpochFloor } from './replay-epochs.ts';

export interface HostAppPrincipal {
  tenant: string;
  namespace: string;
  hostApp: string;
  sdkKey: string;
  via: 'hmac' | 'session';
  /** user id bound into a session token */
  sessionUser?: string | undefined;
  credentials: CredentialEntry;
}

export function bodySha256(body: Buffer): string {
  return hash('sha256', body, 'hex');
}

export async function authenticateHostApp(
  ctx: StoreContext,
  req: IncomingMessage,
  rawPath: string,
  body: Buffer,
  options: { allowSession: boolean },
): Promise<HostAppPrincipal> {
  const who = await authenticate(ctx, req, rawPath, body, options);
  checkOrigin(ctx, req, who);
  if (!(await ctx.rateLimiter.allow(who.sdkKey, ctx.rateLimitPerSecond, ctx.now()))) {
    throw new HttpProblem(
      429,
      'rate-limited',
      `host app ${who.hostApp} is over ${ctx.rateLimitPerSecond} requests per second`,
      {
        headers: { 'retry-after': '1' },
      },
    );
  }
  return who;
}

async function authenticate(
  ctx: StoreContext,
  req: IncomingMessage,
  rawPath: string,
  body: Buffer,
  options: { allowSession: boolean },
): Promise<HostAppPrincipal> {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer tst1.')) {
    if (!options.allowSession) {
      throw problems.unauthorized(
        'session-not-allowed',
        'this route needs an HMAC-signed request, not a session token',
      );
    }
    const token = auth.slice(7);
    const peek = peekSessionToken(token);
    const creds = peek ? ctx.state.credentials(peek.key) : undefined;
    const payload = creds ? await verifySessionToken(token, creds.key, Math.floor(ctx.now() / 1000)) : null;
    if (!creds || !payload)
      throw problems.unauthorized(
        'invalid-session',
        'the session token is invalid or expired; mint a new one',
      );
    refuseExpired(ctx, creds);
    return { ...principal(creds, 'session'), sessionUser: payload.sub };
  }
  const parsed = parseSignatureHeaders((n) => {
    const v = req.headers[n];
    return typeof v === 'string' ? v : undefined;
  });
  if (!parsed.ok) {
    throw problems.unauthorized(
      `signature-${parsed.reason}`,
      parsed.reason === 'missing-headers'
        ? 'sign the request (x-tessera-key, x-tessera-timestamp, x-tessera-nonce, x-tessera-signature) or send a session token'
        : `the request signature headers are malformed (${parsed.reason})`,
    );
  }
  const creds = ctx.state.credentials(parsed.value.key);
  if (!creds)
    throw problems.unauthorized(
      'unknown-key',
      'the sdkKey is not known; check the host app credentials Secret',
    );
  const nowSeconds = Math.floor(ctx.now() / 1000);
  const verdict = await verifyRequestSignature({
    method: req.method ?? 'GET',
    path: rawPath,
    headers: parsed.value,
    bodySha256: bodySha256(body),
    key: creds.hmac,
    now: nowSeconds,
  });
  if (verdict.ok && parsed.value.timestamp > nowSeconds + ctx.replay.clockAheadSeconds) {
    throw problems.unauthorized(
      'signature-timestamp-ahead',
      `the request timestamp is ${parsed.value.timestamp - nowSeconds} s ahead of the server clock (at most ${ctx.replay.clockAheadSeconds} s allowed); sync the clock and sign again`,
    );
  }
  if (!verdict.ok) {
    throw problems.unauthorized(
      `signature-${verdict.reason}`,
      verdict.reason === 'timestamp-outside-window'
        ? `the request timestamp is more than ${SIGNATURE_WINDOW_SECONDS} s from the server clock; sync the clock and sign again`
        : 'the request signature does not match; sign method, path with query, timestamp, nonce and body SHA-256 with the sdkSecret',
    );
  }
  // only a caller who knows the secret learns that the pair expired
  refuseExpired(ctx, creds);
  await checkReplay(ctx, creds.sdkKey, parsed.value.nonce, parsed.value.timestamp);
  return principal(creds, 'hmac');
}

/** A previous sdkKey/sdkSecret pair is refused once its grace period after a rotation ended. */
function refuseExpired(ctx: StoreContext, c: CredentialEntry): void {
  if (c.expiresAt === undefined || ctx.now() < c.expiresAt) return;
  throw problems.unauthorized(
    'credentials-expired',
    `this sdkKey was rotated out of HostApp ${c.namespace}/${c.hostApp} and its grace period ended at ${new Date(c.expiresAt).toISOString()}; use the current sdkKey and sdkSecret from the credentials Secret`,
  );
}

function principal(c: CredentialEntry, via: 'hmac' | 'session'): HostAppPrincipal {
  return {
    tenant: c.tenant,
    namespace: c.namespace,
    hostApp: c.hostApp,
    sdkKey: c.sdkKey,
    via,
    credentials: c,
  };
}

/**
 * Reserves the nonce, and refuses requests the nonce store cannot vouch for: a nonce seen
 * before, or a request signed before the floor of the store's epoch (replay-epochs.ts).
 */
async function checkReplay(
  ctx: StoreContext,
  sdkKey: string,
  nonce: string,
  timestamp: number,
): Promise<void> {
  let floor: EpochFloor;
  let fresh: boolean;
  try {
    const r = await ctx.nonces.reserve(sdkKey, nonce, 2 * SIGNATURE_WINDOW_SECONDS);
    fresh = r.fresh;
    const f = ctx.replay.floor(r.epoch);
    floor = f instanceof Promise ? await f : f;
  } catch (e) {
    if (!(e instanceof NonceStoreUnavailable)) ctx.log.warn({ err: String(e) }, 'replay epoch unknown');
    throw new HttpProblem(
      503,
      'replay-protection-unavailable',
      'replay protection is unavailable; retry shortly',
      {
        headers: { 'retry-after': '2' },
      },
    );
  }
  if (!fresh)
    throw problems.unauthorized(
      'nonce-replayed',
      'this nonce was already used; use a fresh nonce per request',
    );
  const signedMs = timestamp * 1000;
  if (signedMs >= floor.floorMs) return;
  const reset = new Date(floor.startMs).toISOString();
  const until = new Date(floor.floorMs).toISOString();
  // a request the reset may have let through, or one that would wait in vain for the floor
  if (signedMs < floor.startMs || ctx.now() >= floor.floorMs) {
    throw problems.unauthorized(
      'signed-before-replay-reset',
      `the request was signed at ${new Date(signedMs).toISOString()}, before ${until}: the replay-protection store was reset at ${reset} and cannot tell whether it was accepted before; sign it again with the current time and a fresh nonce`,
    );
  }
  // signed after the reset, but requests accepted before it may carry timestamps up to here
  const wait = Math.max(1, Math.ceil((floor.floorMs - ctx.now()) / 1000));
  throw new HttpProblem(
    503,
    'replay-protection-resetting',
    `the replay-protection store was reset at ${reset}; requests signed before ${until} are refused; sign again in ${wait} s`,
    { headers: { 'retry-after': String(wait) } },
  );
}
