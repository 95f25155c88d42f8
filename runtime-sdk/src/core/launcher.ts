// The launch pipeline up to "verified package open in memory": resolve with the store (signed
// request, fresh device ECDH key), download ciphertext with digest checks, verify the index
// signature and unwrap the data key; or, when the store is unreachable, the same from the
// offline cache (ciphertext + data key wrapped for a non-extractable device key). Launches from
// the cache check for updates in the background per the HostApp's update policy. Subpackages
// open lazily (subpackages.ts).

import type { PublicKeyInput } from '../package/keys.ts';
import type { AppManifest } from '../package/manifest.ts';
import { AppManifestSchema, MANIFEST_FILE } from '../package/manifest.ts';
import { type OpenedPackage, openPackage } from '../package/open.ts';
import {
  type DeviceKeyCurve,
  type DeviceKeyPair,
  type DeviceWrappedKey,
  deviceKeyFields,
  negotiateDeviceKeyPair,
  unwrapDataKeyFromStore,
} from '../package/wrap.ts';
import type {
  Branding,
  LaunchResponse,
  PrivacyScope,
  SubpackageRef,
  UpdatePolicy,
} from '../protocol/launch.ts';
import { firstIssue } from '../protocol/schema-helpers.ts';
import { checkPackageIdentity } from './package-identity.ts';
import type { SigningKeyRevocations } from './revocation.ts';
import { type StoreClient, StoreUnreachableError } from './store-client.ts';
import { type ConnectionInfo, type SubpackageBlobs, Subpackages, unmetered } from './subpackages.ts';

export interface OfflineEntry {
  appId: string;
  version: string;
  bytes: Uint8Array;
  wrappedKey: DeviceWrappedKey;
  /** Non-extractable ECDH private key: the data keys can only be unwrapped on this device. */
  devicePrivateKey: CryptoKey;
  /**
   * The curve of devicePrivateKey (the one the launch negotiated); absent in entries cached
   * before X25519, whose keys are P-256. Unwrapping reads the curve off the key itself, so an
   * entry opens whatever this says.
   */
  deviceKeyCurve?: DeviceKeyCurve;
  domains: LaunchResponse['domains'];
  permissions: string[];
  digest: string;
  /** Subpackage refs of this version, their keys wrapped for devicePrivateKey (ciphertext: getSubpackage). */
  subpackages?: SubpackageRef[];
  /** The HostApp's update policy as of the last store answer. */
  updatePolicy?: UpdatePolicy | undefined;
  /** The HostApp's branding as of the last store answer. */
  branding?: Branding | undefined;
  /** The privacy scopes the mini-program declared, as of the last store answer. */
  privacyScopes?: PrivacyScope[] | undefined;
  /** When the store last answered for this app (the last update check). */
  cachedAt: number;
}

export interface OfflineCache extends SubpackageBlobs {
  get(appId: string): Promise<OfflineEntry | undefined>;
  /** Stores the entry; subpackage ciphertext of other versions is dropped. */
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
  /**
   * network: fresh from the store; offline: cache because the store was unreachable; cache: from
   * the cache, by the cache-first policy or because the store answered with the version it holds.
   */
  source: 'network' | 'offline' | 'cache';
  /** The main package plus the subpackages opened so far. */
  pkg: OpenedPackage;
  /** The main package alone (what the logic realm boots with). */
  main: OpenedPackage;
  /** Opens subpackages on demand (first navigation, preloadRule). */
  subpackages: Subpackages;
  manifest: AppManifest;
  domains: LaunchResponse['domains'];
  permissions: string[];
  /** The HostApp's branding for the SDK's chrome (navigation bar, capsule, loading screen). */
  branding?: Branding | undefined;
  /** The scopes wx.authorize may ask the user for (MiniProgram.spec.privacyScopes). */
  privacyScopes: PrivacyScope[];
  timings: LaunchTimings;
  /**
   * Launches from the cache: the background update check, resolving to the version cached for
   * the next launch, or undefined when no check ran (not due, Wi-Fi only, disabled) or it failed.
   */
  update?: Promise<string | undefined>;
  /** With `update`: what the check came to (wx.getUpdateManager reports it). */
  updateOutcome?: Promise<UpdateOutcome>;
}

/** A background update check: none ran, the version held is current, a newer one is cached, or it failed. */
export type UpdateOutcome = 'not-checked' | 'current' | 'ready' | 'failed';

export type LaunchPolicy = 'network-first' | 'cache-first';

