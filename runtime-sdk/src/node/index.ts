// @tessera/runtime-sdk/node — the Node host (desktop shells, server-side previews, tests): the
// same launch pipeline as the web host, the logic realm in a worker thread with a restricted
// vm context, and a headless view that renders each page into a caller-provided Document
// (e.g. jsdom) with its templates evaluated in their own restricted context.
import { Worker } from 'node:worker_threads';
import { Analytics } from '../core/analytics.ts';
import type { HostMessage, LogicBoot } from '../core/bridge.ts';
import type { ConsentPrompt, ConsentSettings } from '../core/consent.ts';
import {
  type LaunchPolicy,
  type LaunchTimings,
  MemoryOfflineCache,
  type OfflineCache,
  openMiniProgram,
  reportUpdate,
} from '../core/launcher.ts';
import { logicSources, pageFiles, scopeTable } from '../core/package-files.ts';
import type { HostApiDefinition } from '../core/permissions.ts';
import { type RevocationStore, SigningKeyRevocations } from '../core/revocation.ts';
import { type DeviceApis, type PageViewHandle, Session, type ViewFactory } from '../core/session.ts';
import {
  createScopedStorage,
  DEFAULT_STORAGE_LIMIT,
  type KeyValueBackend,
  MemoryKeyValue,
} from '../core/storage.ts';
import { type HostIdentity, StoreClient, type StoreCredentials } from '../core/store-client.ts';
import { capsuleRect, systemInfo } from '../core/system-info.ts';
import type { PublicKeyInput } from '../package/keys.ts';
import { PageView } from '../view/page-view.ts';
import { realmBundle } from './realm-bundle.ts';
import { createTemplateContext } from './view-context.ts';

// The worker's entry sits next to this module: the source file here, the built one in the package.
const LOGIC_THREAD = new URL(
  import.meta.url.endsWith('.ts') ? './logic-thread.ts' : './node-logic-thread.js',
  import.meta.url,
);

export interface NodeTesseraConfig {
  storeUrl: string;
  credentials: StoreCredentials;
  publicKeys: PublicKeyInput[];
  /** Signing key ids no longer trusted although publicKeys lists them (launch answers add more). */
  revokedSigningKeyIds?: string[];
  /** Where revocations learned from the store are kept between runs (default: memory only). */
  revocationStore?: RevocationStore;
  /**
   * A desktop application (Electron, …) embedding the SDK: its application id, checked by the
   * store against HostApp.spec.platforms.desktop.appId; launches then say platform desktop.
   */
  desktop?: HostIdentity;
  userId?: string;
  attributes?: Record<string, string | number | boolean>;
  hostApis?: Record<string, HostApiDefinition>;
  cache?: OfflineCache;
  /** network-first or cache-first with background update; default: the HostApp's update policy decides. */
  policy?: LaunchPolicy;
  storageLimitBytes?: number;
  /** Heap limit of each logic worker thread. */
  logicHeapMb?: number;
  fetch?: typeof fetch;
  /**
   * Asks the user for a privacy scope a mini-program declared; without one, every scope is
   * refused ("auth deny"). Decisions are kept in consentStore (default: memory only).
   */
  onConsent?: ConsentPrompt;
  openSetting?: ConsentSettings;
  consentStore?: KeyValueBackend;
  /** Device APIs (location, clipboard, user profile) the host provides. */
  device?: DeviceApis;
  onError?(e: { appId: string; message: string; where: string }): void;
  onLog?(e: { appId: string; level: string; text: string }): void;
}

export interface NodeLaunchOptions {
  /** A Document to render pages into (jsdom in Node); each page gets a `wx-page` root. */
  document: Document;
  path?: string;
  query?: Record<string, string>;
}

export interface NodeMiniProgram {
  appId: string;
  version: string;
  source: 'network' | 'offline' | 'cache';
  /** cache-first launches: resolves to the version the background update cached. */
  update?: Promise<string | undefined>;
  timings: LaunchTimings;
  pages(): Array<{ route: string; root: Element }>;
  /** Resolves once every pending message between the realms has been handled. */
  settle(): Promise<void>;
  navigateBack(): void;
  close(): Promise<void>;
}

