// What this process last wrote for an object and the resourceVersion that write replaced. Until
// the informer cache shows a newer object, a reconcile compares against the memo instead of the
// stale cache. Entries expire, so a watch event that never comes (or a child deleted right after
// it was created, which a memo of a create cannot tell from "not cached yet") does not suppress
// writes for good; the map is bounded.
const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

export class WriteMemo<V> {
  readonly #entries = new Map<string, { baseRv: string; value: V; at: number }>();

  /** The memo of `key` while the cache still shows `baseRv`; otherwise forgets `key`. */
  get(key: string, baseRv: string): { value: V } | undefined {
    const e = this.#entries.get(key);
    if (e && e.baseRv === baseRv && Date.now() - e.at < TTL_MS) return e;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, baseRv: string, value: V): void {
    if (this.#entries.size > MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, { baseRv, value, at: Date.now() });
  }
}
