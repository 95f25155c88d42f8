// A live page or component instance in the logic realm: `this` of every mini-program hook.
// setData updates this.data synchronously, runs observers, and queues minimal path patches
// that the runtime flushes to the view once per task.
import type { Definition, Fn } from './definition.ts';
import { observerArgs, observerTriggered } from './observers.ts';
import { cloneData, isPrefix, type PathSegment, parsePath, setAtPath } from './path.ts';
import { coerceProperty } from './properties.ts';
import { relationNodes } from './relations.ts';

export interface Patch {
  path: PathSegment[];
  value: unknown;
}

export const SET_DATA_LIMIT_BYTES = 1024 * 1024;

export class SetDataError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SetDataError';
    this.code = code;
  }
}

export interface TriggerOptions {
  bubbles?: boolean;
  composed?: boolean;
  capturePhase?: boolean;
}

/** What an instance needs from the runtime that owns it. */
export interface InstanceHost {
  schedule(inst: LogicInstance, callback?: () => void): void;
  trigger(inst: LogicInstance, name: string, detail: unknown, options: TriggerOptions): void;
  onError(inst: LogicInstance, err: unknown, where: string): void;
  /** the live instance with this id */
  instance(id: number): LogicInstance | undefined;
  /** the components of `inst`'s own template, in document order (select.ts) */
  select(inst: LogicInstance, selector: string): LogicInstance[];
  /** wx.createSelectorQuery().in(inst) */
  selectorQuery(inst: LogicInstance): unknown;
  /** wx.createIntersectionObserver(inst, options) */
  intersectionObserver(inst: LogicInstance, options: unknown): unknown;
  /** this.animate / clearAnimation, played by the page's view */
  animate(inst: LogicInstance, args: Record<string, unknown>): Promise<unknown>;
  /** wx.navigateTo & co., a relative options.url resolved against the module path `base` */
  navigate(kind: RouterMethod, options: Record<string, unknown>, base: string): unknown;
}

export type RouterMethod = 'navigateTo' | 'redirectTo' | 'switchTab' | 'reLaunch' | 'navigateBack';
const ROUTER_METHODS: RouterMethod[] = ['navigateTo', 'redirectTo', 'switchTab', 'reLaunch', 'navigateBack'];

/** What a page's or component's own methods may not replace. */
const PROTECTED = new Set([
  'setData',
  'triggerEvent',
  'data',
  'properties',
  'is',
  'route',
  'id',
  'dataset',
  'options',
  'hasBehavior',
  'getRelationNodes',
]);

export class LogicInstance {
  readonly __id: number;
  readonly __def: Definition;
  readonly __host: InstanceHost;
  __pending: Patch[] = [];
  __observing = 0;
  data: Record<string, unknown>;
  is: string;
  route: string;
  id = '';
  /** the classes of the element that hosts this component, as the view last reported them */
  __classes: string[] = [];
  dataset: Record<string, unknown> = {};
  options: Record<string, string> = {};
  __pageId: number;
  __parentId: number | undefined;
  /**
   * Two-way bindings of this component (model:prop on its use): property → where the change goes
   * (the parent's data path), with the function that writes it.
   */
  __models:
    | { paths: Readonly<Record<string, string>>; write(path: string, value: unknown): void }
    | undefined;

