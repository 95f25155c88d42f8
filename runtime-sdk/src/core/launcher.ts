// The launch pipeline up to "verified package open in memory": resolve with the store (signed
// request, fresh device ECDH key), download ciphertext with digest checks, verify the index
// signature and unwrap the data key; or, when the store is unreachable, the same from the
// offline cache (ciphertext + data key wrapped for a non-extractable device key).

import type { PublicKeyInput } from '../package/keys.ts';
import type { AppManifest } from '../package/manifest.ts';
import { AppManifestSchema, MANIFEST_FILE } from '../package/manifest.ts';
import { type OpenedPackage, openPackage } from '../package/open.ts';
import { type DeviceWrappedKey, generateDeviceKeyPair, unwrapDataKeyFromStore } from '../package/wrap.ts';
import type { LaunchResponse } from '../protocol/launch.ts';
import { type StoreClient, StoreUnreachableError } from './store-client.ts';

export interface OfflineEntry {
  appId: string;
  version: string;
  bytes: Uint8Array;
  wrappedKey: DeviceWrappedKey;
  /** Non-extractable ECDH private key: the data key can only be unwrapped on this device. */
  devicePrivateKey: CryptoKey;
  domains: LaunchResponse['domains'];
  permissions: string[];
  digest: string;
  cachedAt: number;
}

export interface OfflineCache {
  get(appId: string): Promise<OfflineEntry | undefined>;
  put(entry: OfflineEntry): Promise<void>;
  /** Drops cached versions the store revoked (rolled back, retired, taken down). */
  purge(appId: string, versions: readonly string[]): Promise<void>;
  versions(appId: string): Promise<string[]>;
}

export class ManifestError extends Error {
  readonly code = 'MANIFEST_INVALID';
  constructor(detail: string) {
    super(`the package manifest (${MANIFEST_FILE}) is invalid: ${detail}`);
    this.name = 'ManifestError';
  }
}

export interface LaunchTimings {
  /** Host-side preparation before resolving (shell, realm start). */
  setup?: number;
  resolve: number;
  download: number;
  verify: number;
  logicBoot?: number;
  firstRender?: number;
  total?: number;
}

export interface OpenedMiniProgram {
  appId: string;
  version: string;
  /** network: fresh from the store; offline: cache because the store was unreachable; cache: cache-first policy. */
  source: 'network' | 'offline' | 'cache';
  pkg: OpenedPackage;
  manifest: AppManifest;
  domains: LaunchResponse['domains'];
  permissions: string[];
  timings: LaunchTimings;
  /** cache-first launches: the background check, resolving to the version now cached. */
  update?: Promise<string | undefined>;
}

export type LaunchPolicy = 'network-first' | 'cache-first';

export interface OpenOptions {
  client: StoreClient;
  cache?: OfflineCache | undefined;
  publicKeys: readonly PublicKeyInput[];
  appId: string;
  userId?: string | undefined;
  attributes?: Record<string, string | number | boolean> | undefined;
  platform?: 'web' | 'node' | 'desktop' | undefined;
  sdkVersion?: string;
  now?: () => number;
  /**
   * network-first (default): ask the store every launch, fall back to the cache offline.
   * cache-first: run the cached version at once and update the cache in the background
   * (the new version runs on the next launch), like a HostApp with background updates.
   */
  policy?: LaunchPolicy;
}

export const SDK_VERSION = '0.1.0';

async function readManifest(pkg: OpenedPackage): Promise<AppManifest> {
  if (!pkg.has(MANIFEST_FILE)) throw new ManifestError('the package has no manifest');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await pkg.read(MANIFEST_FILE)));
  } catch (err) {
    if (err instanceof SyntaxError) throw new ManifestError('not JSON');
    throw err;
  }
  const parsed = AppManifestSchema.safeParse(json);
  if (!parsed.success) throw new ManifestError(parsed.error.issues[0]?.message ?? 'schema mismatch');
  return parsed.data;
}

