// Offline cache in IndexedDB: ciphertext, the data key wrapped for this device, and the
// device's non-extractable ECDH private key (a CryptoKey is stored by structured clone and
// can never be exported). No plaintext is ever written.
import type { OfflineCache, OfflineEntry } from '../core/launcher.ts';

const STORE = 'packages';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export class IdbOfflineCache implements OfflineCache {
  readonly #name: string;
  readonly #scope: string;
  #db: Promise<IDBDatabase> | undefined;

  /** `scope` separates store URLs and users sharing one browser profile. */
  constructor(scope: string, dbName = 'tessera-offline') {
    this.#name = dbName;
    this.#scope = scope;
  }

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(this.#name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.#db;
  }

  #key(appId: string): string {
    return `${this.#scope}|${appId}`;
  }

  async get(appId: string): Promise<OfflineEntry | undefined> {
    const db = await this.#open();
    const v = await req(db.transaction(STORE, 'readonly').objectStore(STORE).get(this.#key(appId)));
    return (v as OfflineEntry | undefined) ?? undefined;
  }

  async put(entry: OfflineEntry): Promise<void> {
    const db = await this.#open();
    await req(db.transaction(STORE, 'readwrite').objectStore(STORE).put(entry, this.#key(entry.appId)));
  }

  async purge(appId: string, versions: readonly string[]): Promise<void> {
    const e = await this.get(appId);
    if (!e || !versions.includes(e.version)) return;
    const db = await this.#open();
    await req(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(this.#key(appId)));
  }

  async versions(appId: string): Promise<string[]> {
    const e = await this.get(appId);
    return e ? [e.version] : [];
  }
}
