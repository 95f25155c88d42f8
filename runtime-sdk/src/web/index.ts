// @tessera/runtime-sdk/web — the browser host API. Each launched mini-program gets an invisible
// sandboxed logic frame running a Web Worker, and one sandboxed frame per open page.

import { Analytics } from '../core/analytics.ts';
import type { HostMessage, LogicBoot } from '../core/bridge.ts';
import {
  type LaunchPolicy,
  type LaunchTimings,
  type OfflineCache,
  openMiniProgram,
} from '../core/launcher.ts';
import { logicSources, pageFiles } from '../core/package-files.ts';
import type { HostApiDefinition, MenuItemDefinition } from '../core/permissions.ts';
import { menuItemsFor } from '../core/permissions.ts';
import { Session, type ViewFactory } from '../core/session.ts';
import { createScopedStorage, DEFAULT_STORAGE_LIMIT, type KeyValueBackend } from '../core/storage.ts';
import { StoreClient, type StoreCredentials } from '../core/store-client.ts';
import type { PublicKeyInput } from '../package/keys.ts';
import { type AssetContext, createAssetSource } from './assets.ts';
import { IdbOfflineCache } from './idb-cache.ts';
import { type LogicRealm, startLogicRealm } from './logic-realm.ts';
import { PageFrame } from './page-frame.ts';
import { createShell, showError } from './shell.ts';

declare const __TESSERA_WORKER_SOURCE__: string | undefined;
declare const __TESSERA_VIEW_SOURCE__: string | undefined;

export interface TesseraConfig {
  storeUrl: string;
  credentials: StoreCredentials;
  /** The tenant's public signing keys (SPKI base64): anything not signed by one is refused. */
  publicKeys: PublicKeyInput[];
  userId?: string;
  attributes?: Record<string, string | number | boolean>;
  hostApis?: Record<string, HostApiDefinition>;
  menuItems?: MenuItemDefinition[];
  /** false disables the IndexedDB offline cache. */
  offline?: boolean;
  /**
   * Keep one logic realm (sandboxed frame + worker, no mini-program code yet) started ahead
   * of the next launch, like a pre-warmed JS engine. Default true.
   */
  prewarm?: boolean;
  /** network-first (default) or cache-first with background update (see core/launcher.ts). */
  policy?: LaunchPolicy;
  storageLimitBytes?: number;
  login?: () => Promise<{ code: string }>;
  onError?(e: { appId: string; message: string; where: string }): void;
  onTiming?(e: { appId: string; timings: LaunchTimings }): void;
  fetch?: typeof fetch;
  /** Realm bundles; the built SDK embeds them, so only unbundled use needs these. */
  workerSource?: string;
  viewSource?: string;
}

export interface LaunchOptions {
  container: HTMLElement;
  path?: string;
  query?: Record<string, string>;
}

export interface RunningMiniProgram {
  appId: string;
  version: string;
  source: 'network' | 'offline' | 'cache';
  /** cache-first launches: resolves to the version the background update cached. */
  update?: Promise<string | undefined>;
  timings: LaunchTimings;
  /** Routes of the open pages, bottom to top. */
  pages(): string[];
  menuItems(): MenuItemDefinition[];
  navigateBack(): void;
  close(): void;
}

export interface Tessera {
  launch(appId: string, options: LaunchOptions): Promise<RunningMiniProgram>;
  preload(appId: string): Promise<{ version: string }>;
  /** Resolves once the pre-warmed logic realm is up (no-op with prewarm: false). */
  ready(): Promise<void>;
  close(appId?: string): void;
}

const localStorageBackend = (): KeyValueBackend => ({
  get: (k) => localStorage.getItem(k),
  set: (k, v) => localStorage.setItem(k, v),
  remove: (k) => localStorage.removeItem(k),
  keys: () => Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i) ?? ''),
});