export async function openMiniProgram(o: OpenOptions): Promise<OpenedMiniProgram> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  if (o.policy === 'cache-first' && o.cache) {
    const entry = await o.cache.get(o.appId).catch(() => undefined);
    if (entry) {
      const opened = await openCached(o, entry, now, t0, 'cache');
      // Background update: the network path verifies the new package before caching it.
      opened.update = openMiniProgram({ ...o, policy: 'network-first' }).then(
        (fresh) => fresh.version,
        () => undefined,
      );
      return opened;
    }
  }
  const device = await generateDeviceKeyPair();
  const cachedVersions = o.cache ? await o.cache.versions(o.appId).catch(() => []) : [];
  let res: LaunchResponse;
  try {
    res = await o.client.launch({
      appId: o.appId,
      ...(o.userId !== undefined ? { userId: o.userId } : {}),
      attributes: o.attributes ?? {},
      devicePublicKey: device.publicKeyRaw,
      sdkVersion: o.sdkVersion ?? SDK_VERSION,
      platform: o.platform ?? 'web',
      cachedVersions: cachedVersions.slice(0, 64),
    });
  } catch (err) {
    if (err instanceof StoreUnreachableError && o.cache) {
      const entry = await o.cache.get(o.appId);
      if (entry) return openCached(o, entry, now, t0, 'offline');
    }
    throw err;
  }
  if (o.cache && res.purge.length) await o.cache.purge(o.appId, res.purge).catch(() => {});
  const t1 = now();
  const bytes = await o.client.download(res.artifact);
  const t2 = now();
  const dataKey = await unwrapDataKeyFromStore(res.wrappedKey, device.privateKey);
  const main = await openPackage(bytes, { publicKeys: o.publicKeys, dataKey });
  // Subpackages are separate artifacts with their own data keys; verified the same way.
  // TODO(lazy): fetched up front for now; download on first navigation into them.
  const subpackages = await Promise.all(
    (res.subpackages ?? []).map(async (sp) =>
      openPackage(await o.client.download(sp), {
        publicKeys: o.publicKeys,
        dataKey: await unwrapDataKeyFromStore(sp.wrappedKey, device.privateKey),
      }),
    ),
  );
  const pkg = subpackages.length ? combinePackages(main, subpackages) : main;
  const manifest = await readManifest(pkg);
  const t3 = now();
  if (o.cache) {
    await o.cache
      .put({
        appId: o.appId,
        version: res.version,
        bytes,
        wrappedKey: res.wrappedKey,
        devicePrivateKey: device.privateKey,
        domains: res.domains,
        permissions: res.permissions,
        digest: res.artifact.digest,
        cachedAt: Date.now(),
      })
      .catch(() => {});
  }
  return {
    appId: o.appId,
    version: res.version,
    source: 'network',
    pkg,
    manifest,
    domains: res.domains,
    permissions: res.permissions,
    timings: { resolve: t1 - t0, download: t2 - t1, verify: t3 - t2 },
  };
}

async function openCached(
  o: OpenOptions,
  e: OfflineEntry,
  now: () => number,
  t0: number,
  source: 'offline' | 'cache',
): Promise<OpenedMiniProgram> {
  const t1 = now();
  // Same checks as online: signature over the index, data key check, per-file hashes.
  const dataKey = await unwrapDataKeyFromStore(e.wrappedKey, e.devicePrivateKey);
  const pkg = await openPackage(e.bytes, { publicKeys: o.publicKeys, dataKey });
  const manifest = await readManifest(pkg);
  const t2 = now();
  return {
    appId: o.appId,
    version: e.version,
    source,
    pkg,
    manifest,
    domains: e.domains,
    permissions: e.permissions,
    timings: { resolve: t1 - t0, download: 0, verify: t2 - t1 },
  };
}

/** One view over a main package and its subpackages (their paths are disjoint, each under its root). */
export function combinePackages(main: OpenedPackage, parts: readonly OpenedPackage[]): OpenedPackage {
  const all = [main, ...parts];
  const owner = (path: string) => all.find((p) => p.has(path));
  return {
    index: main.index,
    paths: all.flatMap((p) => p.paths),
    has: (path) => owner(path) !== undefined,
    read: (path) => (owner(path) ?? main).read(path),
    async readAll() {
      const out = new Map<string, Uint8Array>();
      for (const p of all) for (const [k, v] of await p.readAll()) out.set(k, v);
      return out;
    },
  };
}

/** In-memory offline cache (Node hosts and tests); the web platform persists to IndexedDB. */
export class MemoryOfflineCache implements OfflineCache {
  readonly #entries = new Map<string, OfflineEntry>();
  async get(appId: string) {
    return this.#entries.get(appId);
  }
  async put(entry: OfflineEntry) {
    this.#entries.set(entry.appId, entry);
  }
  async purge(appId: string, versions: readonly string[]) {
    const e = this.#entries.get(appId);
    if (e && versions.includes(e.version)) this.#entries.delete(appId);
  }
  async versions(appId: string) {
    const e = this.#entries.get(appId);
    return e ? [e.version] : [];
  }
}
