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

export class RedisNonceStore implements NonceStore {
  readonly #redis: Redis;
  constructor(redis: Redis) {
    this.#redis = redis;
  }
  async reserve(sdkKey: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    if (this.#redis.status !== 'ready') throw new NonceStoreUnavailable(`redis is ${this.#redis.status}`);
    try {
      const r = await this.#redis.set(`tessera:nonce:${sdkKey}:${nonce}`, '1', 'EX', ttlSeconds, 'NX');
      return r === 'OK';
    } catch (e) {
      throw new NonceStoreUnavailable(e);
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