export function createNodeTessera(config: NodeTesseraConfig) {
  const client = new StoreClient({
    storeUrl: config.storeUrl,
    credentials: config.credentials,
    ...(config.desktop ? { hostIdentity: config.desktop } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const platform = config.desktop ? 'desktop' : 'node';
  const cache = config.cache ?? new MemoryOfflineCache();
  const kv = new MemoryKeyValue();
  const consentStore = config.consentStore ?? new MemoryKeyValue();
  const revocations = new SigningKeyRevocations(config.revokedSigningKeyIds, config.revocationStore);

  async function launch(appId: string, options: NodeLaunchOptions): Promise<NodeMiniProgram> {
    const t0 = performance.now();
    const opened = await openMiniProgram({
      client,
      cache,
      publicKeys: config.publicKeys,
      revocations,
      appId,
      userId: config.userId,
      attributes: config.attributes,
      platform,
      ...(config.policy ? { policy: config.policy } : {}),
    });
    const { pkg, manifest, subpackages } = opened;
    const timings: LaunchTimings = { ...opened.timings };
    const using = Object.fromEntries(manifest.entries.map((e) => [e.path, e.usingComponents]));
    const scopes = scopeTable(manifest);
    const doc = options.document;
    const pages: Array<{ pageId: number; route: string; root: Element }> = [];
    // Every message between the realms bumps this; settle() waits for it to stop moving.
    let activity = 0;
    const storage = createScopedStorage(
      kv,
      appId,
      config.userId,
      config.storageLimitBytes ?? DEFAULT_STORAGE_LIMIT,
    );
    const analytics = new Analytics(client, { appId, version: opened.version, userId: config.userId });
    const session = new Session({
      appId,
      userId: config.userId,
      analytics,
      domains: opened.domains,
      permissions: opened.permissions,
      hostApis: config.hostApis ?? {},
      storage,
      ...(config.fetch ? { fetch: config.fetch } : {}),
      consent: {
        appId,
        userId: config.userId,
        declared: opened.privacyScopes,
        backend: consentStore,
        prompt: config.onConsent,
        settings: config.openSetting,
      },
      ...(config.device ? { device: config.device } : {}),
      onError: (e) => config.onError?.({ appId, ...e }),
      onPage: (e) => {
        if (e.type === 'destroy') {
          const i = pages.findIndex((p) => p.pageId === e.pageId);
          if (i >= 0) pages.splice(i, 1);
        }
        if ((e.type === 'create' || e.type === 'show') && e.route) preload(e.route);
      },
      loadSubpackage: async (root) => logicSources(await subpackages.load(root)),
    });
    // Node hosts have no network information: "wifi" rules count as allowed.
    const preload = (route: string) =>
      subpackages.preloadFor(route, undefined, (err) =>
        config.onError?.({ appId, message: err.message, where: 'preloadRule' }),
      );
    const factory: ViewFactory = {
      create: async (pageId, route, onMessage): Promise<PageViewHandle> => {
        const files = await pageFiles(pkg, manifest, route);
        const templates = createTemplateContext(files.scripts);
        const root = doc.createElement('wx-page');
        root.setAttribute('data-route', route);
        doc.body.appendChild(root);
        pages.push({ pageId, route, root });
        const view = new PageView({
          doc,
          root,
          pageId,
          route,
          template: (path) => templates.template(path),
          resolveComponent: (owner, tag) => {
            const u = using[owner];
            return u && Object.hasOwn(u, tag) ? u[tag] : undefined;
          },
          scopeOf: (path) => (Object.hasOwn(scopes, path) ? scopes[path] : undefined),
          post: (m) => {
            if (m.type === 'rendered' && timings.firstRender === undefined) {
              timings.total = performance.now() - t0;
              timings.firstRender =
                timings.total -
                timings.resolve -
                timings.download -
                timings.verify -
                (timings.logicBoot ?? 0);
              analytics.launch(timings, opened.source === 'network');
            }
            activity++;
            onMessage(JSON.parse(JSON.stringify(m)));
          },
        });
        return {
          init: (d) => view.init(d),
          applyData: (id, seq, p, external) => view.applyData(id, seq, p, external),
          trigger: (id, n, d, o) => view.trigger(id, n, d, o),
          query: async (q, scope) => view.query(q, scope),
          show: () => root.removeAttribute('hidden'),
          hide: () => root.setAttribute('hidden', ''),
          destroy: () => {
            view.destroy();
            root.remove();
          },
        };
      },
    };

    const tBoot = performance.now();
    const boot: LogicBoot = {
      appId,
      pages: [...manifest.pages, ...manifest.subpackages.flatMap((s) => s.pages)],
      // the realm asks for each subpackage's code, even one the host opened already
      subpackageRoots: manifest.subpackages.map((s) => s.root),
      tabBarPages: manifest.tabBar?.list.map((t) => t.pagePath) ?? [],
      entryPagePath: manifest.entryPagePath,
      storage: storage.snapshot(),
      storageLimitBytes: config.storageLimitBytes ?? DEFAULT_STORAGE_LIMIT,
      systemInfo: systemInfo({
        platform: 'node',
        screen: { width: 375, height: 667 },
        window: { width: 375, height: 667 },
        pixelRatio: 1,
        language: 'en',
        theme: 'light',
        system: `Node.js ${process.versions.node}`,
        menuButton: capsuleRect(375),
        locationEnabled: config.device?.getLocation !== undefined,
      }),
      launchQuery: options.query ?? {},
    };
    const worker = new Worker(LOGIC_THREAD, {
      workerData: {
        bundle: await realmBundle(),
        boot: JSON.stringify(boot),
        sources: await logicSources(opened.main),
      },
      resourceLimits: { maxOldGenerationSizeMb: config.logicHeapMb ?? 128 },
      env: {},
      stdout: true,
      stderr: true,
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: { type?: string; level?: string; text?: string }) => {
        if (m?.type === 'ready') {
          resolve();
          return;
        }
        if (m?.type === 'log') {
          config.onLog?.({ appId, level: String(m.level), text: String(m.text) });
          return;
        }
        activity++;
        session.fromLogic(m, factory);
      });
    });
    worker.on('error', (err) => config.onError?.({ appId, message: err.message, where: 'logic worker' }));
    session.attachLogic({
      send: (m: HostMessage) => {
        activity++;
        worker.postMessage(m);
      },
      terminate: () => void worker.terminate(),
    });
    await ready;
    timings.logicBoot = performance.now() - tBoot;
    session.send({
      type: 'launch',
      path: (options.path ?? manifest.entryPagePath).replace(/^\/+/, ''),
      query: options.query ?? {},
    });
    reportUpdate(opened.updateOutcome, (m) => session.send(m));

    const settle = async () => {
      let seen = -1;
      for (let quiet = 0; quiet < 3; ) {
        await new Promise((r) => setTimeout(r, 10));
        if (activity === seen) quiet++;
        else {
          quiet = 0;
          seen = activity;
        }
      }
    };
    return {
      appId,
      version: opened.version,
      source: opened.source,
      ...(opened.update ? { update: opened.update } : {}),
      timings,
      pages: () => pages.map((p) => ({ route: p.route, root: p.root })),
      settle,
      navigateBack: () => session.send({ type: 'navigateBack' }),
      close: async () => {
        session.close();
        await worker.terminate();
      },
    };
  }

  return {
    launch,
    async preload(appId: string) {
      const o = await openMiniProgram({
        client,
        cache,
        publicKeys: config.publicKeys,
        revocations,
        appId,
        userId: config.userId,
        platform,
      });
      return { version: o.version };
    },
  };
}

export { createTemplateContext } from './view-context.ts';