export function createTessera(config: TesseraConfig): Tessera {
  const client = new StoreClient({
    storeUrl: config.storeUrl,
    credentials: config.credentials,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const cache: OfflineCache | undefined =
    config.offline === false ? undefined : new IdbOfflineCache(`${config.storeUrl}|${config.userId ?? ''}`);
  const running = new Map<string, RunningMiniProgram>();
  const workerSource =
    config.workerSource ?? (typeof __TESSERA_WORKER_SOURCE__ === 'string' ? __TESSERA_WORKER_SOURCE__ : '');
  const viewSource =
    config.viewSource ?? (typeof __TESSERA_VIEW_SOURCE__ === 'string' ? __TESSERA_VIEW_SOURCE__ : '');

  let realmHolder: HTMLElement | undefined;
  let warmLogic: Promise<LogicRealm> | undefined;
  const prewarm = () => {
    const doc = globalThis.document;
    if (config.prewarm === false || warmLogic || !doc?.body || !workerSource) return;
    if (!realmHolder) {
      realmHolder = doc.createElement('div');
      realmHolder.className = 'tessera-realms';
      realmHolder.hidden = true;
      doc.body.appendChild(realmHolder);
    }
    warmLogic = startLogicRealm(realmHolder, workerSource);
    warmLogic.catch(() => {
      warmLogic = undefined;
    });
  };
  const takeWarmLogic = (): Promise<LogicRealm> | undefined => {
    const w = warmLogic;
    warmLogic = undefined;
    return w;
  };
  prewarm();

  const open = (appId: string) =>
    openMiniProgram({
      client,
      cache,
      publicKeys: config.publicKeys,
      appId,
      userId: config.userId,
      attributes: config.attributes,
      platform: 'web',
      ...(config.policy ? { policy: config.policy } : {}),
    });

  async function launch(appId: string, options: LaunchOptions): Promise<RunningMiniProgram> {
    if (!workerSource || !viewSource)
      throw new Error('the SDK was not built with its realm bundles; use dist/');
    const t0 = performance.now();
    running.get(appId)?.close();
    let cleanup = () => {};
    try {
      return await start(appId, options, t0, (fn) => {
        cleanup = fn;
      });
    } catch (err) {
      cleanup();
      showError(options.container, appId, err);
      config.onError?.({ appId, message: err instanceof Error ? err.message : String(err), where: 'launch' });
      throw err;
    }
  }

  async function start(
    appId: string,
    options: LaunchOptions,
    t0: number,
    onCleanup: (fn: () => void) => void,
  ): Promise<RunningMiniProgram> {
    const doc = options.container.ownerDocument;
    const shell = createShell(options.container);
    // Both realms start while the package is resolved, downloaded and verified: the logic
    // frame and its worker, and the frame for the entry page (view runtime only for now).
    const logicRealm = takeWarmLogic() ?? startLogicRealm(shell.root, workerSource);
    const assetCtx: AssetContext = {};
    const assets = createAssetSource(assetCtx, config.fetch ?? globalThis.fetch.bind(globalThis), (message) =>
      config.onError?.({ appId, message, where: 'image' }),
    );
    const warmFrame = () => PageFrame.warm(shell.pages, viewSource, assets);
    const entryShell = warmFrame();
    const tOpen = performance.now();
    const opened = await open(appId);
    const { pkg, manifest } = opened;
    assetCtx.pkg = pkg;
    assetCtx.download = opened.domains.download;
    const tOpened = performance.now();
    shell.setTitle(manifest.window.navigationBarTitleText ?? '');
    const timings: LaunchTimings = { ...opened.timings, setup: tOpen - t0 };
    const openTotal = tOpened - tOpen;
    // Whatever open() spent beyond its own phases (e.g. the main thread busy loading frames).
    timings.resolve += Math.max(0, openTotal - timings.resolve - timings.download - timings.verify);
    const using = Object.fromEntries(manifest.entries.map((e) => [e.path, e.usingComponents]));

    const stack: Array<{ pageId: number; route: string }> = [];
    const updateBar = () => shell.setCanGoBack(stack.length > 1);
    const storage = createScopedStorage(
      localStorageBackend(),
      appId,
      config.userId,
      config.storageLimitBytes ?? DEFAULT_STORAGE_LIMIT,
      (message) => config.onError?.({ appId, message, where: 'storage' }),
    );
    let firstRenderSeen = false;
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
      ...(config.login ? { login: config.login } : {}),
      ui: { setNavigationBarTitle: shell.setTitle, showToast: shell.toast },
      onError: (e) => config.onError?.({ appId, ...e }),
      onPage: (e) => {
        if (e.type === 'destroy') {
          const i = stack.findIndex((s) => s.pageId === e.pageId);
          if (i >= 0) stack.splice(i, 1);
        }
        updateBar();
      },
    });

    // Page frames: the entry page's was warmed during the download; after each first render a
    // spare one is warmed for the next navigation.
    const bootFrame = async (f: PageFrame, route: string) =>
      f.boot(await pageFiles(pkg, manifest, route), using, opened.domains.webView);
    const entryRoute = (options.path ?? manifest.entryPagePath).replace(/^\/+/, '').replace(/\?.*$/, '');
    let entryWarm: Promise<PageFrame> | undefined = entryShell.then((f) => bootFrame(f, entryRoute));
    let spare: Promise<PageFrame> | undefined;

    const factory: ViewFactory = {
      async create(pageId, route, onMessage) {
        let f: PageFrame;
        if (entryWarm && route === entryRoute) {
          f = await entryWarm;
          entryWarm = undefined;
        } else {
          const next = spare ?? warmFrame();
          spare = undefined;
          f = await bootFrame(await next, route);
        }
        stack.push({ pageId, route });
        updateBar();
        return f.attach(pageId, route, (data) => {
          if ((data as { type?: string })?.type === 'rendered') {
            if (!firstRenderSeen) {
              firstRenderSeen = true;
              const now = performance.now();
              timings.firstRender = now - tReady;
              timings.total = now - t0;
              config.onTiming?.({ appId, timings: { ...timings } });
              analytics.launch(timings, opened.source === 'network');
              setTimeout(prewarm, 0);
            }
            spare ??= new Promise((r) => setTimeout(r, 0)).then(warmFrame);
          }
          onMessage(data);
        });
      },
    };

    // Logic realm: invisible sandboxed frame → worker, talking to us over a private port.
    const sourcesReady = logicSources(pkg);
    const { frame: logicFrame, port: logicPort } = await logicRealm;
    const ready = new Promise<void>((resolve) => {
      logicPort.onmessage = (e: MessageEvent) => {
        if ((e.data as { type?: string })?.type === 'ready') resolve();
        session.fromLogic(e.data, factory);
      };
    });
    session.attachLogic({
      send: (m: HostMessage) => logicPort.postMessage(m),
      terminate: () => {
        logicPort.close();
        logicFrame.remove();
      },
    });
    onCleanup(() => {
      session.close();
      shell.remove();
    });
    const win = doc.defaultView;
    const boot: LogicBoot = {
      appId,
      pages: [...manifest.pages, ...manifest.subpackages.flatMap((s) => s.pages)],
      tabBarPages: manifest.tabBar?.list.map((t) => t.pagePath) ?? [],
      entryPagePath: manifest.entryPagePath,
      storage: storage.snapshot(),
      storageLimitBytes: config.storageLimitBytes ?? DEFAULT_STORAGE_LIMIT,
      systemInfo: {
        platform: 'web',
        SDKVersion: '0.1.0',
        windowWidth: win?.innerWidth ?? 375,
        windowHeight: win?.innerHeight ?? 667,
        pixelRatio: win?.devicePixelRatio ?? 1,
        language: win?.navigator.language ?? 'en',
      },
      launchQuery: options.query ?? {},
    };
    logicPort.postMessage({ type: 'boot', boot, sources: await sourcesReady });
    await ready;
    const tReady = performance.now();
    timings.logicBoot = tReady - tOpened;
    const path = options.path ?? manifest.entryPagePath;
    shell.onBack(() => session.send({ type: 'navigateBack' }));
    session.send({ type: 'launch', path: path.replace(/^\/+/, ''), query: options.query ?? {} });

    const handle: RunningMiniProgram = {
      appId,
      version: opened.version,
      source: opened.source,
      ...(opened.update ? { update: opened.update } : {}),
      timings,
      pages: () => stack.map((s) => s.route),
      menuItems: () => menuItemsFor(config.menuItems ?? [], appId, opened.permissions),
      navigateBack: () => session.send({ type: 'navigateBack' }),
      close: () => {
        session.close();
        shell.remove();
        running.delete(appId);
      },
    };
    running.set(appId, handle);
    return handle;
  }

  return {
    launch,
    async ready() {
      await warmLogic;
    },
    async preload(appId) {
      const o = await open(appId);
      return { version: o.version };
    },
    close(appId) {
      if (appId) running.get(appId)?.close();
      else for (const r of [...running.values()]) r.close();
    },
  };
}

export { IdbOfflineCache } from './idb-cache.ts';
export { lockdown } from './lockdown.ts';
