// One running mini-program on the host side: carries messages between the logic realm and
// the page views (validating everything that comes out of a realm), and performs the wx APIs
// that need the host, with the permission checks the realms cannot be trusted to make.

import { firstIssue } from '../protocol/schema-helpers.ts';
import type { Analytics } from './analytics.ts';
import { API_SCOPES } from './api-scopes.ts';
import {
  type HostMessage,
  type LogicMessage,
  LogicMessageSchema,
  type ViewMessage,
  ViewMessageSchema,
  type WirePatch,
} from './bridge.ts';
import { loadConsent, loadPageApis } from './chunks.ts';
import type { Consent, ConsentOptions } from './consent.ts';
import { Network, type NetworkType } from './network.ts';
import { type HostApiDefinition, hostApiAllowed, PermissionError } from './permissions.ts';
import type { ChooseFiles, TempFile } from './temp-files.ts';

export interface LogicChannel {
  send(msg: HostMessage): void;
  terminate(): void;
}

export interface PageViewHandle {
  init(data: Record<string, unknown>): void;
  /** externalClasses: with a component's first data, the class names it takes from its parent */
  applyData(id: number, seq: number, patches: WirePatch[], externalClasses?: string[]): void;
  trigger(
    id: number,
    name: string,
    detail: unknown,
    options: { bubbles: boolean; composed: boolean; capturePhase: boolean },
  ): void;
  show(): void;
  hide(): void;
  destroy(): void;
  /**
   * Selector query against the page's DOM, or only inside the element of component `scope`
   * (optional: headless views may not lay out).
   */
  query?(queries: SelectorQuery[], scope?: number): Promise<unknown[]>;
  /** wx.pageScrollTo: false when `selector` matches nothing (optional: headless views do not scroll). */
  scrollTo?(to: PageScroll): Promise<boolean>;
  /** wx.startPullDownRefresh (true) / stopPullDownRefresh (false) (optional, as scrollTo) */
  pullDownRefresh?(start: boolean): void;
  /** IntersectionObserver.observe (optional: headless views do not lay out) */
  observeIntersection?(o: Record<string, unknown>, scope?: number): Promise<void>;
  disconnectIntersection?(observer: number): void;
  /** this.animate (keyframes) / clearAnimation (`clear`), optional as scrollTo */
  animate?(a: Record<string, unknown>, scope?: number): Promise<void>;
}

export interface SelectorQuery {
  selector: string;
  all: boolean;
  fields: Array<'rect' | 'size' | 'scrollOffset' | 'id' | 'dataset'>;
}

export interface PageScroll {
  scrollTop: number;
  selector?: string;
  offsetTop: number;
  /** ms; 0 jumps */
  duration: number;
}

export interface ViewFactory {
  create(
    pageId: number,
    route: string,
    onMessage: (raw: unknown) => void,
  ): PageViewHandle | Promise<PageViewHandle>;
}

export interface ScopedStorage {
  set(key: string, value: string | null): void;
  clear(): void;
}

export interface HostUi {
  showToast?(o: { title: string; icon?: string; duration?: number }): void;
  showModal?(o: ModalOptions): Promise<{ confirm: boolean }>;
  /** Resolves to the tapped item's index, or undefined when the user cancels. */
  showActionSheet?(o: {
    itemList: string[];
    itemColor?: string;
    alertText?: string;
  }): Promise<number | undefined>;
  setNavigationBarTitle?(title: string): void;
  /** wx.setNavigationBarColor: the current page's bar (frontColor is black or white text). */
  setNavigationBarColor?(o: { text: 'black' | 'white'; background?: string }): void;
  /** The host-drawn tab bar; throws (with the reason) for an index it does not have. */
  tabBar?(op: TabBarOp): void;
  showLoading?(o: { title: string }): void;
  hideLoading?(): void;
  /** wx.previewImage: the mini-program's image paths (package, wxfile://, https in its download list) */
  previewImage?(o: { urls: string[]; current: number }): Promise<void>;
}

export interface ModalOptions {
  title: string;
  content: string;
  showCancel: boolean;
  confirmText: string;
  cancelText: string;
}

/** What the wx tab bar APIs ask of the host's tab bar. */
export type TabBarOp =
  | { op: 'badge'; index: number; text: string | null }
  | { op: 'redDot'; index: number; on: boolean }
  | { op: 'visible'; on: boolean }
  | {
      op: 'style';
      color?: string;
      selectedColor?: string;
      backgroundColor?: string;
      borderStyle?: 'black' | 'white';
    }
  | { op: 'item'; index: number; text?: string; iconPath?: string; selectedIconPath?: string };

