// Replay protection for signed requests: a nonce may be used once per key within the signing
// window. Redis (SET NX EX) when configured — shared by all replicas; an in-process map only
// when no Redis URL is given (single replica).
//
// Redis down: launch FAILS CLOSED (503 + Retry-After) — accepting unsigned-replay risk silently
// would defeat the check. That is the documented policy.

import type { Redis } from 'ioredis';

export interface NonceStore {
  /** true when the nonce was unused (and is now reserved); throws when the store is unavailable */
  reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<boolean>;
  healthy(): Promise<boolean>;
}

export class NonceStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`replay-protection store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NonceStoreUnavailable';
  }
}

// One round trip for every nonce reserved in the same event-loop turn: SET NX EX per key inside
// one script call (cheaper for the store's CPU than one pipelined command per request).
const RESERVE_SCRIPT = `
local fresh = {}
for i, key in ipairs(KEYS) do
  fresh[i] = redis.call('SET', key, '1', 'EX', ARGV[1], 'NX') and 1 or 0
end
return fresh`;

interface PendingReservation {
  key: string;
  ttlSeconds: number;
  resolve(fresh: boolean): void;
  reject(e: unknown): void;
}

type ReservingRedis = Redis & { tesseraReserveNonces(...args: (string | number)[]): Promise<number[]> };

export class RedisNonceStore implements NonceStore {
  readonly #redis: ReservingRedis;
  #pending: PendingReservation[] = [];

  constructor(redis: Redis) {
    if (!('tesseraReserveNonces' in redis)) {
      redis.defineCommand('tesseraReserveNonces', { lua: RESERVE_SCRIPT });
    }
    this.#redis = redis as ReservingRedis;
  }

  reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<boolean> {
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
      this.#redis.tesseraReserveNonces(list.length, ...list.map((r) => r.key), ttl).then(
        (fresh) => {
          for (const [i, r] of list.entries()) r.resolve(fresh[i] === 1);
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
  #lastSweep = 0;
  async reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    if (now - this.#lastSweep > 10_000) {
      for (const [k, exp] of this.#seen) if (exp <= now) this.#seen.delete(k);
      this.#lastSweep = now;
    }
    const key = `${sdkKey}:${nonce}`;
    const exp = this.#seen.get(key);
    if (exp !== undefined && exp > now) return false;
    this.#seen.set(key, now + ttlSeconds * 1000);
    return true;
  }
  async healthy(): Promise<boolean> {
    return true;
  }
}
