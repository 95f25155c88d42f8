// A keyed work queue with client-go semantics:
//  - a key is queued at most once (dirty set);
//  - a key being processed is never handed to a second worker; if it is added meanwhile it is
//    re-queued when the first worker calls done();
//  - addAfter() delays (keeping the earliest deadline per key), addRateLimited() delays by the
//    rate limiter, forget() resets a key's backoff.

import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface QueueMetrics {
  depth(n: number): void;
  added(): void;
  retried(): void;
  /** Time a key waited in the queue before a worker took it. */
  latency(seconds: number): void;
}

export class WorkQueue {
  readonly #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #addedAt = new Map<string, number>();
  readonly #waiting = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #getters: Array<(key: string | undefined) => void> = [];
  readonly #limiter: RateLimiter;
  readonly #metrics: QueueMetrics | undefined;
  #shuttingDown = false;
  #drained: (() => void) | undefined;

  constructor(options: { rateLimiter?: RateLimiter; metrics?: QueueMetrics } = {}) {
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.#metrics = options.metrics;
  }

  get length(): number {
    return this.#queue.length - this.#head;
  }

  get processingCount(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    this.#metrics?.added();
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  #push(key: string): void {
    this.#addedAt.set(key, performance.now());
    const getter = this.#getters.shift();
    if (getter) {
      this.#take(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
    this.#metrics?.depth(this.length);
  }

  #take(key: string): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
    const at = this.#addedAt.get(key);
    if (at !== undefined) {
      this.#metrics?.latency((performance.now() - at) / 1000);
      this.#addedAt.delete(key);
    }
  }

  /** Resolves with the next key, or undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.length > 0) {
      const key = this.#queue[this.#head] as string;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#take(key);
      this.#metrics?.depth(this.length);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
    else if (this.#shuttingDown && this.#processing.size === 0) this.#drained?.();
  }

  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const existing = this.#waiting.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#waiting.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#waiting.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.#metrics?.retried();
    this.addAfter(key, this.#limiter.when(key));
  }

  forget(key: string): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }

  /** Stop accepting keys, wake idle workers; resolves when in-flight keys are done. */
  shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    this.#waiting.clear();
    for (const g of this.#getters.splice(0)) g(undefined);
    this.#queue.length = 0;
    this.#head = 0;
    this.#dirty.clear();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }
}