/** wx APIs that need the device: the host provides them (the web SDK has browser defaults). */
export interface DeviceApis {
  getLocation?(o: { type: 'wgs84' | 'gcj02'; altitude: boolean }): Promise<{
    latitude: number;
    longitude: number;
    accuracy?: number;
    altitude?: number;
    speed?: number;
  }>;
  getClipboardData?(): Promise<string>;
  setClipboardData?(data: string): Promise<void>;
  /** The signed-in user's public profile (wx.getUserInfo / wx.getUserProfile). */
  getUserInfo?(): Promise<{ nickName: string; avatarUrl?: string; [k: string]: unknown }>;
  /** wx.getNetworkType: 'wifi', '2g'…'5g', 'ethernet', 'unknown' or 'none'. */
  networkType?(): NetworkType;
  /** Calls back when the network type changes (wx.onNetworkStatusChange); returns an unsubscribe. */
  onNetworkChange?(fn: (type: NetworkType) => void): () => void;
  /** wx.vibrateShort (15 ms) / vibrateLong (400 ms) */
  vibrate?(ms: number): void;
  /** wx.chooseImage / chooseMedia: the files the user picked, none when they cancel. */
  chooseFiles?: ChooseFiles;
}

const MAX_CLIPBOARD_CHARS = 1 << 20;

export interface SessionOptions {
  appId: string;
  userId?: string | undefined;
  domains: { request: string[]; download: string[]; upload: string[]; socket: string[]; webView: string[] };
  permissions: string[];
  hostApis: Record<string, HostApiDefinition>;
  storage: ScopedStorage;
  fetch?: typeof fetch;
  ui?: HostUi;
  login?: () => Promise<{ code: string }>;
  /** The user's privacy decisions for this mini-program (wx.authorize and the APIs it gates). */
  consent?: ConsentOptions;
  /** wx.getUpdateManager().applyUpdate(): restart the mini-program on the version just cached */
  applyUpdate?: () => void;
  device?: DeviceApis;
  analytics?: Analytics;
  /** Opens a subpackage (download, verify, decrypt) and returns its logic modules. */
  loadSubpackage?(root: string): Promise<Record<string, string>>;
  onError?(err: { message: string; where: string }): void;
  onPage?(e: { type: 'create' | 'destroy' | 'show' | 'hide'; pageId: number; route?: string }): void;
}

export class BridgeError extends Error {
  readonly code = 'BRIDGE_MESSAGE_INVALID';
  constructor(from: string, detail: string) {
    super(`dropped an invalid message from the ${from} realm: ${detail}`);
    this.name = 'BridgeError';
  }
}

export class Session {
  readonly #o: SessionOptions;
  readonly #views = new Map<number, Promise<PageViewHandle>>();
  readonly #routes = new Map<number, string>();
  #logic: LogicChannel | undefined;
  #closed = false;

