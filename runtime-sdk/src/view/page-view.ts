// One page of the view layer: keeps the view-side copy of each instance's data, applies the
// logic layer's path patches, re-renders the instance with its compiled template and patches
// the DOM, mounts custom components, and turns DOM events into WeChat events.
import type { ViewMessage, WirePatch } from '../core/bridge.ts';
import type { PageScroll } from '../core/session.ts';
import type { CompiledTemplateModule, RenderRuntime, VComponent, VNode } from '../render/contract.ts';
import { createRenderer, nodeMeta, type Renderer, type RenderScope } from '../render/dom.ts';
import { type BuiltinContext, createBuiltins } from './builtins.ts';
import { loadViewChunk } from './view-chunks.ts';

type IntersectionChunk = typeof import('./intersection.ts');
type AnimationChunk = typeof import('./animation.ts');

import { BUBBLING_EVENTS, closestRendered, type DispatchOptions, dispatchWxEvent } from './events.ts';

export interface PageViewOptions {
  doc: Document;
  root: Element;
  pageId: number;
  route: string;
  /** Compiled template module of a page or component path (no extension). */
  template(path: string): CompiledTemplateModule;
  /** usingComponents lookup: alias used in `ownerPath`'s template → component path. */
  resolveComponent(ownerPath: string, tag: string): string | undefined;
  /** Style scope class(es) of a page or component path (manifest entry `scope`). */
  scopeOf?(path: string): string | undefined;
  post(msg: ViewMessage): void;
  resolveAsset?: BuiltinContext['resolveAsset'];
  webViewAllowed?: BuiltinContext['webViewAllowed'];
  navigate?: BuiltinContext['navigate'];
  onError?(err: unknown): void;
}

interface ViewInstance {
  id: number;
  path: string;
  data: Record<string, unknown> | undefined;
  host: Element;
  vnode?: VComponent;
  parentScope?: RenderScope;
  /** Class names the component takes from its parent (Component externalClasses). */
  external?: ReadonlySet<string>;
}

export function toStr(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return '';
    }
  }
  return String(value);
}

function applyPatch(data: Record<string, unknown>, p: WirePatch): Record<string, unknown> {
  if (p.path.length === 0) return (p.value ?? {}) as Record<string, unknown>;
  let node: Record<string | number, unknown> = data;
  for (let i = 0; i < p.path.length - 1; i++) {
    const seg = p.path[i]!;
    if (seg === '__proto__' || seg === 'constructor' || seg === 'prototype') return data;
    const child = node[seg];
    if (typeof child === 'object' && child !== null) node = child as Record<string | number, unknown>;
    else {
      const created = typeof p.path[i + 1] === 'number' ? [] : {};
      node[seg] = created;
      node = created as Record<string | number, unknown>;
    }
  }
  const last = p.path[p.path.length - 1]!;
  if (last === '__proto__' || last === 'constructor' || last === 'prototype') return data;
  node[last] = p.value;
  return data;
}

const DOM_EVENTS: Array<[string, string]> = [
  ['click', 'tap'],
  ['touchstart', 'touchstart'],
  ['touchmove', 'touchmove'],
  ['touchend', 'touchend'],
  ['touchcancel', 'touchcancel'],
  ['contextmenu', 'longpress'],
  ['transitionend', 'transitionend'],
  ['animationend', 'animationend'],
];

export class PageView {
  readonly pageId: number;
  readonly root: Element;
  readonly #o: PageViewOptions;
  readonly #renderer: Renderer;
  readonly #instances = new Map<number, ViewInstance>();
  readonly #observers = new Map<number, () => void>();
  readonly #rt: RenderRuntime = { toStr };
  #nextComp = 0;
  readonly #listeners: Array<[string, EventListener]> = [];

