// The logic realm: mini-program CommonJS modules, App/Page/Component/Behavior, the page
// stack and its lifecycles, setData flushing and event dispatch. Platform-free: the realm
// (Web Worker, worker thread, or a test) evaluates module text and carries the messages.
import type { HostMessage, LogicBoot, LogicMessage, WxEvent } from '../core/bridge.ts';
import { MODEL_HANDLER_PREFIX } from '../render/contract.ts';
import { type BehaviorDef, type Definition, DefinitionError, normalize } from './definition.ts';
import { type InstanceHost, LogicInstance, type TriggerOptions } from './instance.ts';
import type { IntersectionEvents } from './intersection.ts';
import type { NetworkEvents } from './network.ts';
import { linkRelations, unlinkRelations } from './relations.ts';
import { selectComponents } from './select.ts';
import { createWx, type WxApi } from './wx.ts';

export type JsModuleFactory = (
  module: { exports: unknown },
  exports: unknown,
  require: (path: string) => unknown,
) => void;

export interface LogicRuntimeOptions {
  boot: LogicBoot;
  post(msg: LogicMessage): void;
  /** Evaluates the module text of `path` (which calls define); false when there is none. */
  load(path: string): boolean;
}

/** `Name: message` for errors; anything else thrown is stringified without running its code twice. */
export function describeError(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    if (typeof err === 'object' && err !== null && typeof (err as { errMsg?: unknown }).errMsg === 'string')
      return (err as { errMsg: string }).errMsg;
    return String(err);
  } catch {
    return 'an exception that cannot be described';
  }
}

export class NavigationError extends Error {
  readonly code = 'NAVIGATION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'NavigationError';
  }
}

interface ModuleRecord {
  factory: JsModuleFactory;
  module?: { exports: unknown };
}

const MAX_STACK = 10;

export function normalizeModulePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0) throw new Error(`module path "${path}" escapes the package root`);
      parts.pop();
    } else parts.push(p);
  }
  return parts.join('/');
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function parseUrl(url: string, from: string): { route: string; query: Record<string, string> } {
  const q = url.indexOf('?');
  const pathPart = q < 0 ? url : url.slice(0, q);
  const base = pathPart.startsWith('/') ? pathPart : `${dirname(from)}/${pathPart}`;
  const route = normalizeModulePath(base);
  const query: Record<string, string> = {};
  if (q >= 0) {
    for (const pair of url.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const k = eq < 0 ? pair : pair.slice(0, eq);
      const v = eq < 0 ? '' : pair.slice(eq + 1);
      try {
        query[decodeURIComponent(k)] = decodeURIComponent(v);
      } catch {
        query[k] = v;
      }
    }
  }
  return { route, query };
}

export class LogicRuntime {
  readonly boot: LogicBoot;
  readonly wx: WxApi;
  readonly globals: Record<string, unknown>;
  readonly #post: (msg: LogicMessage) => void;
  readonly #load: (path: string) => boolean;
  readonly #modules = new Map<string, ModuleRecord>();
  readonly #defs = new Map<string, Definition>();
  readonly #instances = new Map<number, LogicInstance>();
  readonly #stack: LogicInstance[] = [];
  readonly #tabPages = new Map<string, LogicInstance>();
  readonly #dirty = new Set<LogicInstance>();
  readonly #callbacks = new Map<number, Array<{ seq: number; fn: () => void }>>();
  readonly #seq = new Map<number, number>();
  readonly #readyPending = new Set<number>();
  readonly #loading: string[] = [];
  /** subpackage root → its code arriving from the host (first navigation into it) */
  readonly #subpackages = new Map<string, Promise<void>>();
  readonly #subpackageWaiters = new Map<string, { resolve(): void; reject(err: Error): void }>();
  readonly #loadedRoots = new Set<string>();
  #app: Record<string, unknown> | undefined;
  /** wx.onError / wx.onUnhandledRejection listeners, called after App's own hooks. */
  readonly #errorListeners = new Set<(message: string) => void>();
  readonly #rejectionListeners = new Set<(e: { reason: unknown; promise: unknown }) => void>();
  #reporting = false;
  #nextId = 1;
  #flushQueued = false;