  readonly #network: Network;
  readonly #unwatchNetwork: (() => void) | undefined;

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#network = new Network({
      domains: options.domains,
      emit: (taskId, event) => this.send({ type: 'task', taskId, event }),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.#unwatchNetwork = options.device?.onNetworkChange?.((networkType) =>
      this.send({ type: 'network', networkType, isConnected: networkType !== 'none' }),
    );
  }

  /** A file this mini-program downloaded (wxfile://tmp/…), for its pages' images. */
  tempFile(path: string): TempFile | undefined {
    return this.#network.tempFile(path);
  }

  attachLogic(channel: LogicChannel): void {
    this.#logic = channel;
  }

  send(msg: HostMessage): void {
    if (!this.#closed) this.#logic?.send(msg);
  }

  #error(message: string, where: string): void {
    this.#o.analytics?.error(`${where}: ${message}`);
    this.#o.onError?.({ message, where });
  }

  #withView(pageId: number, fn: (v: PageViewHandle) => void): void {
    const v = this.#views.get(pageId);
    if (!v) return;
    v.then(fn).catch((err: unknown) => this.#error(err instanceof Error ? err.message : String(err), 'view'));
  }

  /** A message from the logic realm (untrusted: runs mini-program code). */
  fromLogic(raw: unknown, factory: ViewFactory): void {
    if (this.#closed) return;
    const parsed = LogicMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.#error(new BridgeError('logic', firstIssue(parsed.error)).message, 'bridge');
      return;
    }
    const msg: LogicMessage = parsed.data;
    switch (msg.type) {
      case 'ready':
        return;
      case 'page:create': {
        this.#routes.set(msg.pageId, msg.route);
        const created = Promise.resolve(
          factory.create(msg.pageId, msg.route, (m) => this.fromView(msg.pageId, m)),
        );
        const p = created.then((v) => {
          v.init(msg.data);
          return v;
        });
        this.#views.set(msg.pageId, p);
        // Hide the page below (a fresh page is shown on top).
        for (const [id, other] of this.#views)
          if (id !== msg.pageId) other.then((v) => v.hide()).catch(() => {});
        this.#o.onPage?.({ type: 'create', pageId: msg.pageId, route: msg.route });
        this.#o.analytics?.pageView(msg.route);
        p.catch((err: unknown) =>
          this.#error(err instanceof Error ? err.message : String(err), `page ${msg.route}`),
        );
        return;
      }
      case 'page:destroy':
        this.#withView(msg.pageId, (v) => v.destroy());
        this.#views.delete(msg.pageId);
        this.#o.onPage?.({ type: 'destroy', pageId: msg.pageId });
        return;
      case 'page:show':
        this.#withView(msg.pageId, (v) => v.show());
        this.#o.onPage?.({ type: 'show', pageId: msg.pageId, route: this.#routes.get(msg.pageId) ?? '' });
        return;
      case 'page:hide':
        this.#withView(msg.pageId, (v) => v.hide());
        this.#o.onPage?.({ type: 'hide', pageId: msg.pageId });
        return;
      case 'data':
        this.#withView(msg.pageId, (v) => v.applyData(msg.id, msg.seq, msg.patches, msg.externalClasses));
        return;
      case 'trigger':
        this.#withView(msg.pageId, (v) => v.trigger(msg.id, msg.name, msg.detail, msg.options));
        return;
      case 'api':
        this.#callApi(msg.callId, msg.name, msg.args);
        return;
      case 'storage:set':
        this.#o.storage.set(msg.key, msg.value);
        return;
      case 'storage:clear':
        this.#o.storage.clear();
        return;
      case 'error':
        this.#error(msg.message, msg.where);
        return;
      case 'subpackage:load':
        this.#loadSubpackage(msg.root);
        return;
    }
  }

  #loadSubpackage(root: string): void {
    const load =
      this.#o.loadSubpackage ?? (() => Promise.reject(new Error('this host cannot load subpackages')));
    load(root).then(
      (sources) => this.send({ type: 'subpackage:ready', root, sources }),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.#error(message, 'subpackage');
        this.send({ type: 'subpackage:failed', root, error: message });
      },
    );
  }

  /** A message from a page view (untrusted: runs compiled templates and wxs). */
  fromView(pageId: number, raw: unknown): void {
    if (this.#closed) return;
    const parsed = ViewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.#error(new BridgeError('view', firstIssue(parsed.error)).message, 'bridge');
      return;
    }
    const msg: ViewMessage = parsed.data;
    if ('pageId' in msg && msg.pageId !== pageId) {
      this.#error(
        new BridgeError('view', `page ${pageId} sent ${msg.type} for page ${msg.pageId}`).message,
        'bridge',
      );
      return;
    }
    if (msg.type === 'error') {
      this.#error(msg.message, `view ${this.#routes.get(pageId) ?? pageId}`);
      return;
    }
    this.send(msg);
  }

  #reply(callId: number, ok: boolean, value?: unknown, error?: string): void {
    const m: HostMessage = { type: 'api:result', callId, ok };
    if (value !== undefined) m.value = value;
    if (error !== undefined) m.error = error;
    this.send(m);
  }

  #callApi(callId: number, name: string, args: unknown): void {
    this.#api(name, (args ?? {}) as Record<string, unknown>).then(
      (value) => this.#reply(callId, true, value),
      (err: unknown) =>
        this.#reply(
          callId,
          false,
          undefined,
          `${name}:fail ${err instanceof Error ? err.message : String(err)}`,
        ),
    );
  }

  async #api(name: string, a: Record<string, unknown>): Promise<unknown> {
    const o = this.#o;
    const scope = Object.hasOwn(API_SCOPES, name) ? API_SCOPES[name] : undefined;
    if (scope) await (await this.#consent('auth deny')).require(scope);
    switch (name) {
      case 'authorize':
        await (await this.#consent('auth deny')).authorize(String(a.scope ?? ''));
        return {};
      case 'getSetting':
        return { authSetting: o.consent ? (await this.#consent('')).authSetting() : {} };
      case 'openSetting':
        return {
          authSetting: await (await this.#consent('the host app has no settings page')).openSetting(),
        };
      case 'getLocation':
        return this.#device('getLocation')({
          type: a.type === 'gcj02' ? 'gcj02' : 'wgs84',
          altitude: a.altitude === true || a.altitude === 'true',
        });
      case 'getClipboardData':
        return { data: await this.#device('getClipboardData')() };
      case 'setClipboardData':
        await this.#device('setClipboardData')(String(a.data ?? '').slice(0, MAX_CLIPBOARD_CHARS));
        return {};
      case 'vibrateShort':
      case 'vibrateLong':
        this.#device('vibrate')(name === 'vibrateLong' ? 400 : 15);
        return {};
      case 'chooseImage':
      case 'chooseMedia':
        return this.#network.choose(name, a, this.#device('chooseFiles'));
      case 'getUserInfo':
      case 'getUserProfile':
        return { userInfo: await this.#device('getUserInfo')() };
      case 'request':
        return this.#network.request(a);
      case 'downloadFile':
      case 'uploadFile':
      case 'connectSocket':
        return this.#network.transfer(name, a);
      case 'socket:send':
        return this.#network.socket('socketSend', a);
      case 'socket:close':
        return this.#network.socket('socketClose', a);
      case 'task:abort':
        this.#network.abort(a);
        return {};
      case 'getNetworkType':
        return { networkType: o.device?.networkType?.() ?? 'unknown' };
      case 'invokeHostApi': {
        const api = String(a.name ?? '');
        const def = Object.hasOwn(o.hostApis, api) ? o.hostApis[api] : undefined;
        if (!hostApiAllowed(api, def, o.appId, o.permissions)) {
          throw new PermissionError(
            'HOST_API_NOT_ALLOWED',
            `host API "${api}" is not available to ${o.appId}; the HostApp must list this mini-program for it`,
          );
        }
        return { result: await def.handler(a.params, { appId: o.appId, userId: o.userId }) };
      }
      case 'login':
        if (!o.login) throw new Error('the host app does not provide login');
        return o.login();
      case 'showToast':
        o.ui?.showToast?.({ title: String(a.title ?? '').slice(0, 200), icon: String(a.icon ?? 'success') });
        return {};
      case 'showLoading':
        o.ui?.showLoading?.({ title: String(a.title ?? '').slice(0, 200) });
        return {};
      case 'hideLoading':
      case 'hideToast':
        o.ui?.hideLoading?.();
        return {};
      case 'applyUpdate':
        if (!o.applyUpdate) throw new Error('not supported by this host');
        o.applyUpdate();
        return {};
      case 'reportAnalytics':
        o.analytics?.custom(a.eventName, a.data);
        return {};
      case 'setNavigationBarTitle':
        o.ui?.setNavigationBarTitle?.(String(a.title ?? '').slice(0, 200));
        return {};
      default:
        // the rest asks the page's view or the host's UI: a chunk of its own on the web
        return (await loadPageApis()).pageApi(name, a, {
          ui: o.ui,
          view: async (pageId) => this.#views.get(pageId),
        });
    }
  }

  #consentFlows: Promise<Consent> | undefined;

  /** The consent flows (a chunk on the web), made on first use; `refusal` when the host has none. */
  #consent(refusal: string): Promise<Consent> {
    const c = this.#o.consent;
    if (!c) return Promise.reject(new Error(refusal));
    this.#consentFlows ??= loadConsent().then((m) => new m.Consent(c));
    return this.#consentFlows;
  }

  #device<K extends keyof DeviceApis>(name: K): NonNullable<DeviceApis[K]> {
    const fn = this.#o.device?.[name];
    if (!fn) throw new Error(`the host app does not provide ${name}`);
    return fn.bind(this.#o.device) as NonNullable<DeviceApis[K]>;
  }

  close(): void {
    if (this.#closed) return;
    for (const v of this.#views.values()) v.then((x) => x.destroy()).catch(() => {});
    this.#views.clear();
    this.#logic?.terminate();
    this.#network.close();
    this.#unwatchNetwork?.();
    this.#closed = true;
    void this.#o.analytics?.flush();
  }
}
