// Replay protection for signed requests: a nonce may be used once per key within the signing
// window. Redis (SET NX EX) when configured — shared by all replicas; an in-process map only
// when no Redis URL is given (single replica).
//
// Redis down: launch FAILS CLOSED (503 + Retry-After) — accepting unsigned-replay risk silently
// would defeat the check. That is the documented policy.
//
// Losing the reserved nonces (Redis restarted without persistence, flushed, failed over to an
// empty replica; the store process restarted with the in-process map) would let a request
// accepted before be accepted again inside its window. Every reservation therefore also returns
// the store's *epoch*: an id created when the nonce store starts empty (a Redis key without TTL,
// set NX by the same script that reserves the nonces, so it costs no extra round trip; the
// process start for the in-process map). A new epoch means the nonces reserved before are gone;
// replay-epochs.ts turns it into a floor for the signing time of the requests still accepted.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Reservation {
  /** the nonce was unused (and is now reserved) */
  fresh: boolean;
  /** the epoch of the nonce store that made the reservation (newEpochId format) */
  epoch: string;
}

export interface NonceStore {
  /** throws NonceStoreUnavailable when the store is unavailable */
  reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<Reservation>;
  healthy(): Promise<boolean>;
}

/** `<start, ms since the Unix epoch>.<random>`: ordered by start, unique across resets. */
export function newEpochId(startMs: number): string {
  return `${startMs}.${randomBytes(8).toString('hex')}`;
}

/** The start time (ms) of an epoch id; NaN when the id is not one. */
export function epochStart(epoch: string): number {
  return /^[0-9]{1,15}\.[0-9a-f]{16}$/.test(epoch) ? Number(epoch.slice(0, epoch.indexOf('.'))) : Number.NaN;
}

export const EPOCH_KEY = 'tessera:replay-epoch';

export class NonceStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`replay-protection store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NonceStoreUnavailable';
  }
}

// One round trip for every nonce reserved in the same event-loop turn: SET NX EX per key inside
// one script call (cheaper for the store's CPU than one pipelined command per request).
// KEYS[1] is the epoch key (no TTL: it lives exactly as long as the nonces' data set), ARGV[2]
// the epoch id to create when it is absent. Answer: the epoch, then 1/0 per nonce.
const RESERVE_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[2])
  epoch = ARGV[2]
end
local out = { epoch }
for i = 2, #KEYS do
  out[i] = redis.call('SET', KEYS[i], '1', 'EX', ARGV[1], 'NX') and 1 or 0
end
return out`;

interface PendingReservation {
  key: string;
  ttlSeconds: number;
  resolve(r: Reservation): void;
  reject(e: unknown): void;
}

type ReservingRedis = Redis & {
  tesseraReserveNonces(...args: (string | number)[]): Promise<[string, ...number[]]>;
};

export class RedisNonceStore implements NonceStore {
  readonly #redis: ReservingRedis;
  #pending: PendingReservation[] = [];

  constructor(redis: Redis) {
    if (!('tesseraReserveNonces' in redis)) {
      redis.defineCommand('tesseraReserveNonces', { lua: RESERVE_SCRIPT });
    }
    this.#redis = redis as ReservingRedis;
  }

  reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<Reservation> {
    if (this.#redis.status !== 'ready') {
      return Promise.reject(new NonceStoreUnavailable(`redis is ${this.#redis.status}`));
    }
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({ key: `tessera:nonce:${sdkKey}:${nonce}`, ttlSeconds, resolve, reject });
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    // one script call per TTL (in practice there is one TTL)
    const byTtl = new Map<number, PendingReservation[]>();
    for (const r of batch) {
      const list = byTtl.get(r.ttlSeconds);
      if (list) list.push(r);
      else byTtl.set(r.ttlSeconds, [r]);
    }
    for (const [ttl, list] of byTtl) {
      const keys = [EPOCH_KEY, ...list.map((r) => r.key)];
      this.#redis.tesseraReserveNonces(keys.length, ...keys, ttl, newEpochId(Date.now())).then(
        ([epoch, ...fresh]) => {
          for (const [i, r] of list.entries()) r.resolve({ fresh: fresh[i] === 1, epoch: String(epoch) });
        },
        (e: unknown) => {
          const err = new NonceStoreUnavailable(e);
          for (const r of list) r.reject(err);
        },
      );
    }
  }

  async healthy(): Promise<boolean> {
    return this.#redis.status === 'ready';
  }
}

export class MemoryNonceStore implements NonceStore {
  readonly #seen = new Map<string, number>();
  /** the map starts empty with the process: a new epoch */
  readonly #epoch = newEpochId(Date.now());
  #lastSweep = 0;
  async reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<Reservation> {
    const now = Date.now();
    if (now - this.#lastSweep > 10_000) {
      for (const [k, exp] of this.#seen) if (exp <= now) this.#seen.delete(k);
      this.#lastSweep = now;
    }
    const key = `${sdkKey}:${nonce}`;
    const exp = this.#seen.get(key);
    if (exp !== undefined && exp > now) return { fresh: false, epoch: this.#epoch };
    this.#seen.set(key, now + ttlSeconds * 1000);
    return { fresh: true, epoch: this.#epoch };
  }
  async healthy(): Promise<boolean> {
    return true;
  }
}
