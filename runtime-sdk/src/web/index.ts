// @tessera/runtime-sdk/web — the browser host API. Each launched mini-program gets an invisible
// sandboxed logic frame running a Web Worker, and one sandboxed frame per open page.

import { Analytics } from '../core/analytics.ts';
import type { HostMessage, LogicBoot } from '../core/bridge.ts';
import type { ConsentPrompt, ConsentSettings } from '../core/consent.ts';
import {
  type LaunchPolicy,
  type LaunchTimings,
  type OfflineCache,
  type OpenedMiniProgram,
  openMiniProgram,
  reportUpdate,
} from '../core/launcher.ts';
import {
  logicSources,
  pageBar,
  pageFiles,
  pageTitle,
  pageWindow,
  scopeTable,
} from '../core/package-files.ts';
import type { HostApiDefinition, MenuItemDefinition } from '../core/permissions.ts';
import { menuItemsFor } from '../core/permissions.ts';
import { localStorageRevocations, type RevocationStore, SigningKeyRevocations } from '../core/revocation.ts';
import { type DeviceApis, Session, type ViewFactory } from '../core/session.ts';
import { createScopedStorage, DEFAULT_STORAGE_LIMIT, type KeyValueBackend } from '../core/storage.ts';
import { StoreClient, type StoreCredentials } from '../core/store-client.ts';
import type { ConnectionInfo } from '../core/subpackages.ts';
import { capsuleRect, systemInfo } from '../core/system-info.ts';
import { importTrustedKeys, type PublicKeyInput } from '../package/keys.ts';
import { negotiateDeviceKeyPair } from '../package/wrap.ts';
import { type AssetContext, createAssetSource, imageUrl, previewUrl } from './assets.ts';
import { browserDevice } from './device.ts';
import { IdbOfflineCache } from './idb-cache.ts';
import { type LogicRealm, startLogicRealm } from './logic-realm.ts';
import { PageFrame } from './page-frame.ts';
import { createShell, showError } from './shell.ts';
import { loadUi, setChunkBase } from './ui-chunk.ts';

declare const __TESSERA_WORKER_SOURCE__: string | undefined;
declare const __TESSERA_VIEW_SOURCE__: string | undefined;

export interface TesseraConfig {
  storeUrl: string;
  credentials: StoreCredentials;
  /** The tenant's public signing keys (SPKI base64): anything not signed by one is refused. */
  publicKeys: PublicKeyInput[];
  /** Signing key ids no longer trusted although publicKeys lists them (launch answers add more). */
  revokedSigningKeyIds?: string[];
  /** Where revocations learned from the store are kept (default: the page origin's localStorage). */
  revocationStore?: RevocationStore;
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
  /**
   * network-first or cache-first with background update; default: the HostApp's update policy
   * decides (see core/launcher.ts).
   */
  policy?: LaunchPolicy;
  storageLimitBytes?: number;
  login?: () => Promise<{ code: string }>;
  onError?(e: { appId: string; message: string; where: string }): void;
  /**
   * Asks the user for a privacy scope a mini-program declared (wx.authorize, or an API that
   * needs it); default: the SDK's own dialog. The decision is remembered per mini-program and user.
   */
  onConsent?: ConsentPrompt;
  /** wx.openSetting's page; default: the SDK's own. */
  openSetting?: ConsentSettings;
  /** Where privacy decisions are kept (default: the page origin's localStorage). */
  consentStore?: KeyValueBackend;
  /** Device APIs (location, clipboard, user profile) over the browser's defaults. */
  device?: DeviceApis;
  /** The user tapped a host menu item in the capsule's "more" sheet. */
  onMenuItem?(e: { appId: string; id: string }): void;
  /** The user closed the mini-program with the capsule's close button. */
  onClose?(e: { appId: string }): void;
  /**
   * wx.getUpdateManager().applyUpdate(): the mini-program asks to restart on the version its
   * update check just cached; close it and launch it again. Without this the call fails.
   */
  onApplyUpdate?(e: { appId: string }): void;
  onTiming?(e: { appId: string; timings: LaunchTimings }): void;
  fetch?: typeof fetch;
  /** Realm bundles; the built SDK embeds them, so only unbundled use needs these. */
  workerSource?: string;
  viewSource?: string;
  /**
   * The URL of the folder that serves the SDK's chunk files (tessera-ui.js), when that is not
   * the folder of the SDK's own script (an app that bundles the SDK).
   */
  chunkBase?: string;
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
  /**
   * Resolves, downloads and verifies appId now; a launch(appId) within a minute runs that
   * verified package without asking the store again.
   */
  preload(appId: string): Promise<{ version: string }>;
  /** Resolves once the pre-warmed realms (logic, first page frame) are up (no-op with prewarm: false). */
  ready(): Promise<void>;
  close(appId?: string): void;
}

