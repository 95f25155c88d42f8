// Offline cache in IndexedDB: ciphertext (main package and the subpackages opened so far), the
// data keys wrapped for this device, and the device's non-extractable ECDH private key (a
// CryptoKey is stored by structured clone and can never be exported) with its curve
// (deviceKeyCurve: X25519 or P-256; entries written before X25519 have none and hold P-256 keys,
// which keep opening: the unwrap takes the curve from the key itself). No plaintext is ever
// written.
import type { OfflineCache, OfflineEntry } from '../core/launcher.ts';

const STORE = 'packages';

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

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
    const tx = db.transaction(STORE, 'readwrite');
    const completed = done(tx);
    tx.objectStore(STORE).put(entry, this.#key(entry.appId));
    await this.#dropBlobs(tx, entry.appId, new Set((entry.subpackages ?? []).map((s) => s.digest)));
    await completed;
  }

  async purge(appId: string, versions: readonly string[]): Promise<void> {
    const e = await this.get(appId);
    if (!e || !versions.includes(e.version)) return;
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite');
    const completed = done(tx);
    tx.objectStore(STORE).delete(this.#key(appId));
    await this.#dropBlobs(tx, appId, new Set());
    await completed;
  }

  async versions(appId: string): Promise<string[]> {
    const e = await this.get(appId);
    return e ? [e.version] : [];
  }

  async getSubpackage(appId: string, digest: string): Promise<Uint8Array | undefined> {
    const db = await this.#open();
    const v = await req(
      db.transaction(STORE, 'readonly').objectStore(STORE).get(this.#blobKey(appId, digest)),
    );
    return v instanceof Uint8Array ? v : undefined;
  }

  async putSubpackage(appId: string, digest: string, bytes: Uint8Array): Promise<void> {
    const db = await this.#open();
    await req(db.transaction(STORE, 'readwrite').objectStore(STORE).put(bytes, this.#blobKey(appId, digest)));
  }

  /** Subpackage ciphertext is keyed `<scope>|<appId>|sp|<digest>`. */
  #blobKey(appId: string, digest: string): string {
    return `${this.#key(appId)}|sp|${digest}`;
  }

  /** Deletes the app's subpackage ciphertext except the digests in `keep`. */
  async #dropBlobs(tx: IDBTransaction, appId: string, keep: ReadonlySet<string>): Promise<void> {
    const store = tx.objectStore(STORE);
    const prefix = this.#blobKey(appId, '');
    const keys = await req(store.getAllKeys(IDBKeyRange.bound(prefix, `${prefix}\uffff`)));
    for (const k of keys) if (!keep.has(String(k).slice(prefix.length))) store.delete(k);
  }
}