  constructor(options: PageViewOptions) {
    this.#o = options;
    this.pageId = options.pageId;
    this.root = options.root;
    const builtins = createBuiltins({
      emit: (el, name, detail) =>
        this.dispatch(el, name, detail, {
          bubbles: BUBBLING_EVENTS.has(name),
          composed: false,
          capturePhase: false,
        }),
      navigate:
        options.navigate ??
        ((url, openType) => {
          const types = ['navigate', 'redirect', 'switchTab', 'reLaunch', 'navigateBack'] as const;
          const t = types.find((x) => x === openType) ?? 'navigate';
          options.post({ type: 'navigate', url, openType: t });
        }),
      resolveAsset: options.resolveAsset ?? (() => undefined),
      webViewAllowed: options.webViewAllowed ?? (() => false),
      onError: (message) => options.post({ type: 'error', message: message.slice(0, 4096) }),
    });
    let animations: Promise<AnimationChunk> | undefined;
    this.#renderer = createRenderer({
      elements: builtins,
      behaviour: (el, name, value) => {
        if (name !== 'animation') return false;
        // nothing to play: no chunk to load either (one already playing stops)
        if (!value) {
          animations?.then((m) => m.playAnimation(el as HTMLElement, undefined));
          return true;
        }
        animations ??= loadViewChunk<AnimationChunk>('view-animation');
        animations.then(
          (m) => m.playAnimation(el as HTMLElement, value),
          (err: unknown) =>
            options.post({ type: 'error', message: `animation: ${String(err)}`.slice(0, 4096) }),
        );
        return true;
      },
      mountComponent: (host, vnode, scope) => this.#mountComponent(host, vnode, scope),
    });
    for (const [domName, wxName] of DOM_EVENTS) {
      const listener: EventListener = (e) => {
        const target = closestRendered(e.target, this.root);
        if (!target) return;
        const detail = domName === 'click' ? pointDetail(e) : {};
        const touches = 'touches' in e ? touchList((e as TouchEvent).touches) : undefined;
        const opts: DispatchOptions = {
          bubbles: true,
          composed: true,
          capturePhase: true,
          timeStamp: Math.round(e.timeStamp),
        };
        if (touches) opts.touches = touches;
        const n = this.dispatch(target, wxName, detail, opts);
        if (wxName === 'longpress' && n > 0) e.preventDefault();
      };
      this.root.addEventListener(domName, listener, { passive: domName.startsWith('touch') });
      this.#listeners.push([domName, listener]);
    }
    this.#instances.set(options.pageId, {
      id: options.pageId,
      path: options.route,
      data: undefined,
      host: options.root,
    });
  }

  dispatch(target: Element, name: string, detail: unknown, options: DispatchOptions): number {
    return dispatchWxEvent(this.root, target, name, detail, options, (d) =>
      this.#o.post({ type: 'event', owner: d.owner, handler: d.handler, event: d.event }),
    );
  }

  /** First render of the page with its initial data. */
  init(data: Record<string, unknown>): void {
    const page = this.#instances.get(this.pageId)!;
    page.data = data;
    this.#draw(page);
    this.#o.post({ type: 'rendered', id: page.id, seq: 0 });
  }

  /** Applies a `data` message from the logic layer, re-renders that instance, acknowledges. */
  applyData(id: number, seq: number, patches: readonly WirePatch[], externalClasses?: string[]): void {
    const inst = this.#instances.get(id);
    if (!inst) return;
    if (externalClasses?.length && inst.id !== this.pageId) inst.external = new Set(externalClasses);
    let data = inst.data ?? {};
    for (const p of patches) data = applyPatch(data, p);
    inst.data = data;
    this.#draw(inst);
    this.#o.post({ type: 'rendered', id, seq });
  }

  /** A component's triggerEvent: dispatched from its host element in the parent's tree. */
  trigger(id: number, name: string, detail: unknown, options: DispatchOptions): void {
    const inst = this.#instances.get(id);
    if (!inst || inst.id === this.pageId) return;
    this.dispatch(inst.host, name, detail, options);
  }

  /**
   * Selector query (wx.createSelectorQuery): geometry and ids of matching rendered nodes, in the
   * page or, with `scope`, inside that component's element only.
   */
  query(
    queries: ReadonlyArray<{ selector: string; all: boolean; fields: readonly string[] }>,
    scope?: number,
  ): unknown[] {
    const root = scope === undefined ? this.root : this.#instances.get(scope)?.host;
    return queries.map((q) => {
      let nodes: Element[];
      try {
        if (!root) throw new Error('the component is gone');
        nodes = q.all
          ? Array.from(root.querySelectorAll(q.selector))
          : [root.querySelector(q.selector)].filter((n) => n !== null);
      } catch {
        return q.all ? [] : null; // not a valid selector
      }
      const describe = (el: Element) => {
        const out: Record<string, unknown> = {};
        const meta = nodeMeta(el);
        if (q.fields.includes('id')) out.id = meta?.id ?? el.id;
        if (q.fields.includes('dataset')) out.dataset = meta?.dataset ?? {};
        if (q.fields.includes('rect') || q.fields.includes('size')) {
          const r = el.getBoundingClientRect();
          if (q.fields.includes('rect'))
            Object.assign(out, { left: r.left, top: r.top, right: r.right, bottom: r.bottom });
          if (q.fields.includes('size')) Object.assign(out, { width: r.width, height: r.height });
        }
        if (q.fields.includes('scrollOffset')) {
          const h = el as HTMLElement;
          Object.assign(out, {
            scrollLeft: h.scrollLeft,
            scrollTop: h.scrollTop,
            scrollWidth: h.scrollWidth,
            scrollHeight: h.scrollHeight,
          });
        }
        return out;
      };
      return q.all ? nodes.map(describe) : nodes[0] ? describe(nodes[0]) : null;
    });
  }

  /**
   * wx.createIntersectionObserver(…).observe: in the page or, with `scope`, inside that
   * component's element; crossings go to the logic realm as `intersection` messages.
   */
  async observeIntersection(request: Record<string, unknown>, scope?: number): Promise<void> {
    const { observeIntersection, intersectionRequest } =
      await loadViewChunk<IntersectionChunk>('view-intersection');
    const o = intersectionRequest(request);
    const root = scope === undefined ? this.root : this.#instances.get(scope)?.host;
    if (!root) throw new Error('the component is gone');
    this.#observers.get(o.observer)?.();
    this.#observers.set(
      o.observer,
      observeIntersection(root, o, (entries) =>
        this.#o.post({
          type: 'intersection',
          pageId: this.pageId,
          observer: o.observer,
          entries: entries as never,
        }),
      ),
    );
  }

  /** wx.pageScrollTo: to `scrollTop`, or to where `selector` is (+ offsetTop); false when it matches nothing. */
  scrollTo(to: PageScroll): boolean {
    let top = to.scrollTop;
    const win = this.root.ownerDocument.defaultView;
    if (to.selector) {
      let el: Element | null = null;
      try {
        el = this.root.querySelector(to.selector);
      } catch {}
      if (!el) return false;
      top = el.getBoundingClientRect().top + (win?.scrollY ?? 0) + to.offsetTop;
    }
    win?.scrollTo({ top, behavior: to.duration > 0 ? 'smooth' : 'instant' });
    return true;
  }

  /** this.animate / clearAnimation, in the page or inside component `scope`'s element. */
  async animate(a: Record<string, unknown>, scope?: number): Promise<void> {
    const m = await loadViewChunk<AnimationChunk>('view-animation');
    const root = scope === undefined ? this.root : this.#instances.get(scope)?.host;
    if (!root) throw new Error('the component is gone');
    const selector = String(a.selector ?? '').slice(0, 256);
    if (a.clear === true) m.clearAnimations(root, selector);
    else await m.animateKeyframes(root, selector, a.keyframes, a.duration);
  }

  disconnectIntersection(observer: number): void {
    this.#observers.get(observer)?.();
    this.#observers.delete(observer);
  }

  destroy(): void {
    for (const stop of this.#observers.values()) stop();
    this.#observers.clear();
    for (const [n, l] of this.#listeners) this.root.removeEventListener(n, l);
    this.#renderer.unmount(this.root);
    this.#instances.clear();
  }

  #draw(inst: ViewInstance): void {
    if (!inst.data) return;
    let vnodes: VNode[];
    try {
      vnodes = this.#o.template(inst.path).render(inst.data, this.#rt);
    } catch (err) {
      this.#o.onError?.(err);
      this.#o.post({
        type: 'error',
        message: `render of ${inst.path} failed: ${err instanceof Error ? err.message : String(err)}`,
      });
      return;
    }
    if (inst.external && inst.vnode)
      this.#resolveExternal(vnodes, inst.external, inst.vnode, inst.parentScope);
    const scope: RenderScope = { owner: inst.id };
    if (inst.vnode && inst.parentScope) scope.slots = { nodes: inst.vnode.children, scope: inst.parentScope };
    this.#renderer.render(inst.host, vnodes, scope);
  }

  /**
   * externalClasses: a declared class name in the component's template becomes the classes the
   * parent passed for it (`my-class="a b"` → property myClass), with the parent's style scope so
   * the parent's WXSS applies; a name the parent did not pass is dropped (WeChat semantics).
   */
  #resolveExternal(
    vnodes: VNode[],
    external: ReadonlySet<string>,
    host: VComponent,
    parentScope: RenderScope | undefined,
  ): void {
    const parent = parentScope ? this.#instances.get(parentScope.owner) : undefined;
    const parentClass = parent ? (this.#o.scopeOf?.(parent.path) ?? '') : '';
    const mapped = new Map<string, string>();
    for (const name of external) {
      const passed = host.props[camelCase(name)];
      const value = typeof passed === 'string' ? passed.trim() : '';
      mapped.set(name, value ? `${value} ${parentClass}`.trim() : '');
    }
    const walk = (nodes: VNode[]) => {
      for (const n of nodes) {
        if (n.t !== 'el' && n.t !== 'comp') continue;
        if (n.classes) {
          const out = n.classes
            .split(/\s+/)
            .map((c) => mapped.get(c) ?? c)
            .filter((c) => c !== '');
          n.classes = [...new Set(out.join(' ').split(' '))].join(' ');
        }
        walk(n.children);
      }
    };
    walk(vnodes);
  }

  #mountComponent(host: Element, vnode: VComponent, scope: RenderScope) {
    const owner = this.#instances.get(scope.owner);
    if (!owner) return undefined;
    // A generic of the owner (componentGenerics) is filled by an alias of the owner's parent
    // (generic:name="alias"); without one, the owner's usingComponents hold its default.
    const alias = owner.vnode?.generics?.[vnode.tag];
    const parent = alias === undefined ? undefined : this.#instances.get(owner.parentScope?.owner ?? -1);
    const path =
      (alias !== undefined && parent ? this.#o.resolveComponent(parent.path, alias) : undefined) ??
      this.#o.resolveComponent(owner.path, vnode.tag);
    if (!path) return undefined;
    const id = this.pageId * 2 ** 20 + ++this.#nextComp;
    const inst: ViewInstance = { id, path, data: undefined, host, vnode, parentScope: scope };
    this.#instances.set(id, inst);
    this.#o.post({
      type: 'comp:attach',
      id,
      pageId: this.pageId,
      parentId: scope.owner,
      path,
      props: vnode.props,
      elementId: vnode.id ?? '',
      classes: vnode.classes ?? '',
      dataset: vnode.dataset,
      ...(vnode.models ? { models: vnode.models } : {}),
    });
    let last = JSON.stringify([vnode.props, vnode.id, vnode.classes]);
    return {
      update: (v: VComponent, s: RenderScope) => {
        inst.vnode = v;
        inst.parentScope = s;
        const now = JSON.stringify([v.props, v.id, v.classes]);
        if (now !== last) {
          last = now;
          this.#o.post({
            type: 'comp:props',
            id,
            props: v.props,
            elementId: v.id ?? '',
            classes: v.classes ?? '',
          });
        }
        this.#draw(inst);
      },
      moved: () => {
        this.#o.post({ type: 'comp:moved', id });
        // components inside it moved with it
        this.#renderer.moved(host);
      },
      unmount: () => {
        this.#renderer.unmount(host);
        this.#instances.delete(id);
        this.#o.post({ type: 'comp:detach', id });
      },
    };
  }
}

/** my-class → myClass: how the compiler names a component attribute's property. */
function camelCase(raw: string): string {
  return raw.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function pointDetail(e: Event): Record<string, number> {
  const m = e as MouseEvent;
  return { x: Math.round(m.pageX ?? 0), y: Math.round(m.pageY ?? 0) };
}

function touchList(list: TouchList): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    out.push({
      identifier: t.identifier,
      pageX: t.pageX,
      pageY: t.pageY,
      clientX: t.clientX,
      clientY: t.clientY,
    });
  }
  return out;
}