export interface OpenOptions {
  client: StoreClient;
  cache?: OfflineCache | undefined;
  publicKeys: readonly PublicKeyInput[];
  /** Revoked signing keys: taken out of publicKeys, learned from launch answers (revocation.ts). */
  revocations?: SigningKeyRevocations | undefined;
  appId: string;
  userId?: string | undefined;
  attributes?: Record<string, string | number | boolean> | undefined;
  platform?: 'web' | 'node' | 'desktop' | undefined;
  sdkVersion?: string;
  now?: () => number;
  /**
   * network-first: ask the store every launch, fall back to the cache offline.
   * cache-first: run the cached version at once and update the cache in the background
   * (the new version runs on the next launch), unless the HostApp's update policy turns
   * background updates off.
   * Default: the HostApp's update policy decides: cache-first when it has background updates
   * on, network-first when it has them off or the store sent no policy.
   */
  policy?: LaunchPolicy;
  /** The current network, for Wi-Fi-only update policies (navigator.connection in browsers). */
  connection?: () => ConnectionInfo | undefined;
  /**
   * Called once the launch request is on its way, or at once when the launch needs no request
   * (cache-first): hosts start main-thread work (realm frames) then, not before the request.
   */
  onRequestSent?: () => void;
  /**
   * A fresh device key pair for each store request (default: negotiateDeviceKeyPair on the spot,
   * X25519 where the engine has it, else P-256); hosts may generate the next one ahead of time,
   * but must hand out each pair only once. Its curve is sent as deviceKeyCurve.
   */
  deviceKey?: () => Promise<DeviceKeyPair>;
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
  if (!parsed.success) throw new ManifestError(firstIssue(parsed.error));
  return parsed.data;
}

/**
 * Whether a background update check should run now under the HostApp's policy: background
 * updates on, the check interval elapsed since the last store answer, and Wi-Fi when required.
 */
export function updateDue(
  policy: UpdatePolicy | undefined,
  lastCheck: number,
  now: number,
  connection: ConnectionInfo | undefined,
): boolean {
  if (!policy) return true;
  if (!policy.background || now - lastCheck < policy.checkIntervalSeconds * 1000) return false;
  return !policy.wifiOnly || unmetered(connection);
}

export async function openMiniProgram(o: OpenOptions): Promise<OpenedMiniProgram> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  // Read once, on the way to the request: cache-first runs it, the request says what it holds.
  const held = o.cache?.get(o.appId).catch(() => undefined);
  if (o.policy !== 'network-first' && held) {
    const entry = await held;
    // A policy without background updates means: ask the store at launch (network-first).
    const background = entry?.updatePolicy?.background;
    if (entry && (o.policy === 'cache-first' ? background !== false : background === true)) {
      o.onRequestSent?.();
      const opened = await openCached(o, entry, now, t0, 'cache');
      backgroundUpdate(o, entry, opened);
      return opened;
    }
  }
  try {
    const r = await resolve(o, held, o.onRequestSent);
    // the store wrapped no key: this device holds that exact artifact (same checks as offline)
    if (r.entry) return openCached(o, r.entry, now, t0, 'cache');
    return await openFromStore(o, r, now, t0);
  } catch (err) {
    const entry = err instanceof StoreUnreachableError ? await held : undefined;
    if (!entry) throw err;
    const opened = await openCached(o, entry, now, t0, 'offline');
    backgroundUpdate(o, entry, opened);
    return opened;
  }
}

/** Sets `opened.update` (and its outcome) to a background check, per the update policy. */
function backgroundUpdate(o: OpenOptions, entry: OfflineEntry, opened: OpenedMiniProgram): void {
  const check = (async (): Promise<{ version?: string; outcome: UpdateOutcome }> => {
    if (!updateDue(entry.updatePolicy, entry.cachedAt, Date.now(), o.connection?.()))
      return { outcome: 'not-checked' };
    const now = o.now ?? (() => performance.now());
    try {
      const r = await resolve(o, Promise.resolve(entry));
      // "cached": the version held is current; only the answer's metadata is stored
      if (r.entry) {
        await r.stored;
        return { version: r.res.version, outcome: 'current' };
      }
      await openFromStore(o, r, now, now(), true);
      return { version: r.res.version, outcome: 'ready' };
    } catch {
      return { outcome: 'failed' };
    }
  })();
  opened.update = check.then((c) => c.version);
  opened.updateOutcome = check.then((c) => c.outcome);
}

interface Resolved {
  res: LaunchResponse;
  device: DeviceKeyPair;
  /** When the answer is cached: the held entry, updated with the answer, */
  entry?: OfflineEntry;
  /** and its write to the cache. */
  stored?: Promise<void>;
}

