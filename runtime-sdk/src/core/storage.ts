// wx storage on the host side: one namespace per (appId, userId), a size limit enforced here
// (the logic realm's own check is a courtesy; it runs untrusted code).
import type { ScopedStorage } from './session.ts';

export interface KeyValueBackend {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  keys(): string[];
}

export const DEFAULT_STORAGE_LIMIT = 10 * 1024 * 1024;

export function storagePrefix(appId: string, userId: string | undefined): string {
  return `tessera:v1:${encodeURIComponent(appId)}:${encodeURIComponent(userId ?? '')}:`;
}

export interface ScopedStorageHandle extends ScopedStorage {
  snapshot(): Record<string, string>;
  bytes(): number;
}

export function createScopedStorage(
  backend: KeyValueBackend,
  appId: string,
  userId: string | undefined,
  limitBytes = DEFAULT_STORAGE_LIMIT,
  onError: (message: string) => void = () => {},
): ScopedStorageHandle {
  const prefix = storagePrefix(appId, userId);
  const own = () => backend.keys().filter((k) => k.startsWith(prefix));
  let bytes = 0;
  for (const k of own()) bytes += k.length - prefix.length + (backend.get(k)?.length ?? 0);
  return {
    snapshot() {
      const out: Record<string, string> = {};
      for (const k of own()) out[k.slice(prefix.length)] = backend.get(k) ?? '';
      return out;
    },
    bytes: () => bytes,
    set(key, value) {
      const full = prefix + key;
      const old = backend.get(full);
      const oldSize = old === null ? 0 : key.length + old.length;
      if (value === null) {
        backend.remove(full);
        bytes -= oldSize;
        return;
      }
      const next = bytes - oldSize + key.length + value.length;
      if (next > limitBytes) {
        onError(
          `storage of ${appId} would exceed ${limitBytes} bytes; write of "${key.slice(0, 64)}" refused`,
        );
        return;
      }
      backend.set(full, value);
      bytes = next;
    },
    clear() {
      for (const k of own()) backend.remove(k);
      bytes = 0;
    },
  };
}

export class MemoryKeyValue implements KeyValueBackend {
  readonly map = new Map<string, string>();
  get(k: string) {
    return this.map.get(k) ?? null;
  }
  set(k: string, v: string) {
    this.map.set(k, v);
  }
  remove(k: string) {
    this.map.delete(k);
  }
  keys() {
    return [...this.map.keys()];
  }
}
