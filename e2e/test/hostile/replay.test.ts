// Hostile network: an attacker who captured signed requests replays them after the store's
// replay-protection state was lost. Real PostgreSQL, a real redis-server restarted without
// persistence (every nonce gone), and a store process restarted with the in-process nonce map.

import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import { makeTenant, signedFetch, type TenantFixture } from '../store/fixtures.ts';

/** Short allowance so the test does not wait 30 s; the policy is the same for any value. */
const CLOCK_AHEAD_SECONDS = 3;

let pg: PostgresServer;
let redis: RedisServer;
let state: ReleaseState;
let tenant: TenantFixture;
const stores: Store[] = [];

const open = async (redisUrl: string | undefined) => {
  const s = await startStore({
    databaseUrl: pg.url,
    redisUrl,
    state,
    replayClockAheadSeconds: CLOCK_AHEAD_SECONDS,
    webhookIntervalMs: 0,
    logger: pino({ level: 'silent' }),
  });
  stores.push(s);
  return s;
};

/** A captured request: the exact headers and body a host app sent. */
interface Captured {
  headers: Record<string, string>;
  body: string;
}

const mint = async (store: Store, extra: { timestamp?: number } = {}) => {
  const body = { userId: 'victim', ttlSeconds: 600 };
  const r = await signedFetch(store.url, tenant, 'POST', '/v1/sessions', body, extra);
  const captured: Captured = { headers: r.headers, body: JSON.stringify(body) };
  return { response: r.response, captured };
};

const replay = async (store: Store, c: Captured) => {
  const r = await fetch(`${store.url}/v1/sessions`, {
    method: 'POST',
    headers: { ...c.headers, 'content-type': 'application/json' },
    body: c.body,
  });
  const problem = r.ok ? undefined : ((await r.json()) as { code: string; detail: string });
  return {
    status: r.status,
    code: problem?.code,
    detail: problem?.detail,
    retryAfter: r.headers.get('retry-after'),
  };
};

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until a freshly signed request is answered with something other than `unavailable`. */
async function untilReachable(store: Store) {
  for (let i = 0; i < 100; i++) {
    const { response } = await mint(store);
    const code = response.ok ? '' : ((await response.json()) as { code: string }).code;
    if (code !== 'replay-protection-unavailable') return;
    await sleep(100);
  }
  throw new Error('the store did not reconnect to Redis');
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  state = new ReleaseState();
  tenant = await makeTenant(state, 'replayed', 'tessera-replayed');
});

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  await Promise.all([pg?.destroy(), redis?.destroy()]);
});

describe('replayed signed requests after the nonce store lost its state', () => {
  it('Redis restarted without persistence: captured requests stay refused on every replica', async () => {
    const a = await open(redis.url);
    // the first epoch a deployment sees has no floor: requests are accepted at once
    const first = await mint(a);
    expect(first.response.status).toBe(201);
    // a request signed slightly ahead of the server clock (within the allowance) is accepted too
    const ahead = await mint(a, { timestamp: nowSeconds() + CLOCK_AHEAD_SECONDS - 1 });
    expect(ahead.response.status).toBe(201);
    expect((await replay(a, first.captured)).code).toBe('nonce-replayed');
    // captured too, replayed only on the second replica below
    const second = await mint(a);
    expect(second.response.status).toBe(201);

    await redis.stop();
    await redis.start(); // empty: --save '' --appendonly no
    await untilReachable(a);

    // the captured requests are inside the 300 s window and their nonces are gone from Redis
    const again = await replay(a, first.captured);
    expect(again.status).toBe(401);
    expect(again.code).toBe('signed-before-replay-reset');
    expect(again.detail).toMatch(/sign it again with the current time and a fresh nonce/);
    const aheadAgain = await replay(a, ahead.captured);
    expect(aheadAgain.status).not.toBe(201);
    expect([401, 503]).toContain(aheadAgain.status);

    // a second replica that starts after the reset applies the same floor
    const b = await open(redis.url);
    expect((await replay(b, second.captured)).code).toBe('signed-before-replay-reset');

    // fresh requests wait for the allowance to pass (503 + Retry-After), then go through
    const during = await mint(a);
    if (during.response.status === 503) {
      expect(((await during.response.json()) as { code: string }).code).toBe('replay-protection-resetting');
      expect(Number(during.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    await sleep((CLOCK_AHEAD_SECONDS + 1) * 1000);
    const fresh = await mint(a);
    expect(fresh.response.status).toBe(201);
    expect((await mint(b)).response.status).toBe(201);

    // after the allowance, the captured requests are still refused, on both replicas (their
    // nonces were reserved again in the new epoch by the refused replays above, if not before)
    for (const s of [a, b]) {
      for (const c of [first.captured, ahead.captured, second.captured]) {
        const r = await replay(s, c);
        expect(r.status).toBe(401);
        expect(['signed-before-replay-reset', 'nonce-replayed']).toContain(r.code);
      }
    }
    // and the new epoch reserves nonces as before
    expect((await replay(a, fresh.captured)).code).toBe('nonce-replayed');
    expect((await replay(b, fresh.captured)).code).toBe('nonce-replayed');
  });

  it('refuses timestamps further ahead of the server clock than the allowance', async () => {
    const a = await open(redis.url);
    const r = await mint(a, { timestamp: nowSeconds() + CLOCK_AHEAD_SECONDS + 5 });
    expect(r.response.status).toBe(401);
    const p = (await r.response.json()) as { code: string; detail: string };
    expect(p.code).toBe('signature-timestamp-ahead');
    expect(p.detail).toMatch(/ahead of the server clock \(at most 3 s allowed\); sync the clock/);
  });

  it('store restarted with the in-process nonce map: a captured request stays refused', async () => {
    const before = await open(undefined);
    // this database has seen the Redis epochs above: a new process is a reset, with its floor
    await sleep((CLOCK_AHEAD_SECONDS + 1) * 1000);
    const captured = await mint(before);
    expect(captured.response.status).toBe(201);
    expect((await replay(before, captured.captured)).code).toBe('nonce-replayed');
    await before.close();
    const after = await open(undefined);
    const r = await replay(after, captured.captured);
    expect(r.status).toBe(401);
    expect(r.code).toBe('signed-before-replay-reset');
  });
});
