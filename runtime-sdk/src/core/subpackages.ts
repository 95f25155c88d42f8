// Lazy subpackages: each is a separate artifact with its own data key (wrapped for this device
// in the launch response). It is downloaded, verified and opened the first time a page in it is
// needed, or ahead of time per app.json `preloadRule`, and its ciphertext is kept in the
// offline cache so an offline relaunch can open it again.

import type { PublicKeyInput } from '../package/keys.ts';
import type { AppManifest } from '../package/manifest.ts';
import { type OpenedPackage, openPackage } from '../package/open.ts';
import { unwrapDataKeyFromStore } from '../package/wrap.ts';
import type { SubpackageRef } from '../protocol/launch.ts';
import { checkPackageIdentity, identityOf } from './package-identity.ts';
import type { StoreClient } from './store-client.ts';

/** Where subpackage ciphertext is kept between launches (content-addressed by digest). */
export interface SubpackageBlobs {
  getSubpackage(appId: string, digest: string): Promise<Uint8Array | undefined>;
  putSubpackage(appId: string, digest: string, bytes: Uint8Array): Promise<void>;
}

/** What the host knows about the network (navigator.connection in browsers). */
export interface ConnectionInfo {
  type?: string | undefined;
  saveData?: boolean | undefined;
}

/**
 * Wi-Fi-only work (preloadRule `network: "wifi"`, HostApp `updatePolicy.wifiOnly`) runs on
 * Wi-Fi or Ethernet, and also when the platform does not say (desktop browsers report no
 * connection type and are rarely on metered links); never in data-saver mode.
 */
export function unmetered(connection: ConnectionInfo | undefined): boolean {
  if (connection?.saveData) return false;
  const type = connection?.type;
  return type === undefined || type === 'unknown' || type === 'wifi' || type === 'ethernet';
}

export class SubpackageError extends Error {
  readonly code = 'SUBPACKAGE_UNAVAILABLE';
  constructor(root: string, detail: string) {
    super(`subpackage "${root}" cannot be opened: ${detail}`);
    this.name = 'SubpackageError';
  }
}

export interface SubpackagesOptions {
  appId: string;
  main: OpenedPackage;
  manifest: AppManifest;
  /** From the launch response (or the offline entry): url, digest, size, wrapped key. */
  refs: readonly SubpackageRef[];
  /** Unwraps the refs' data keys (the ephemeral key online, the cached device key offline). */
  devicePrivateKey: CryptoKey;
  publicKeys: readonly PublicKeyInput[];
  client: StoreClient;
  cache?: SubpackageBlobs | undefined;
}

export class Subpackages {
  readonly #o: SubpackagesOptions;
  readonly #opened = new Map<string, OpenedPackage>();
  readonly #loading = new Map<string, Promise<OpenedPackage>>();
  /** The main package plus every subpackage opened so far (paths are disjoint). */
  readonly pkg: OpenedPackage;

  constructor(options: SubpackagesOptions) {
    this.#o = options;
    const parts = () => [options.main, ...this.#opened.values()];
    const owner = (path: string) => parts().find((p) => p.has(path));
    this.pkg = {
      index: options.main.index,
      get paths() {
        return parts().flatMap((p) => p.paths);
      },
      has: (path) => owner(path) !== undefined,
      read: (path) => (owner(path) ?? options.main).read(path),
      async readAll() {
        const out = new Map<string, Uint8Array>();
        for (const p of parts()) for (const [k, v] of await p.readAll()) out.set(k, v);
        return out;
      },
    };
  }

  /** Roots of the app's subpackages not opened yet. */
  pendingRoots(): string[] {
    return this.#o.manifest.subpackages.map((s) => s.root).filter((r) => !this.#opened.has(r));
  }

  /** The subpackage root a page belongs to, if any. */
  rootOf(route: string): string | undefined {
    return this.#o.manifest.subpackages.find((s) => route.startsWith(`${s.root}/`))?.root;
  }

  /** Downloads (or reads from the cache), verifies and opens a subpackage once. */
  load(root: string): Promise<OpenedPackage> {
    const opened = this.#opened.get(root);
    if (opened) return Promise.resolve(opened);
    let loading = this.#loading.get(root);
    if (!loading) {
      loading = this.#open(root).finally(() => this.#loading.delete(root));
      this.#loading.set(root, loading);
    }
    return loading;
  }

  /**
   * preloadRule for a page that was just shown: opens the listed subpackages in the background
   * when the network allows (`network: "wifi"`, the default, needs an unmetered connection). Failures are
   * reported, not thrown: navigation will try again.
   */
  preloadFor(route: string, connection: ConnectionInfo | undefined, onError: (err: Error) => void): void {
    const rule = this.#o.manifest.preloadRule[route];
    // WeChat's default for `network` is "wifi"
    if (!rule || ((rule.network ?? 'wifi') === 'wifi' && !unmetered(connection))) return;
    for (const name of rule.packages) {
      const sp = this.#o.manifest.subpackages.find(
        (s) => s.artifact === name || s.name === name || s.root === name,
      );
      if (sp) this.load(sp.root).catch(onError);
    }
  }

  async #open(root: string): Promise<OpenedPackage> {
    const o = this.#o;
    const ref = o.refs.find((r) => r.root === root);
    if (!ref) throw new SubpackageError(root, 'the launch response does not list it; relaunch to update');
    let bytes = await o.cache?.getSubpackage(o.appId, ref.digest).catch(() => undefined);
    const fromCache = bytes !== undefined;
    try {
      bytes ??= await o.client.download(ref);
      const pkg = await openPackage(bytes, {
        publicKeys: o.publicKeys,
        dataKey: await unwrapDataKeyFromStore(ref.wrappedKey, o.devicePrivateKey),
        verifyAll: true,
      });
      // the same tenant, mini-program, appId and version as the main package
      checkPackageIdentity(
        pkg.index,
        { ...identityOf(o.main.index), appId: o.appId },
        `subpackage "${root}"`,
      );
      // A subpackage may only add files under its own root (it must not shadow the main package).
      const stray = pkg.paths.find((p) => !p.startsWith(`${root}/`));
      if (stray) throw new SubpackageError(root, `it contains "${stray}", outside its root`);
      if (!fromCache) await o.cache?.putSubpackage(o.appId, ref.digest, bytes).catch(() => {});
      this.#opened.set(root, pkg);
      return pkg;
    } catch (err) {
      if (err instanceof SubpackageError) throw err;
      throw new SubpackageError(root, err instanceof Error ? err.message : String(err));
    }
  }
}
