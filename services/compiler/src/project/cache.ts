// Per-file compile cache for warm builds: an entry is reused only when its own input and
// every file it read (includes, imports) still have the same content hash.
import { createHash } from 'node:crypto';

export function hashBytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Entry<T> {
  value: T;
  deps: Array<[string, string | undefined]>;
}

export class CompileCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  hits = 0;
  misses = 0;

  get<T>(key: string, currentHash: (path: string) => string | undefined): T | undefined {
    const e = this.entries.get(key);
    if (e?.deps.every(([p, h]) => currentHash(p) === h)) {
      this.hits++;
      return e.value as T;
    }
    this.misses++;
    return undefined;
  }

  set<T>(key: string, value: T, deps: Array<[string, string | undefined]>): void {
    this.entries.set(key, { value, deps });
  }

  get size(): number {
    return this.entries.size;
  }
}