  constructor(
    id: number,
    is: string,
    def: Definition,
    host: InstanceHost,
    pageId: number,
    parentId?: number,
  ) {
    this.__id = id;
    this.__def = def;
    this.__host = host;
    this.is = is;
    this.route = is;
    this.__pageId = pageId;
    this.__parentId = parentId;
    this.data = cloneData(def.data) as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const [name, fn] of def.methods) {
      if (PROTECTED.has(name) || name.startsWith('__')) continue; // never shadow setData & co.
      // the instance APIs added later (animate, router, selectComponent…) yield to a method of
      // the same name, as in WeChat, where such code was written before they existed
      Object.defineProperty(self, name, { value: fn.bind(this), writable: true, configurable: true });
    }
  }

  get properties(): Record<string, unknown> {
    return this.data;
  }

  setData(payload: unknown, callback?: () => void): void {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new SetDataError('SET_DATA_INVALID', `${this.is}: setData expects an object of path → value`);
    }
    let size: number;
    try {
      size = JSON.stringify(payload)?.length ?? 0;
    } catch {
      throw new SetDataError('SET_DATA_INVALID', `${this.is}: setData value contains a circular reference`);
    }
    if (size > SET_DATA_LIMIT_BYTES) {
      throw new SetDataError(
        'SET_DATA_TOO_LARGE',
        `${this.is}: setData payload is ${size} bytes, over the ${SET_DATA_LIMIT_BYTES}-byte limit; send only the changed paths (e.g. "list[3].name")`,
      );
    }
    const written: PathSegment[][] = [];
    const propChanges: Array<[string, unknown, unknown]> = [];
    for (const [key, raw] of Object.entries(payload)) {
      const path = parsePath(key);
      let value = cloneData(raw);
      if (value === undefined) value = null;
      const top = path[0] as string;
      const prop = this.__def.properties.get(top);
      if (prop && path.length === 1) {
        value = coerceProperty(prop, value);
        propChanges.push([top, value, this.data[top]]);
      }
      setAtPath(this.data, path, value);
      written.push(path);
      this.__pending.push({ path, value });
    }
    this.__runObservers(written, propChanges);
    this.__host.schedule(this, callback);
    const models = this.__models;
    if (models) {
      for (const [name, value] of propChanges) {
        const target = models.paths[name];
        if (target !== undefined) models.write(target, value);
      }
    }
  }

  /** Applies property values handed down by the parent template (coerced, observers fired). */
  __setProperties(props: Record<string, unknown>): void {
    const written: PathSegment[][] = [];
    const propChanges: Array<[string, unknown, unknown]> = [];
    for (const [name, raw] of Object.entries(props)) {
      const def = this.__def.properties.get(name);
      if (!def) continue;
      const value = coerceProperty(def, cloneData(raw));
      const old = this.data[name];
      if (JSON.stringify(old) === JSON.stringify(value)) continue;
      this.data[name] = value;
      written.push([name]);
      propChanges.push([name, value, old]);
      this.__pending.push({ path: [name], value });
    }
    if (written.length === 0) return;
    this.__runObservers(written, propChanges);
    this.__host.schedule(this);
  }

  __runObservers(written: PathSegment[][], propChanges: Array<[string, unknown, unknown]>): void {
    // An observer calling setData on the field it watches would loop forever.
    if (this.__observing > 8) return;
    this.__observing++;
    try {
      for (const [name, nv, ov] of propChanges) {
        const obs = this.__def.properties.get(name)?.observer;
        const fn = typeof obs === 'string' ? this.__def.methods.get(obs) : obs;
        if (typeof fn === 'function') this.__safe(() => fn.call(this, nv, ov), `property observer "${name}"`);
      }
      for (const o of this.__def.observers) {
        if (observerTriggered(o, written))
          this.__safe(() => o.fn.apply(this, observerArgs(o, this.data)), `observer "${o.source}"`);
      }
    } finally {
      this.__observing--;
    }
  }

  __safe(fn: () => unknown, where: string): unknown {
    try {
      return fn();
    } catch (err) {
      this.__host.onError(this, err, `${this.is} ${where}`);
      return undefined;
    }
  }

  /** Runs every hook registered for `name` (behaviors first). */
  __call(name: string, ...args: unknown[]): unknown {
    let result: unknown;
    for (const fn of this.__def.hooks.get(name) ?? []) result = this.__safe(() => fn.apply(this, args), name);
    return result;
  }

  __callPageLifetime(name: string, ...args: unknown[]): void {
    for (const fn of this.__def.pageLifetimes.get(name) ?? []) this.__safe(() => fn.apply(this, args), name);
  }

  __method(name: string): Fn | undefined {
    const v = (this as unknown as Record<string, unknown>)[name];
    return typeof v === 'function' ? (v as Fn) : undefined;
  }

  /** Takes the queued patches, dropping those overwritten by a later patch of a prefix path. */
  __takePatches(): Patch[] {
    const all = this.__pending;
    this.__pending = [];
    if (all.length < 2) return all;
    const out: Patch[] = [];
    for (let i = 0; i < all.length; i++) {
      const p = all[i]!;
      let covered = false;
      for (let j = i + 1; j < all.length && !covered; j++) {
        const q = all[j]!;
        if (q.path.length <= p.path.length && isPrefix(q.path, p.path)) covered = true;
      }
      if (!covered) out.push(p);
    }
    return out;
  }

  triggerEvent(name: string, detail?: unknown, options: TriggerOptions = {}): void {
    this.__host.trigger(this, String(name), cloneData(detail) ?? null, {
      bubbles: Boolean(options.bubbles),
      composed: Boolean(options.composed),
      capturePhase: Boolean(options.capturePhase),
    });
  }

  /** What selectComponent hands out for this instance: its `export()` result when it defines one. */
  __exported(): unknown {
    const fn = this.__def.exportFn;
    return fn ? this.__safe(() => fn.call(this), 'export') : this;
  }

  selectComponent(selector: string): unknown {
    return this.__host.select(this, selector)[0]?.__exported() ?? null;
  }

  selectAllComponents(selector: string): unknown[] {
    return this.__host.select(this, selector).map((c) => c.__exported());
  }

  /** The page or component whose template uses this component; null for a page. */
  selectOwnerComponent(): LogicInstance | null {
    return this.__parentId === undefined ? null : (this.__host.instance(this.__parentId) ?? null);
  }

  createSelectorQuery(): unknown {
    return this.__host.selectorQuery(this);
  }

  createIntersectionObserver(options?: unknown): unknown {
    return this.__host.intersectionObserver(this, options);
  }

  /** Keyframe animation of the elements `selector` matches in this page or component. */
  animate(selector: string, keyframes: unknown, duration: number, callback?: () => void): void {
    this.__host
      .animate(this, { selector: String(selector), keyframes, duration })
      .then(() => typeof callback === 'function' && this.__safe(callback, 'animate callback'))
      .catch((err: unknown) => this.__host.onError(this, err, `${this.is} animate`));
  }

  clearAnimation(selector: string, options?: unknown, callback?: unknown): void {
    const done = typeof options === 'function' ? options : callback;
    this.__host
      .animate(this, { selector: String(selector), clear: true })
      .then(() => typeof done === 'function' && this.__safe(done as () => void, 'clearAnimation callback'))
      .catch((err: unknown) => this.__host.onError(this, err, `${this.is} clearAnimation`));
  }

  getPageId(): string {
    return `pageId:${this.__pageId}`;
  }

  /** Navigation with URLs relative to this page or component's own path. */
  get router(): Record<RouterMethod, (o?: Record<string, unknown>) => unknown> {
    return this.__router(this.is);
  }

  /** Navigation with URLs relative to the page this component is on. */
  get pageRouter(): Record<RouterMethod, (o?: Record<string, unknown>) => unknown> {
    return this.__router(this.__host.instance(this.__pageId)?.is ?? this.is);
  }

  __router(base: string): Record<RouterMethod, (o?: Record<string, unknown>) => unknown> {
    const router = {} as Record<RouterMethod, (o?: Record<string, unknown>) => unknown>;
    for (const kind of ROUTER_METHODS) router[kind] = (o = {}) => this.__host.navigate(kind, o, base);
    return router;
  }

  getRelationNodes(key: string): LogicInstance[] {
    return relationNodes(this, String(key));
  }

  hasBehavior(b: unknown): boolean {
    return this.__def.behaviors.includes(b as never);
  }
}