const noop = () => {};
const noAssets = async () => null;

type Movable = HTMLElement & { moveBefore?(node: Node, child: Node | null): void };

/** A preload(appId) older than this is not used by launch(): the store is asked again. */
const PRELOAD_TTL_MS = 60_000;

/** The browser's view of the network (Network Information API, where available). */
const connection = () => (globalThis.navigator as { connection?: ConnectionInfo } | undefined)?.connection;

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
  // Opens the IndexedDB database now rather than on the first launch's critical path.
  cache?.versions('').catch(noop);
  const running = new Map<string, RunningMiniProgram>();
  setChunkBase(config.chunkBase);
  const workerSource =
    config.workerSource ?? (typeof __TESSERA_WORKER_SOURCE__ === 'string' ? __TESSERA_WORKER_SOURCE__ : '');
  const viewSource =
    config.viewSource ?? (typeof __TESSERA_VIEW_SOURCE__ === 'string' ? __TESSERA_VIEW_SOURCE__ : '');

  let realmHolder: HTMLElement | undefined;
  let warmLogic: Promise<LogicRealm> | undefined;
  // A page frame with the view runtime loaded, moved into the next launch's shell (moveBefore
  // keeps a frame's document; where the browser lacks it, launches create their own).
  let warmPage: { frame: HTMLIFrameElement; page: Promise<PageFrame> } | undefined;
  const prewarm = () => {
    const doc = globalThis.document;
    if (config.prewarm === false || !doc?.body || !workerSource) return;
    if (!realmHolder) {
      realmHolder = doc.createElement('div');
      realmHolder.className = 'tessera-realms';
      realmHolder.hidden = true;
      doc.body.appendChild(realmHolder);
    }
    if (!warmLogic) {
      warmLogic = startLogicRealm(realmHolder, workerSource);
      warmLogic.catch(() => {
        warmLogic = undefined;
      });
    }
    if (!warmPage && viewSource && typeof (realmHolder as Movable).moveBefore === 'function') {
      const w = PageFrame.start(realmHolder, viewSource, noAssets);
      warmPage = w;
      w.page.catch(() => {
        if (warmPage === w) warmPage = undefined;
        w.frame.remove();
      });
    }
  };
  /** Moves the warm page frame into `parent` (same document), or undefined. */
  const takeWarmPage = (parent: HTMLElement): Promise<PageFrame> | undefined => {
    const w = warmPage;
    warmPage = undefined;
    if (!w) return undefined;
    try {
      (parent as Movable).moveBefore?.(w.frame, null);
    } catch {
      // e.g. a container in another document or not connected
    }
    if (w.frame.parentNode === parent) return w.page;
    w.frame.remove();
    return undefined;
  };
  prewarm();

  // Imported once, not per launch (two WebCrypto round trips each on the launch path).
  const trustedKeys = importTrustedKeys(config.publicKeys);
  trustedKeys.catch(() => {}); // reported by the launch that needs them
  const revocations = new SigningKeyRevocations(
    config.revokedSigningKeyIds,
    config.revocationStore ?? localStorageRevocations(),
  );
  // The next store request's ephemeral device key pair is generated ahead (in memory, not
  // app-specific; X25519 where this browser's WebCrypto has it, else P-256); each pair is
  // handed out once.
  const freshKey = () => {
    const k = negotiateDeviceKeyPair();
    k.catch(noop); // reported by the launch that uses it
    return k;
  };
  let nextKey = freshKey();
  const deviceKey = () => {
    const k = nextKey;
    nextKey = freshKey();
    return k;
  };
  const open = async (appId: string, onRequestSent?: () => void) =>
    openMiniProgram({
      client,
      cache,
      publicKeys: await trustedKeys,
      revocations,
      deviceKey,
      ...(onRequestSent ? { onRequestSent } : {}),
      appId,
      userId: config.userId,
      attributes: config.attributes,
      platform: 'web',
      connection,
      ...(config.policy ? { policy: config.policy } : {}),
    });

  // preload(appId) results a launch may use instead of resolving again (taken once).
  const preloaded = new Map<string, { at: number; opened: Promise<OpenedMiniProgram> }>();
  const takePreloaded = (appId: string): Promise<OpenedMiniProgram> | undefined => {
    const p = preloaded.get(appId);
    preloaded.delete(appId);
    return p && performance.now() - p.at < PRELOAD_TTL_MS ? p.opened : undefined;
  };

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
    const tOpen = performance.now();
    let requestSent = () => {};
    const sent = new Promise<void>((resolve) => {
      requestSent = resolve;
    });
    const pre = takePreloaded(appId);
    if (pre) requestSent();
    const opening = pre ?? open(appId, requestSent);
    // Both realms start while the package is resolved, downloaded and verified: the logic
    // frame and its worker, and the frame for the entry page. Creating a frame is synchronous
    // main-thread work, so it waits until the launch request is on its way.
    await Promise.race([sent, opening.then(noop, noop)]);
    // Also the shell: its first layout (fonts) would hold up the request otherwise.
    const shell = createShell(options.container);
    const logicRealm = warmLogic ?? startLogicRealm(shell.root, workerSource);
    warmLogic = undefined;
    const assetCtx: AssetContext = {};
    const assets = createAssetSource(assetCtx, config.fetch ?? globalThis.fetch.bind(globalThis), (message) =>
      config.onError?.({ appId, message, where: 'image' }),
    );
    const warmFrame = () => PageFrame.start(shell.pages, viewSource, assets).page;
    const entryShell =
      takeWarmPage(shell.pages)?.then((f) => {
        f.useAssets(assets);
        return f;
      }) ?? warmFrame();
    const opened = await opening;
    const { pkg, manifest, subpackages } = opened;
    assetCtx.pkg = pkg;
    assetCtx.download = opened.domains.download;
    const tOpened = performance.now();
    const entryRoute = (options.path ?? manifest.entryPagePath).replace(/^\/+/, '').replace(/\?.*$/, '');
    // `session` is created below; a tab tap can only happen after the tab bar is on screen
    let tapTab: (tab: { index: number; pagePath: string; text: string }) => void = noop;
    const tabBar = manifest.tabBar
      ? (await loadUi()).createTabBar(
          doc,
          manifest.tabBar,
          (path) => imageUrl(assets, path),
          (tab) => tapTab(tab),
        )
      : undefined;
    if (tabBar && manifest.tabBar) shell.mountTabBar(tabBar.el, manifest.tabBar.position ?? 'bottom');
    const showRoute = (route: string) => {
      shell.setTitle(pageTitle(manifest, route));
      shell.setBar(pageBar(manifest, route));
      tabBar?.select(route);
    };
    let closeByUser = () => {};
    shell.brand(opened.branding, pageTitle(manifest, entryRoute), {
      menu: () => menuItemsFor(config.menuItems ?? [], appId, opened.permissions),
      onMenuItem: (id) => config.onMenuItem?.({ appId, id }),
      onClose: () => closeByUser(),
    });
    showRoute(entryRoute);
    const openTotal = tOpened - tOpen;
    // A preloaded launch spent its resolve, download and verify before launch(): only the wait
    // for that result counts here.
    const timings: LaunchTimings = {
      ...(pre ? { resolve: 0, download: 0, verify: 0 } : opened.timings),
      setup: tOpen - t0,
    };
    // Whatever open() spent beyond its own phases (e.g. the main thread busy loading frames).
    timings.resolve += Math.max(0, openTotal - timings.resolve - timings.download - timings.verify);
    const using = Object.fromEntries(manifest.entries.map((e) => [e.path, e.usingComponents]));
    const scopes = scopeTable(manifest);

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
    const device = { ...browserDevice(), ...config.device };
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
      consent: {
        appId,
        userId: config.userId,
        declared: opened.privacyScopes,
        backend: config.consentStore ?? localStorageBackend(),
        prompt: config.onConsent ?? ((req) => shell.consent(req)),
        settings: config.openSetting ?? ((req) => shell.settings(req.scopes)),
      },
      device,
      ui: {
        setNavigationBarTitle: shell.setTitle,
        setNavigationBarColor: shell.colorBar,
        showToast: shell.toast,
        showModal: shell.modal,
        showActionSheet: shell.actionSheet,
        previewImage: async (o) =>
          shell.previewImage(await Promise.all(o.urls.map((u) => previewUrl(assets, u))), o.current),
        tabBar: (op) => {
          if (!tabBar) throw new Error('this mini-program has no tabBar in app.json');
          tabBar.apply(op);
        },
      },
      onError: (e) => config.onError?.({ appId, ...e }),
      ...(config.onApplyUpdate ? { applyUpdate: () => config.onApplyUpdate?.({ appId }) } : {}),
      onPage: (e) => {
        if (e.type === 'destroy') {
          const i = stack.findIndex((s) => s.pageId === e.pageId);
          if (i >= 0) stack.splice(i, 1);
        }
        if (e.type === 'show' && e.route) {
          showRoute(e.route);
          preload(e.route);
        }
        updateBar();
      },
      loadSubpackage: async (root) => {
        shell.loading(true);
        try {
          return await logicSources(await subpackages.load(root));
        } catch (err) {
          shell.alert(err instanceof Error ? err.message : String(err));
          throw err;
        } finally {
          shell.loading(false);
        }
      },
    });
    assetCtx.temp = (path) => session.tempFile(path);
    const preload = (route: string) =>
      subpackages.preloadFor(route, connection(), (err) =>
        config.onError?.({ appId, message: err.message, where: 'preloadRule' }),
      );

    // Page frames: the entry page's was warmed during the download; after each first render a
    // spare one is warmed for the next navigation.
    const bootFrame = async (f: PageFrame, route: string) =>
      f.boot(await pageFiles(pkg, manifest, route), using, opened.domains.webView, scopes);
    // An entry page in a subpackage: its templates come with the subpackage, opened meanwhile.
    const entryRoot = subpackages.rootOf(entryRoute);
    const entryCode = entryRoot ? subpackages.load(entryRoot) : undefined;
    let entryWarm: Promise<PageFrame> | undefined = entryShell.then(async (f) => {
      await entryCode;
      return bootFrame(f, entryRoute);
    });
    // a failure surfaces through the logic realm's own request for the subpackage
    entryWarm.catch(() => {});
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
        showRoute(route);
        updateBar();
        let shown = false;
        return f.attach(pageId, route, pageWindow(manifest, route), (data) => {
          if ((data as { type?: string })?.type === 'rendered') {
            if (!shown) {
              shown = true;
              preload(route);
            }
            if (!firstRenderSeen) {
              firstRenderSeen = true;
              shell.launched();
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
    const sourcesReady = logicSources(opened.main);
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
    tapTab = (tab) => session.send({ type: 'tab:tap', ...tab });
    onCleanup(() => {
      session.close();
      tabBar?.remove();
      shell.remove();
    });
    const win = doc.defaultView;
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
        platform: 'web',
        // the mini-program's screen is the container; its pages get what the bars leave
        screen: { width: shell.root.clientWidth || 375, height: shell.root.clientHeight || 667 },
        window: { width: shell.pages.clientWidth || 375, height: shell.pages.clientHeight || 623 },
        pixelRatio: win?.devicePixelRatio ?? 1,
        language: win?.navigator.language ?? 'en',
        theme: win?.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
        system: win?.navigator.userAgent.slice(0, 200) ?? 'web',
        menuButton: capsuleRect(shell.root.clientWidth || 375),
        locationEnabled: device.getLocation !== undefined,
      }),
      launchQuery: options.query ?? {},
    };
    logicPort.postMessage({ type: 'boot', boot, sources: await sourcesReady });
    const path = options.path ?? manifest.entryPagePath;
    shell.onBack(() => session.send({ type: 'navigateBack' }));
    // Queued right behind the boot: the realm opens the page as soon as it is up, without a
    // round trip through the host (its 'ready' still marks the end of logicBoot).
    session.send({ type: 'launch', path: path.replace(/^\/+/, ''), query: options.query ?? {} });
    reportUpdate(opened.updateOutcome, (m) => session.send(m));
    await ready;
    const tReady = performance.now();
    timings.logicBoot = tReady - tOpened;

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
    closeByUser = () => {
      handle.close();
      config.onClose?.({ appId });
    };
    running.set(appId, handle);
    return handle;
  }

  return {
    launch,
    async ready() {
      await Promise.all([warmLogic, warmPage?.page]);
    },
    async preload(appId) {
      const entry = { at: performance.now(), opened: open(appId) };
      preloaded.set(appId, entry);
      // Not kept past its use-by time: the verified package is dropped from memory.
      setTimeout(() => {
        if (preloaded.get(appId) === entry) preloaded.delete(appId);
      }, PRELOAD_TTL_MS);
      try {
        return { version: (await entry.opened).version };
      } catch (err) {
        if (preloaded.get(appId) === entry) preloaded.delete(appId);
        throw err;
      }
    },
    close(appId) {
      if (appId) running.get(appId)?.close();
      else for (const r of [...running.values()]) r.close();
    },
  };
}

export { IdbOfflineCache } from './idb-cache.ts';