/** The launch request, telling the store which version and artifacts this device holds. */
async function resolve(
  o: OpenOptions,
  held: Promise<OfflineEntry | undefined> | undefined,
  onSent?: () => void,
): Promise<Resolved> {
  const [device, entry] = await Promise.all([(o.deviceKey ?? negotiateDeviceKeyPair)(), held]);
  const res = await o.client.launch(
    {
      appId: o.appId,
      ...(o.userId !== undefined ? { userId: o.userId } : {}),
      attributes: o.attributes ?? {},
      ...deviceKeyFields(device),
      sdkVersion: o.sdkVersion ?? SDK_VERSION,
      platform: o.platform ?? 'web',
      cachedVersions: entry ? [entry.version] : [],
      // at most 128 (MAX_CACHED_DIGESTS): more subpackages than that are never answered cached
      cachedDigests: entry
        ? [entry.digest, ...(entry.subpackages ?? []).map((s) => s.digest)].slice(0, 128)
        : [],
    },
    onSent,
  );
  await refuseRevoked(o, res);
  if (o.cache && res.purge.length) await o.cache.purge(o.appId, res.purge).catch(() => {});
  if (!res.cached) return { res, device };
  if (res.artifact.digest !== entry?.digest)
    throw new Error('the store answered "cached" for an artifact not held');
  // the same artifact and keys; the answer's version label, domains, permissions and policy
  const fresh: OfflineEntry = {
    ...entry,
    version: res.version,
    domains: res.domains,
    permissions: res.permissions,
    updatePolicy: res.updatePolicy,
    branding: res.branding,
    privacyScopes: res.privacyScopes,
    cachedAt: Date.now(),
  };
  return { res, device, entry: fresh, stored: o.cache!.put(fresh).catch(() => {}) };
}

async function openFromStore(
  o: OpenOptions,
  { res, device }: Resolved,
  now: () => number,
  t0: number,
  background?: boolean,
): Promise<OpenedMiniProgram> {
  const t1 = now();
  // the data key needs only the answer: it is unwrapped while the package downloads
  const [bytes, dataKey] = await Promise.all([
    o.client.download(res.artifact),
    unwrapDataKeyFromStore(res.wrappedKey!, device.privateKey),
  ]);
  const t2 = now();
  const publicKeys = await trustedKeys(o);
  const main = await openTrusted(o, publicKeys, bytes, dataKey, `${o.appId} ${res.version}`);
  checkPackageIdentity(
    main.index,
    {
      tenant: res.tenant,
      miniProgram: res.miniProgram,
      appId: o.appId,
      version: res.version,
      plaintextDigest: res.artifact.plaintextDigest,
    },
    `the package of ${o.appId} ${res.version}`,
  );
  const manifest = await readManifest(main);
  const t3 = now();
  // every ref of an answer that is not cached carries its wrapped key (LaunchResponseSchema)
  const subpackages = (res.subpackages ?? []) as SubpackageRef[];
  // A launch does not wait for the offline copy to be written; a background update does (what
  // it cached is what the next launch runs).
  if (o.cache) {
    const caching = o.cache
      .put({
        appId: o.appId,
        version: res.version,
        bytes,
        wrappedKey: res.wrappedKey!,
        devicePrivateKey: device.privateKey,
        deviceKeyCurve: device.curve,
        domains: res.domains,
        permissions: res.permissions,
        digest: res.artifact.digest,
        subpackages,
        updatePolicy: res.updatePolicy,
        branding: res.branding,
        privacyScopes: res.privacyScopes,
        cachedAt: Date.now(),
      })
      .catch(() => {});
    if (background) await caching;
  }
  return opened(o, {
    version: res.version,
    source: 'network',
    main,
    manifest,
    refs: subpackages,
    publicKeys,
    devicePrivateKey: device.privateKey,
    domains: res.domains,
    permissions: res.permissions,
    branding: res.branding,
    privacyScopes: res.privacyScopes,
    timings: { resolve: t1 - t0, download: t2 - t1, verify: t3 - t2 },
  });
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
  const publicKeys = await trustedKeys(o);
  const main = await openTrusted(o, publicKeys, e.bytes, dataKey, `the cached ${o.appId} ${e.version}`);
  checkPackageIdentity(
    main.index,
    { appId: o.appId, version: e.version },
    `the cached ${o.appId} ${e.version}`,
  );
  const manifest = await readManifest(main);
  const t2 = now();
  return opened(o, {
    version: e.version,
    source,
    main,
    manifest,
    refs: e.subpackages ?? [],
    publicKeys,
    devicePrivateKey: e.devicePrivateKey,
    domains: e.domains,
    permissions: e.permissions,
    branding: e.branding,
    privacyScopes: e.privacyScopes ?? [],
    timings: { resolve: t1 - t0, download: 0, verify: t2 - t1 },
  });
}

