// Exponential backoff with optional full jitter, for watch restarts and API retries.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
  /** 0 = none, 1 = delay drawn uniformly from [delay/2, delay]. */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #o: Required<BackoffOptions>;
  constructor(options: BackoffOptions) {
    this.#o = { factor: 2, jitter: 0, random: Math.random, ...options };
  }
  /** Delay for the next attempt; each call grows the delay until maxMs. */
  next(): number {
    const raw = Math.min(this.#o.maxMs, this.#o.initialMs * this.#o.factor ** this.#attempt);
    this.#attempt++;
    if (!this.#o.jitter) return raw;
    return raw * (1 - (this.#o.jitter / 2) * this.#o.random());
  }
  reset(): void {
    this.#attempt = 0;
  }
  get attempts(): number {
    return this.#attempt;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
