// A small bounded map with least-recently-set eviction and optional expiry (Map keeps
// insertion order, so the first key is the oldest).

export class BoundedCache<K, V> {
  readonly #map = new Map<K, { value: V; expires: number }>();
  readonly #max: number;
  readonly #ttlMs: number;

  constructor(max: number, ttlMs = Number.POSITIVE_INFINITY) {
    this.#max = max;
    this.#ttlMs = ttlMs;
  }

  get(key: K, now = Date.now()): V | undefined {
    const hit = this.#map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: K, value: V, now = Date.now()): void {
    this.#map.delete(key);
    this.#map.set(key, { value, expires: now + this.#ttlMs });
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }
}