function opened(
  o: OpenOptions,
  p: Omit<OpenedMiniProgram, 'appId' | 'pkg' | 'subpackages'> & {
    refs: SubpackageRef[];
    publicKeys: readonly PublicKeyInput[];
    devicePrivateKey: CryptoKey;
  },
): OpenedMiniProgram {
  const { refs, publicKeys, devicePrivateKey, ...rest } = p;
  const subpackages = new Subpackages({
    appId: o.appId,
    main: p.main,
    manifest: p.manifest,
    refs,
    devicePrivateKey,
    publicKeys,
    client: o.client,
    cache: o.cache,
  });
  return { ...rest, appId: o.appId, pkg: subpackages.pkg, subpackages };
}

/** The configured public keys without the revoked ones. */
function trustedKeys(o: OpenOptions): Promise<readonly PublicKeyInput[]> | readonly PublicKeyInput[] {
  return o.revocations ? o.revocations.trusted(o.publicKeys) : o.publicKeys;
}

/** Opens a package with `publicKeys`; a package signed by a revoked key says so. */
async function openTrusted(
  o: OpenOptions,
  publicKeys: readonly PublicKeyInput[],
  bytes: Uint8Array,
  dataKey: CryptoKey | Uint8Array,
  what: string,
): Promise<OpenedPackage> {
  try {
    // every file verified before the first line runs, not when first read
    return await openPackage(bytes, { publicKeys, dataKey, verifyAll: true });
  } catch (e) {
    throw o.revocations ? o.revocations.explain(e, what) : e;
  }
}

/** Learns the revocations a launch answer carries; refuses an answer naming a revoked key. */
async function refuseRevoked(o: OpenOptions, res: LaunchResponse): Promise<void> {
  if (!o.revocations) return;
  await o.revocations.learn(res.revokedSigningKeyIds);
  await o.revocations.check(res.signingKeyId, `${o.appId} ${res.version}`);
}

/** In-memory offline cache (Node hosts and tests); the web platform persists to IndexedDB. */
export class MemoryOfflineCache implements OfflineCache {
  readonly #entries = new Map<string, OfflineEntry>();
  readonly #blobs = new Map<string, Uint8Array>();
  async get(appId: string) {
    return this.#entries.get(appId);
  }
  async put(entry: OfflineEntry) {
    this.#entries.set(entry.appId, entry);
    this.#dropBlobs(entry.appId, new Set((entry.subpackages ?? []).map((s) => s.digest)));
  }
  async purge(appId: string, versions: readonly string[]) {
    const e = this.#entries.get(appId);
    if (e && versions.includes(e.version)) {
      this.#entries.delete(appId);
      this.#dropBlobs(appId, new Set());
    }
  }
  async versions(appId: string) {
    const e = this.#entries.get(appId);
    return e ? [e.version] : [];
  }
  async getSubpackage(appId: string, digest: string) {
    return this.#blobs.get(`${appId}|${digest}`);
  }
  async putSubpackage(appId: string, digest: string, bytes: Uint8Array) {
    this.#blobs.set(`${appId}|${digest}`, bytes);
  }
  #dropBlobs(appId: string, keep: ReadonlySet<string>) {
    for (const key of this.#blobs.keys()) {
      const [app, digest = ''] = key.split('|');
      if (app === appId && !keep.has(digest)) this.#blobs.delete(key);
    }
  }
}

/**
 * Tells the logic realm what this launch's update check found (wx.getUpdateManager). A launch
 * that asked the store runs its newest version, and a check not yet due (the policy's interval)
 * found none the last time: neither has an update.
 */
export function reportUpdate(
  outcome: Promise<UpdateOutcome> | undefined,
  send: (m: { type: 'update'; event: 'check' | 'ready' | 'failed'; hasUpdate?: boolean }) => void,
): void {
  void (outcome ?? Promise.resolve<UpdateOutcome>('current')).then((o) => {
    if (o === 'failed') return send({ type: 'update', event: 'failed' });
    send({ type: 'update', event: 'check', hasUpdate: o === 'ready' });
    if (o === 'ready') send({ type: 'update', event: 'ready' });
  });
}
