// Caches of key material by artifact: always keyed by (tenant, digest). A digest is public (any
// device of the tenant sees it in a launch answer), so a digest alone must never find another
// tenant's key; the type makes a lookup without the tenant impossible.
import { BoundedCache } from '../lru.ts';

export class TenantArtifactCache<V> {
  readonly #entries: BoundedCache<string, V>;

  constructor(max: number) {
    this.#entries = new BoundedCache(max);
  }

  get(tenant: string, digest: string): V | undefined {
    return this.#entries.get(cacheKey(tenant, digest));
  }

  set(tenant: string, digest: string, value: V): void {
    this.#entries.set(cacheKey(tenant, digest), value);
  }

  get size(): number {
    return this.#entries.size;
  }
}

// Tenant names are DNS labels and digests are hex: neither contains a newline.
const cacheKey = (tenant: string, digest: string) => `${tenant}\n${digest}`;