  constructor(options: LogicRuntimeOptions) {
    this.boot = options.boot;
    this.#post = options.post;
    this.#load = options.load;
    this.wx = createWx(this, options.boot, options.post);
    const listen =
      <T>(set: Set<T>, add: boolean) =>
      (fn?: unknown) => {
        if (add && typeof fn === 'function') set.add(fn as T);
        else if (!add && typeof fn === 'function') set.delete(fn as T);
        else if (!add) set.clear();
      };
    this.wx.onError = listen(this.#errorListeners, true);
    this.wx.offError = listen(this.#errorListeners, false);
    this.wx.onUnhandledRejection = listen(this.#rejectionListeners, true);
    this.wx.offUnhandledRejection = listen(this.#rejectionListeners, false);
    this.globals = {
      App: (o: unknown) => this.#registerApp(o),
      Page: (o: unknown) => this.#register(o, 'page'),
      Component: (o: unknown) => this.#register(o, 'component'),
      Behavior: (o: unknown): BehaviorDef => {
        if (typeof o !== 'object' || o === null)
          throw new DefinitionError('Behavior()', 'expected an options object');
        return { __behavior: true, options: o as Record<string, unknown> };
      },
      getApp: () => this.#app,
      getCurrentPages: () => [...this.#stack],
      wx: this.wx,
      // WeChat's `global`: a plain object the app's modules share (not the realm's global scope)
      global: {},
      __tesseraDefine: (path: string, factory: JsModuleFactory) => this.define(path, factory),
    };
  }

  define(path: string, factory: JsModuleFactory): void {
    if (typeof factory !== 'function') throw new TypeError(`define("${path}") needs a factory function`);
    const p = normalizeModulePath(path);
    if (!this.#modules.has(p)) this.#modules.set(p, { factory });
  }

  require(spec: string, from = ''): unknown {
    const base = spec.startsWith('/') ? spec : `${dirname(from)}/${spec}`;
    const p = normalizeModulePath(base);
    const candidates = p.endsWith('.js') ? [p] : [`${p}.js`, p, `${p}/index.js`];
    for (const c of candidates) {
      let rec = this.#modules.get(c);
      if (!rec && this.#load(c)) rec = this.#modules.get(c);
      if (!rec) continue;
      if (rec.module) return rec.module.exports;
      const module = { exports: {} as unknown };
      rec.module = module;
      this.#loading.push(c);
      try {
        rec.factory(module, module.exports, (s: string) => this.require(s, c));
      } catch (err) {
        rec.module = undefined;
        throw err;
      } finally {
        this.#loading.pop();
      }
      return module.exports;
    }
    throw new Error(`module "${spec}" not found (required from "${from || '/'}")`);
  }

  #currentModule(): string {
    const m = this.#loading[this.#loading.length - 1];
    if (!m) throw new DefinitionError('Page/Component', 'must be called while a module is being loaded');
    return m.replace(/\.js$/, '');
  }

  #registerApp(options: unknown): void {
    if (this.#app) throw new DefinitionError('App()', 'App() may be called only once');
    if (typeof options !== 'object' || options === null)
      throw new DefinitionError('App()', 'expected an object');
    this.#app = { ...(options as Record<string, unknown>) };
  }

  #register(options: unknown, kind: 'page' | 'component'): void {
    const path = this.#currentModule();
    this.#defs.set(
      path,
      normalize(options, kind, `${kind === 'page' ? 'Page' : 'Component'}() in ${path}.js`),
    );
  }

  #definition(path: string): Definition {
    let def = this.#defs.get(path);
    if (!def) {
      this.require(`/${path}.js`);
      def = this.#defs.get(path);
    }
    if (!def) throw new DefinitionError(`${path}.js`, 'does not call Page() or Component()');
    return def;
  }

  #callApp(name: string, ...args: unknown[]): void {
    const fn = this.#app?.[name];
    if (typeof fn === 'function') {
      try {
        fn.apply(this.#app, args);
      } catch (err) {
        this.reportError(err, `App ${name}`);
      }
    }
  }

  /**
   * An exception from mini-program code: to the host (its error hook and analytics), then to
   * App.onError and wx.onError listeners. Never rethrows: the realm keeps running. An error
   * thrown by an error handler itself is reported to the host only (no loop).
   */
  reportError(err: unknown, where: string): void {
    const message = describeError(err);
    this.#dispatch(message, where, 'onError', message, this.#errorListeners, 'wx.onError listener');
  }

  /** A promise of mini-program code rejected with no handler attached. */
  reportUnhandledRejection(reason: unknown, promise: unknown): void {
    this.#dispatch(
      `Unhandled promise rejection: ${describeError(reason)}`,
      'unhandledrejection',
      'onUnhandledRejection',
      { reason, promise },
      this.#rejectionListeners,
      'wx.onUnhandledRejection listener',
    );
  }

  /** Host first, then the App hook and the wx listeners; a throwing handler is reported only to the host. */
  #dispatch<T>(
    message: string,
    where: string,
    appHook: string,
    arg: T,
    listeners: Set<(arg: T) => void>,
    listenerName: string,
  ): void {
    this.#postError(message, where);
    if (this.#reporting) return;
    this.#reporting = true;
    try {
      this.#callApp(appHook, arg);
      for (const fn of [...listeners]) {
        try {
          fn(arg);
        } catch (err) {
          this.#postError(describeError(err), listenerName);
        }
      }
    } finally {
      this.#reporting = false;
    }
  }

  #postError(message: string, where: string): void {
    this.#post({ type: 'error', message: message.slice(0, 4096), where: where.slice(0, 512) });
  }

  readonly #host: InstanceHost = {
    schedule: (inst, callback) => {
      this.#dirty.add(inst);
      if (callback) {
        const seq = (this.#seq.get(inst.__id) ?? 0) + 1;
        const list = this.#callbacks.get(inst.__id) ?? [];
        list.push({ seq, fn: callback });
        this.#callbacks.set(inst.__id, list);
      }
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    },
    trigger: (inst, name, detail, options: TriggerOptions) => {
      this.flush();
      this.#post({
        type: 'trigger',
        id: inst.__id,
        pageId: inst.__pageId,
        name,
        detail,
        options: {
          bubbles: !!options.bubbles,
          composed: !!options.composed,
          capturePhase: !!options.capturePhase,
        },
      });
    },
    onError: (_inst, err, where) => this.reportError(err, where),
    instance: (id) => this.#instances.get(id),
    select: (inst, selector) => {
      const all = [...this.#instances.values()];
      const inside = (x: LogicInstance) =>
        all.filter((c) => {
          for (let o = c.__parentId; o !== undefined; o = this.#instances.get(o)?.__parentId)
            if (o === x.__id) return true;
          return false;
        });
      return selectComponents(selector, (x) => all.filter((c) => c.__parentId === x.__id), inside, inst);
    },
    selectorQuery: (inst) => (this.wx.createSelectorQuery as () => { in(x: unknown): unknown })().in(inst),
    animate: (inst, args) =>
      (this.wx.__callHost as (n: string, a: unknown) => Promise<unknown>)('animate', {
        ...args,
        pageId: inst.__pageId,
        ...(inst.__id === inst.__pageId ? {} : { scope: inst.__id }),
      }),
    intersectionObserver: (inst, options) =>
      (this.wx.createIntersectionObserver as (c: unknown, o: unknown) => unknown)(inst, options),
    navigate: (kind, o, base) => {
      const go = this.wx[kind] as (o: unknown) => unknown;
      const url = o.url;
      if (typeof url !== 'string' || url.startsWith('/')) return go(o);
      let route: string;
      try {
        route = parseUrl(url, base).route;
      } catch {
        return go(o); // wx reports the bad URL through fail/complete
      }
      const q = url.indexOf('?');
      return go({ ...o, url: `/${route}${q < 0 ? '' : url.slice(q)}` });
    },
  };

  /** Sends all queued patches: one `data` message per changed instance. */
  flush(): void {
    this.#flushQueued = false;
    for (const inst of this.#dirty) {
      const patches = inst.__takePatches();
      if (patches.length === 0 || !this.#instances.has(inst.__id)) continue;
      const seq = (this.#seq.get(inst.__id) ?? 0) + 1;
      this.#seq.set(inst.__id, seq);
      const external = seq === 1 ? inst.__def.externalClasses : [];
      this.#post({
        type: 'data',
        id: inst.__id,
        pageId: inst.__pageId,
        seq,
        patches,
        ...(external.length ? { externalClasses: external } : {}),
      });
    }
    this.#dirty.clear();
  }

  // ---- app and pages ------------------------------------------------------------------

  launch(path: string, query: Record<string, string>): void {
    if (this.#modules.has('app.js') || this.#load('app.js')) this.require('/app.js');
    if (!this.#app) this.#app = {};
    const options = { path, query, scene: 1001 };
    this.#callApp('onLaunch', options);
    this.#callApp('onShow', options);
    this.#whenLoaded(path, () => this.#openPage(path, query))?.catch((err) =>
      this.reportError(err, 'launch'),
    );
  }

  currentPageId(): number | undefined {
    return this.#stack[this.#stack.length - 1]?.__id;
  }

  pages(): LogicInstance[] {
    return [...this.#stack];
  }

  instance(id: number): LogicInstance | undefined {
    return this.#instances.get(id);
  }

  #checkRoute(route: string): void {
    if (!this.boot.pages.includes(route)) {
      throw new NavigationError(`page "${route}" is not in app.json pages (or a subpackage); check the url`);
    }
  }

  #openPage(route: string, query: Record<string, string>): LogicInstance {
    this.#checkRoute(route);
    const def = this.#definition(route);
    const id = this.#nextId++;
    const inst = new LogicInstance(id, route, def, this.#host, id);
    inst.options = query;
    this.#instances.set(id, inst);
    this.#stack.push(inst);
    this.#readyPending.add(id);
    this.#post({ type: 'page:create', pageId: id, route, query, data: inst.data });
    this.#pageHook(inst, 'onLoad', { ...query });
    this.#pageHook(inst, 'onShow');
    return inst;
  }

  #pageHook(inst: LogicInstance, name: string, ...args: unknown[]): void {
    if (inst.__def.kind === 'page') inst.__call(name, ...args);
    else {
      const m = inst.__method(name);
      if (m) inst.__safe(() => m(...args), name);
    }
    if (name === 'onShow' || name === 'onHide') {
      for (const c of this.#instances.values())
        if (c.__pageId === inst.__id && c !== inst) c.__callPageLifetime(name === 'onShow' ? 'show' : 'hide');
    }
  }

  #destroyPage(inst: LogicInstance): void {
    this.#pageHook(inst, 'onUnload');
    for (const [id, c] of this.#instances) {
      if (c.__pageId === inst.__id && c !== inst) {
        c.__call('detached');
        unlinkRelations(c);
        this.#instances.delete(id);
      }
    }
    this.#instances.delete(inst.__id);
    this.#post({ type: 'page:destroy', pageId: inst.__id });
  }

  #hideTop(): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top) {
      this.#pageHook(top, 'onHide');
      this.#post({ type: 'page:hide', pageId: top.__id });
    }
  }

  #currentRoute(): string {
    return this.#stack[this.#stack.length - 1]?.route ?? '';
  }

  /**
   * Runs `go` at once, or, for a page in a subpackage whose code is not here yet, asks the host
   * to open the subpackage and runs `go` when its code has arrived (the returned promise).
   */
  #whenLoaded(route: string, go: () => void): Promise<void> | undefined {
    const root = this.boot.subpackageRoots.find(
      (r) => route.startsWith(`${r}/`) && !this.#loadedRoots.has(r),
    );
    if (root === undefined) {
      go();
      return undefined;
    }
    let loaded = this.#subpackages.get(root);
    if (!loaded) {
      loaded = new Promise<void>((resolve, reject) => this.#subpackageWaiters.set(root, { resolve, reject }));
      this.#subpackages.set(root, loaded);
      this.#post({ type: 'subpackage:load', root });
    }
    return loaded.then(() => {
      go();
      this.flush();
    });
  }

  #subpackageArrived(root: string, error?: string): void {
    const waiter = this.#subpackageWaiters.get(root);
    this.#subpackageWaiters.delete(root);
    if (error === undefined) {
      this.#loadedRoots.add(root);
      waiter?.resolve();
    } else {
      this.#subpackages.delete(root); // the next navigation asks again
      waiter?.reject(new NavigationError(error));
    }
  }

  navigateTo(url: string): Promise<void> | undefined {
    const { route, query } = parseUrl(url, this.#currentRoute());
    this.#checkRoute(route);
    if (this.boot.tabBarPages.includes(route))
      throw new NavigationError(`navigateTo cannot open tab page "${route}"; use switchTab`);
    if (this.#stack.length >= MAX_STACK)
      throw new NavigationError(`the page stack is full (${MAX_STACK} pages); use redirectTo`);
    return this.#whenLoaded(route, () => {
      this.#hideTop();
      this.#openPage(route, query);
    });
  }

  redirectTo(url: string): Promise<void> | undefined {
    const { route, query } = parseUrl(url, this.#currentRoute());
    this.#checkRoute(route);
    return this.#whenLoaded(route, () => {
      const top = this.#stack.pop();
      if (top) this.#destroyPage(top);
      this.#openPage(route, query);
    });
  }

  navigateBack(delta = 1): void {
    if (this.#stack.length <= 1) throw new NavigationError('navigateBack: already at the first page');
    const n = Math.max(1, Math.min(Math.floor(delta) || 1, this.#stack.length - 1));
    for (let i = 0; i < n; i++) this.#destroyPage(this.#stack.pop()!);
    const top = this.#stack[this.#stack.length - 1]!;
    this.#pageHook(top, 'onShow');
    this.#post({ type: 'page:show', pageId: top.__id });
  }

  reLaunch(url: string): Promise<void> | undefined {
    const { route, query } = parseUrl(url, this.#currentRoute());
    this.#checkRoute(route);
    return this.#whenLoaded(route, () => {
      while (this.#stack.length) this.#destroyPage(this.#stack.pop()!);
      this.#tabPages.clear();
      this.#openPage(route, query);
    });
  }

  switchTab(url: string): void {
    const { route } = parseUrl(url, this.#currentRoute());
    if (!this.boot.tabBarPages.includes(route))
      throw new NavigationError(`switchTab: "${route}" is not a tabBar page`);
    const kept = this.#tabPages.get(route);
    this.#hideTop();
    // Non-tab pages are closed; tab pages stay alive (WeChat semantics).
    while (this.#stack.length) {
      const p = this.#stack.pop()!;
      if (this.boot.tabBarPages.includes(p.route)) this.#tabPages.set(p.route, p);
      else this.#destroyPage(p);
    }
    if (kept) {
      this.#stack.push(kept);
      this.#pageHook(kept, 'onShow');
      this.#post({ type: 'page:show', pageId: kept.__id });
    } else {
      this.#tabPages.set(route, this.#openPage(route, {}));
    }
  }

  // ---- components ----------------------------------------------------------------------

  attachComponent(msg: Extract<HostMessage, { type: 'comp:attach' }>): void {
    const path = normalizeModulePath(msg.path);
    const def = this.#definition(path);
    const inst = new LogicInstance(msg.id, path, def, this.#host, msg.pageId, msg.parentId);
    inst.id = msg.elementId;
    inst.__classes = msg.classes.split(/\s+/).filter(Boolean);
    inst.dataset = msg.dataset;
    if (msg.models && Object.keys(msg.models).length) {
      const parentId = msg.parentId;
      inst.__models = {
        paths: msg.models,
        write: (target, value) => this.#instances.get(parentId)?.setData({ [target]: value }),
      };
    }
    this.#instances.set(msg.id, inst);
    inst.__call('created');
    inst.__pending = [];
    inst.__setProperties(msg.props);
    inst.__pending = [{ path: [], value: inst.data }];
    inst.__call('attached');
    linkRelations(inst, (id) => this.#instances.get(id));
    this.#readyPending.add(msg.id);
    this.#host.schedule(inst);
  }

  // ---- messages from the host ---------------------------------------------------------

  receive(msg: HostMessage): void {
    try {
      switch (msg.type) {
        case 'launch':
          this.launch(msg.path, msg.query);
          break;
        case 'event':
          this.#dispatchEvent(msg.owner, msg.handler, msg.event);
          break;
        case 'rendered':
          this.#rendered(msg.id, msg.seq);
          break;
        case 'comp:attach':
          this.attachComponent(msg);
          break;
        case 'comp:props': {
          const c = this.#instances.get(msg.id);
          if (!c) break;
          if (msg.elementId !== undefined) c.id = msg.elementId;
          if (msg.classes !== undefined) c.__classes = msg.classes.split(/\s+/).filter(Boolean);
          c.__setProperties(msg.props);
          break;
        }
        case 'comp:moved':
          this.#instances.get(msg.id)?.__call('moved');
          break;
        case 'page:scroll':
          this.#instances.get(msg.pageId)?.__call('onPageScroll', { scrollTop: msg.scrollTop });
          break;
        case 'page:reachBottom':
          this.#instances.get(msg.pageId)?.__call('onReachBottom');
          break;
        case 'page:pullDownRefresh':
          this.#instances.get(msg.pageId)?.__call('onPullDownRefresh');
          break;
        case 'comp:detach': {
          const c = this.#instances.get(msg.id);
          if (c) {
            c.__call('detached');
            unlinkRelations(c);
            this.#instances.delete(msg.id);
          }
          break;
        }
        case 'api:result':
          (this.wx as WxApi & { __resolve(m: typeof msg): void }).__resolve(msg);
          break;
        case 'task':
          (this.wx as WxApi & { __task: NetworkEvents['task'] }).__task(msg.taskId, msg.event);
          break;
        case 'network':
          (this.wx as WxApi & { __network: NetworkEvents['network'] }).__network(msg);
          break;
        case 'update':
          (this.wx as WxApi & { __update(m: typeof msg): void }).__update(msg);
          break;
        case 'intersection':
          (this.wx as WxApi & { __intersection: IntersectionEvents['intersection'] }).__intersection(msg);
          break;
        case 'app:show':
          this.#callApp('onShow', {});
          break;
        case 'app:hide':
          this.#callApp('onHide');
          break;
        case 'navigateBack':
          if (this.#stack.length > 1) this.navigateBack(1);
          break;
        case 'tab:tap': {
          if (this.#currentRoute() !== msg.pagePath) this.switchTab(`/${msg.pagePath}`);
          const top = this.#stack[this.#stack.length - 1];
          if (top?.route === msg.pagePath)
            this.#pageHook(top, 'onTabItemTap', { index: msg.index, pagePath: msg.pagePath, text: msg.text });
          break;
        }
        case 'navigate':
          this.#navigate(msg.openType, msg.url)?.catch((err) => this.reportError(err, 'navigate'));
          break;
        case 'subpackage:ready':
          this.#subpackageArrived(msg.root);
          break;
        case 'subpackage:failed':
          this.#subpackageArrived(msg.root, msg.error);
          break;
        case 'error':
          this.reportError(new Error(msg.message), 'view');
          break;
      }
    } catch (err) {
      this.reportError(err, msg.type);
    }
    this.flush();
  }

  #navigate(openType: Extract<HostMessage, { type: 'navigate' }>['openType'], url: string) {
    if (openType === 'navigateBack') return this.navigateBack(1);
    if (openType === 'redirect') return this.redirectTo(url);
    if (openType === 'switchTab') return this.switchTab(url);
    if (openType === 'reLaunch') return this.reLaunch(url);
    return this.navigateTo(url);
  }

  #rendered(id: number, seq: number): void {
    const inst = this.#instances.get(id);
    if (!inst) return;
    if (this.#readyPending.delete(id)) {
      if (inst.__pageId === id) this.#pageHook(inst, 'onReady');
      else inst.__call('ready');
    }
    const list = this.#callbacks.get(id);
    if (!list) return;
    const due = list.filter((c) => c.seq <= seq);
    const rest = list.filter((c) => c.seq > seq);
    if (rest.length) this.#callbacks.set(id, rest);
    else this.#callbacks.delete(id);
    for (const c of due) inst.__safe(() => c.fn.call(inst), 'setData callback');
  }

  #dispatchEvent(owner: number, handler: string, event: WxEvent): void {
    const inst = this.#instances.get(owner);
    if (!inst) return;
    if (handler.startsWith(MODEL_HANDLER_PREFIX)) {
      // two-way binding: the bound data path takes the control's new value
      const path = handler.slice(MODEL_HANDLER_PREFIX.length);
      const value = (event.detail as { value?: unknown } | null)?.value;
      inst.__safe(() => inst.setData({ [path]: value }), `model binding "${path}"`);
      return;
    }
    const fn = inst.__method(handler);
    if (!fn) {
      this.reportError(new Error(`${inst.is} has no method "${handler}" for a ${event.type} event`), 'event');
      return;
    }
    inst.__safe(() => fn(event), `event handler "${handler}"`);
  }
}
