// Normalizes Page/Component/Behavior option objects into one definition, merging behaviors
// (behaviors first, the definition's own fields win; hooks of behaviors run before own hooks).
import { type CompiledObserver, compileObserver } from './observers.ts';
import { normalizeProperty, type PropertyDef } from './properties.ts';

export type Fn = (this: unknown, ...args: unknown[]) => unknown;

export interface BehaviorDef {
  readonly __behavior: true;
  options: Record<string, unknown>;
}

export interface Definition {
  kind: 'page' | 'component';
  data: Record<string, unknown>;
  properties: Map<string, PropertyDef>;
  methods: Map<string, Fn>;
  observers: CompiledObserver[];
  /** Lifecycle name → hooks in call order ('created', 'attached', 'onLoad', 'show', …). */
  hooks: Map<string, Fn[]>;
  pageLifetimes: Map<string, Fn[]>;
  externalClasses: string[];
  relations: Record<string, { type: string; linked?: Fn; unlinked?: Fn }>;
  behaviors: BehaviorDef[];
  /** `export`: what selectComponent returns for an instance instead of the instance */
  exportFn?: Fn;
}

const COMPONENT_LIFETIMES = ['created', 'attached', 'ready', 'moved', 'detached', 'error'];
const PAGE_HOOKS = new Set([
  'onLoad',
  'onShow',
  'onReady',
  'onHide',
  'onUnload',
  'onPullDownRefresh',
  'onReachBottom',
  'onPageScroll',
  'onShareAppMessage',
  'onResize',
  'onTabItemTap',
]);

export class DefinitionError extends Error {
  readonly code = 'DEFINITION_INVALID';
  constructor(what: string, reason: string) {
    super(`${what}: ${reason}`);
    this.name = 'DefinitionError';
  }
}

export function isBehavior(v: unknown): v is BehaviorDef {
  return typeof v === 'object' && v !== null && (v as { __behavior?: unknown }).__behavior === true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (k === '__proto__') continue;
    const t = target[k];
    if (isPlainObject(t) && isPlainObject(v)) deepMerge(t, v);
    else target[k] = structuredCloneSafe(v);
  }
}

function structuredCloneSafe(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(structuredCloneSafe);
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== '__proto__') o[k] = structuredCloneSafe(x);
  return o;
}

function pushHook(map: Map<string, Fn[]>, name: string, fn: unknown): void {
  if (typeof fn !== 'function') return;
  const list = map.get(name) ?? [];
  list.push(fn as Fn);
  map.set(name, list);
}

export function normalize(options: unknown, kind: 'page' | 'component', what: string): Definition {
  if (!isPlainObject(options)) throw new DefinitionError(what, 'expected an options object');
  const def: Definition = {
    kind,
    data: {},
    properties: new Map(),
    methods: new Map(),
    observers: [],
    hooks: new Map(),
    pageLifetimes: new Map(),
    externalClasses: [],
    relations: {},
    behaviors: [],
  };
  const seen = new Set<BehaviorDef>();
  const apply = (opts: Record<string, unknown>, own: boolean) => {
    const behaviors = opts.behaviors;
    if (behaviors !== undefined) {
      if (!Array.isArray(behaviors)) throw new DefinitionError(what, '"behaviors" must be an array');
      for (const b of behaviors) {
        if (typeof b === 'string') continue; // built-in behaviors such as 'wx://form-field'
        if (!isBehavior(b))
          throw new DefinitionError(what, 'every entry of "behaviors" must come from Behavior()');
        if (seen.has(b)) continue;
        seen.add(b);
        def.behaviors.push(b);
        apply(b.options, false);
      }
    }
    if (opts.data !== undefined) {
      if (!isPlainObject(opts.data)) throw new DefinitionError(what, '"data" must be an object');
      deepMerge(def.data, opts.data);
    }
    if (isPlainObject(opts.properties)) {
      for (const [k, decl] of Object.entries(opts.properties)) def.properties.set(k, normalizeProperty(decl));
    }
    if (isPlainObject(opts.methods)) {
      for (const [k, fn] of Object.entries(opts.methods))
        if (typeof fn === 'function') def.methods.set(k, fn as Fn);
    }
    if (isPlainObject(opts.observers)) {
      for (const [k, fn] of Object.entries(opts.observers))
        if (typeof fn === 'function') def.observers.push(compileObserver(k, fn as (...v: unknown[]) => void));
    }
    if (kind === 'component' || !own) {
      // Component: `lifetimes.x` overrides a top-level `x` of the same definition.
      const lifetimes = isPlainObject(opts.lifetimes) ? opts.lifetimes : {};
      for (const name of COMPONENT_LIFETIMES) pushHook(def.hooks, name, lifetimes[name] ?? opts[name]);
      if (isPlainObject(opts.pageLifetimes))
        for (const [k, fn] of Object.entries(opts.pageLifetimes)) pushHook(def.pageLifetimes, k, fn);
    }
    if (kind === 'page') {
      for (const [k, v] of Object.entries(opts)) {
        if (PAGE_HOOKS.has(k)) pushHook(def.hooks, k, v);
        else if (own && typeof v === 'function') def.methods.set(k, v as Fn);
      }
    }
    if (Array.isArray(opts.externalClasses)) {
      for (const c of opts.externalClasses) if (typeof c === 'string') def.externalClasses.push(c);
    }
    if (isPlainObject(opts.relations)) Object.assign(def.relations, opts.relations);
    if (kind === 'component' && typeof opts.export === 'function') def.exportFn = opts.export as Fn;
  };
  apply(options, true);
  for (const [k, p] of def.properties) if (!(k in def.data)) def.data[k] = structuredCloneSafe(p.value);
  return def;
}
