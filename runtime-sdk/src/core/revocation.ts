// Revoked tenant signing keys. The host configures the tenant's public keys once; when a key is
// compromised the tenant revokes it (Tenant.spec.crypto.revokedSigningKeyIds) and the SDK must
// stop trusting it although its configuration still lists it. Revocations come from the host
// configuration and from every launch answer (`revokedSigningKeyIds`); they are kept in a
// RevocationStore so that an offline launch after a restart still refuses the revoked key. The
// list only grows: nothing the network says removes a revocation.

import { UnknownSigningKeyError } from '../package/errors.ts';
import { importTrustedKeys, type PublicKeyInput, type TrustedKey } from '../package/keys.ts';

/** Where the SDK remembers revoked key ids between runs. */
export interface RevocationStore {
  load(): Promise<readonly string[]>;
  save(keyIds: readonly string[]): Promise<void>;
}

export class SigningKeyRevokedError extends Error {
  readonly code = 'SIGNING_KEY_REVOKED';
  readonly keyId: string;
  constructor(keyId: string, what: string) {
    super(
      `${what} is signed by the revoked signing key ${keyId}; it is refused (the tenant must release a version signed with its current key)`,
    );
    this.name = 'SigningKeyRevokedError';
    this.keyId = keyId;
  }
}

const MAX_REVOKED = 256;
const KEY_ID = /^[0-9a-f]{16}$/;

export class SigningKeyRevocations {
  readonly #ids: Set<string>;
  readonly #store: RevocationStore | undefined;
  readonly #loaded: Promise<void>;
  readonly #imported = new WeakMap<readonly PublicKeyInput[], Promise<TrustedKey[]>>();

  constructor(configured: readonly string[] = [], store?: RevocationStore) {
    this.#ids = new Set();
    this.#add(configured);
    this.#store = store;
    this.#loaded = store
      ? store.load().then(
          (ids) => {
            this.#add(ids);
          },
          () => {},
        )
      : Promise.resolve();
  }

  async has(keyId: string): Promise<boolean> {
    await this.#loaded;
    return this.#ids.has(keyId);
  }

  /** Adds revocations (from a launch answer) and persists them when the list grew. */
  async learn(keyIds: readonly string[] | undefined): Promise<void> {
    await this.#loaded;
    if (!keyIds?.length || !this.#add(keyIds)) return;
    await this.#store?.save([...this.#ids]).catch(() => {});
  }

  /** Throws SigningKeyRevokedError when `keyId` is revoked. */
  async check(keyId: string, what: string): Promise<void> {
    if (await this.has(keyId)) throw new SigningKeyRevokedError(keyId, what);
  }

  /** `keys` without the revoked ones (imported once per configured list). */
  async trusted(keys: readonly PublicKeyInput[]): Promise<TrustedKey[]> {
    await this.#loaded;
    let imported = this.#imported.get(keys);
    if (!imported) {
      imported = importTrustedKeys(keys);
      this.#imported.set(keys, imported);
    }
    return (await imported).filter((k) => !this.#ids.has(k.keyId));
  }

  /** An UnknownSigningKeyError for a key that is revoked becomes a SigningKeyRevokedError. */
  explain(err: unknown, what: string): unknown {
    return err instanceof UnknownSigningKeyError && this.#ids.has(err.keyId)
      ? new SigningKeyRevokedError(err.keyId, what)
      : err;
  }

  #add(keyIds: readonly string[]): boolean {
    const before = this.#ids.size;
    for (const id of keyIds) if (KEY_ID.test(id) && this.#ids.size < MAX_REVOKED) this.#ids.add(id);
    return this.#ids.size > before;
  }
}

/** Browser persistence: localStorage of the host page's origin (nothing secret is stored). */
export function localStorageRevocations(key = 'tessera:revoked-signing-keys'): RevocationStore | undefined {
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage) return undefined;
  return {
    load: async () => {
      const raw = storage.getItem(key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
    },
    save: async (ids) => storage.setItem(key, JSON.stringify(ids)),
  };
}
