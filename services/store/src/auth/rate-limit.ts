// Per-host-app request rate limits (fixed one-second windows). With Redis the count is shared
// by every replica (INCR + EXPIRE, auto-pipelined with the nonce write); when Redis is down or
// absent the limit degrades to a per-replica count, which is the documented policy: a short
// Redis outage must not take launches down with it.

import type { Redis } from 'ioredis';

export interface RateLimiter {
  /** true when the request is within the limit */
  allow(key: string, limitPerSecond: number, now?: number): Promise<boolean>;
  readonly mode: () => 'shared' | 'per-replica';
}

class LocalWindow {
  #window = 0;
  readonly #counts = new Map<string, number>();
  hit(key: string, now: number): number {
    const w = Math.floor(now / 1000);
    if (w !== this.#window) {
      this.#window = w;
      this.#counts.clear();
    }
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, n);
    return n;
  }
}

export class MemoryRateLimiter implements RateLimiter {
  readonly #local = new LocalWindow();
  readonly mode = () => 'per-replica' as const;
  async allow(key: string, limit: number, now = Date.now()): Promise<boolean> {
    return this.#local.hit(key, now) <= limit;
  }
}

/**
 * Shared limit without a Redis round trip per request: each replica counts locally and every
 * `syncMs` adds its counts to the shared per-window counter (INCRBY) and reads back the total
 * of all replicas. A request is allowed while (last shared total + local unsynced) is within the
 * limit, so the shared limit may be overshot by at most one sync interval of traffic. While
 * Redis is unreachable the shared total stops updating and the limit is per replica.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #local = new LocalWindow();
  #window = 0;
  /** key → count not yet added to Redis, in the current window */
  readonly #unsynced = new Map<string, number>();
  /** key → shared total of all replicas at the last sync, in the current window */
  readonly #shared = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;
  #healthy = true;

  constructor(redis: Redis, syncMs = 100) {
    this.#redis = redis;
    this.#timer = setInterval(() => void this.#sync(), syncMs);
    this.#timer.unref();
  }

  readonly mode = () =>
    this.#healthy && this.#redis.status === 'ready' ? ('shared' as const) : ('per-replica' as const);

  async allow(key: string, limit: number, now = Date.now()): Promise<boolean> {
    const w = Math.floor(now / 1000);
    if (w !== this.#window) {
      this.#window = w;
      this.#unsynced.clear();
      this.#shared.clear();
    }
    const localCount = this.#local.hit(key, now);
    const unsynced = (this.#unsynced.get(key) ?? 0) + 1;
    this.#unsynced.set(key, unsynced);
    if (this.mode() === 'per-replica') return localCount <= limit;
    return (this.#shared.get(key) ?? 0) + unsynced <= limit;
  }

  async #sync(): Promise<void> {
    if (this.#unsynced.size === 0) return;
    if (this.#redis.status !== 'ready') {
      this.#healthy = false;
      return;
    }
    const window = this.#window;
    const batch = [...this.#unsynced];
    this.#unsynced.clear();
    try {
      const multi = this.#redis.multi();
      for (const [key, n] of batch) {
        const k = `tessera:rl:${key}:${window}`;
        multi.incrby(k, n).expire(k, 3);
      }
      const r = await multi.exec();
      this.#healthy = true;
      if (window !== this.#window) return;
      for (const [i, [key]] of batch.entries()) this.#shared.set(key, Number(r?.[i * 2]?.[1] ?? 0));
    } catch {
      this.#healthy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
