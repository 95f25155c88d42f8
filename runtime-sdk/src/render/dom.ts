// VNode → DOM mount and patch renderer (contract.ts). Keyed children keep their DOM nodes,
// equal nodes cause no DOM writes, and data only ever reaches Text nodes and attribute values.
import type { EventBinding, VComponent, VElement, VNode, VSlot, VText } from './contract.ts';

/** What the event system needs to know about a rendered element. */
export interface NodeMeta {
  /** Id of the page/component instance whose template produced this node. */
  owner: number;
  id: string;
  dataset: Record<string, unknown>;
  events: readonly EventBinding[];
  marks: Record<string, unknown>;
  tag: string;
}

/** Scope a tree is rendered in: the owner instance and, inside a component, its slot content. */
export interface RenderScope {
  owner: number;
  slots?: { nodes: readonly VNode[]; scope: RenderScope };
}

/** A live custom-component instance hosted on an element; the host supplies these. */
export interface ComponentHandle {
  update(vnode: VComponent, scope: RenderScope): void;
  /** Its host element was moved among its siblings (keyed reorder), the instance kept. */
  moved?(): void;
  unmount(): void;
}

/** Built-in element behaviour: how a tag becomes a DOM element and how attributes apply. */
export interface ElementSpec {
  create(doc: Document, vnode: VElement): Element;
  setAttr?(el: Element, name: string, value: string | undefined): void;
}

export interface RendererOptions {
  elements?: (tag: string) => ElementSpec | undefined;
  /** An attribute of any element that is behaviour, not markup (`animation`): true when taken. */
  behaviour?: (el: Element, name: string, value: string | undefined) => boolean;
  mountComponent?: (host: Element, vnode: VComponent, scope: RenderScope) => ComponentHandle | undefined;
}

interface Mounted {
  v: VNode;
  node: Node;
  kids: Mounted[];
  comp?: ComponentHandle | undefined;
  spec?: ElementSpec | undefined;
}

const metaKey = Symbol.for('tessera.node');
const NO_MARKS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
type WithMeta = { [metaKey]?: NodeMeta };

export function nodeMeta(node: unknown): NodeMeta | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  return (node as WithMeta)[metaKey];
}

const SAFE_TAG = /^[a-z][a-z0-9-]{0,63}$/;
const SAFE_ATTR = /^[a-z_:][a-z0-9_:.-]{0,63}$/i;

/** Unknown tags become inert `wx-*` elements, so `<script>` or `<iframe>` in WXML never runs. */
function defaultTagName(tag: string): string {
  return SAFE_TAG.test(tag) ? `wx-${tag}` : 'wx-unknown';
}

function isSafeAttr(name: string): boolean {
  return SAFE_ATTR.test(name) && !/^on/i.test(name) && name.toLowerCase() !== 'srcdoc';
}

export interface Renderer {
  /** Mounts or patches `vnodes` as the children of `container`. */
  render(container: Element, vnodes: readonly VNode[], scope?: RenderScope): void;
  /** Removes everything rendered into `container` and unmounts its components. */
  unmount(container: Element): void;
  /** Tells the components rendered into `container` that it was moved. */
  moved(container: Element): void;
}

export function createRenderer(options: RendererOptions = {}): Renderer {
  const roots = new WeakMap<Element, Mounted[]>();

  function mount(v: VNode, scope: RenderScope, doc: Document): Mounted {
    switch (v.t) {
      case 'text':
        return { v, node: doc.createTextNode(v.text), kids: [] };
      case 'el':
        return mountElement(v, scope, doc);
      case 'comp':
        return mountComponent(v, scope, doc);
      case 'slot':
        return mountSlot(v, scope, doc);
    }
  }

  // A patched element keeps its meta object: a 1,000-row update would otherwise allocate one
  // per element and per render, and the event system only reads it at dispatch time.
  function setMeta(el: Element, v: VElement | VComponent, scope: RenderScope): void {
    const id = v.t === 'comp' ? (v.id ?? '') : (v.attrs.id ?? '');
    const marks = v.marks ?? NO_MARKS;
    const meta = (el as WithMeta)[metaKey];
    if (meta) {
      meta.owner = scope.owner;
      meta.id = id;
      meta.dataset = v.dataset;
      meta.events = v.events;
      meta.marks = marks;
      meta.tag = v.tag;
    } else {
      (el as WithMeta)[metaKey] = {
        owner: scope.owner,
        id,
        dataset: v.dataset,
        events: v.events,
        marks,
        tag: v.tag,
      };
    }
  }

  function applyCommon(el: Element, old: VElement | VComponent | undefined, v: VElement | VComponent): void {
    if (old?.classes !== v.classes) {
      if (v.classes) el.setAttribute('class', v.classes);
      else el.removeAttribute('class');
    }
    if (old?.style !== v.style) {
      if (v.style) el.setAttribute('style', v.style);
      else el.removeAttribute('style');
    }
    if (Boolean(old?.hidden) !== Boolean(v.hidden)) {
      if (v.hidden) el.setAttribute('hidden', '');
      else el.removeAttribute('hidden');
    }
  }

  function setAttr(m: Mounted, name: string, value: string | undefined): void {
    if (!isSafeAttr(name)) return;
    const el = m.node as Element;
    if (options.behaviour?.(el, name, value)) return;
    if (m.spec?.setAttr) m.spec.setAttr(el, name, value);
    else if (value === undefined) el.removeAttribute(name);
    else el.setAttribute(name, value);
  }

  function mountElement(v: VElement, scope: RenderScope, doc: Document): Mounted {
    const spec = options.elements?.(v.tag);
    const el = spec ? spec.create(doc, v) : doc.createElement(defaultTagName(v.tag));
    const m: Mounted = { v, node: el, kids: [], spec };
    for (const k in v.attrs) setAttr(m, k, v.attrs[k]);
    applyCommon(el, undefined, v);
    setMeta(el, v, scope);
    for (const c of v.children) {
      const k = mount(c, scope, doc);
      m.kids.push(k);
      el.appendChild(k.node);
    }
    return m;
  }

  function mountComponent(v: VComponent, scope: RenderScope, doc: Document): Mounted {
    const el = doc.createElement(defaultTagName(v.tag));
    if (v.id) el.setAttribute('id', v.id);
    applyCommon(el, undefined, v);
    setMeta(el, v, scope);
    const m: Mounted = { v, node: el, kids: [] };
    m.comp = options.mountComponent?.(el, v, scope);
    if (!m.comp) {
      // No component implementation: render the slot content so the page stays usable.
      for (const c of v.children) {
        const k = mount(c, scope, doc);
        m.kids.push(k);
        el.appendChild(k.node);
      }
    }
    return m;
  }

  function slotContent(v: VSlot, scope: RenderScope): { nodes: VNode[]; scope: RenderScope } {
    const src = scope.slots;
    if (!src) return { nodes: [], scope };
    const nodes = src.nodes.filter((n) => {
      const name = n.t === 'el' || n.t === 'comp' ? (n.slotName ?? '') : '';
      return name === v.name;
    });
    return { nodes, scope: src.scope };
  }

  function mountSlot(v: VSlot, scope: RenderScope, doc: Document): Mounted {
    const el = doc.createElement('wx-slot');
    const m: Mounted = { v, node: el, kids: [] };
    const content = slotContent(v, scope);
    for (const c of content.nodes) {
      const k = mount(c, content.scope, doc);
      m.kids.push(k);
      el.appendChild(k.node);
    }
    return m;
  }

  /** A kept subtree changed position: every component in it is told (WeChat `moved`). */
  function moved(m: Mounted): void {
    m.comp?.moved?.();
    for (const k of m.kids) moved(k);
  }

  function destroy(m: Mounted): void {
    if (m.comp) m.comp.unmount();
    for (const k of m.kids) destroy(k);
  }

  function sameNode(a: VNode, b: VNode): boolean {
    if (a.t !== b.t) return false;
    if (a.t === 'text') return true;
    if (a.t === 'slot') return a.name === (b as VSlot).name;
    const bb = b as VElement | VComponent;
    return a.tag === bb.tag && a.key === bb.key;
  }

  /** Patches `m` in place to represent `v` (same kind); returns the same record. */
  function patch(m: Mounted, v: VNode, scope: RenderScope): void {
    const old = m.v;
    m.v = v;
    if (old === v && v.t !== 'comp' && v.t !== 'slot') return;
    const doc = m.node.ownerDocument as Document;
    switch (v.t) {
      case 'text':
        if ((old as VText).text !== v.text) m.node.nodeValue = v.text;
        return;
      case 'el': {
        const o = old as VElement;
        const el = m.node as Element;
        if (o.attrs !== v.attrs) {
          for (const k in v.attrs) if (o.attrs[k] !== v.attrs[k]) setAttr(m, k, v.attrs[k]);
          for (const k in o.attrs) if (!(k in v.attrs)) setAttr(m, k, undefined);
        }
        applyCommon(el, o, v);
        setMeta(el, v, scope);
        patchChildren(el, m.kids, v.children, scope, doc);
        return;
      }
      case 'comp': {
        const o = old as VComponent;
        const el = m.node as Element;
        if (o.id !== v.id) {
          if (v.id) el.setAttribute('id', v.id);
          else el.removeAttribute('id');
        }
        applyCommon(el, o, v);
        setMeta(el, v, scope);
        if (m.comp) m.comp.update(v, scope);
        else patchChildren(el, m.kids, v.children, scope, doc);
        return;
      }
      case 'slot': {
        const content = slotContent(v, scope);
        patchChildren(m.node as Element, m.kids, content.nodes, content.scope, doc);
        return;
      }
    }
  }

  function patchChildren(
    parent: Element,
    kids: Mounted[],
    next: readonly VNode[],
    scope: RenderScope,
    doc: Document,
  ): void {
    let s = 0;
    let oe = kids.length - 1;
    let ne = next.length - 1;
    // Common prefix and suffix: patched in place, never moved.
    while (s <= oe && s <= ne && sameNode(kids[s]!.v, next[s]!)) {
      patch(kids[s]!, next[s]!, scope);
      s++;
    }
    while (s <= oe && s <= ne && sameNode(kids[oe]!.v, next[ne]!)) {
      patch(kids[oe]!, next[ne]!, scope);
      oe--;
      ne--;
    }
    if (s > oe && s > ne) return; // same children in the same order: patched in place
    const result: Mounted[] = kids.slice(0, s);
    const tail = kids.slice(oe + 1);
    if (s > oe) {
      // Only insertions.
      const anchor = tail[0]?.node ?? null;
      for (let i = s; i <= ne; i++) {
        const m = mount(next[i]!, scope, doc);
        parent.insertBefore(m.node, anchor);
        result.push(m);
      }
      kids.length = 0;
      for (const r of result) kids.push(r);
      for (const t of tail) kids.push(t);
      return;
    }
    if (s > ne) {
      for (let i = s; i <= oe; i++) {
        destroy(kids[i]!);
        parent.removeChild(kids[i]!.node);
      }
      kids.length = 0;
      for (const r of result) kids.push(r);
      for (const t of tail) kids.push(t);
      return;
    }
    // General case: match by key (or by position among unkeyed nodes of the same kind).
    const byKey = new Map<string, number>();
    for (let i = s; i <= oe; i++) {
      const k = keyOf(kids[i]!.v);
      if (k !== undefined && !byKey.has(k)) byKey.set(k, i);
    }
    const used = new Uint8Array(kids.length);
    const middle: Mounted[] = [];
    const sources: number[] = []; // old index per new middle slot, -1 when newly mounted
    let unkeyedCursor = s;
    for (let i = s; i <= ne; i++) {
      const v = next[i]!;
      const k = keyOf(v);
      let from = -1;
      if (k !== undefined) {
        const idx = byKey.get(k);
        if (idx !== undefined && !used[idx] && sameNode(kids[idx]!.v, v)) from = idx;
      } else {
        while (unkeyedCursor <= oe && (used[unkeyedCursor] || keyOf(kids[unkeyedCursor]!.v) !== undefined))
          unkeyedCursor++;
        if (unkeyedCursor <= oe && sameNode(kids[unkeyedCursor]!.v, v)) from = unkeyedCursor;
      }
      if (from >= 0) {
        used[from] = 1;
        const m = kids[from]!;
        patch(m, v, scope);
        middle.push(m);
      } else {
        middle.push(mount(v, scope, doc));
      }
      sources.push(from);
    }
    for (let i = s; i <= oe; i++) {
      if (!used[i]) {
        destroy(kids[i]!);
        parent.removeChild(kids[i]!.node);
      }
    }
    // Nodes on the longest increasing subsequence of old positions stay where they are.
    const stable = longestIncreasing(sources);
    let anchor: Node | null = tail[0]?.node ?? null;
    let si = stable.length - 1;
    for (let i = middle.length - 1; i >= 0; i--) {
      const m = middle[i]!;
      if (si >= 0 && stable[si] === i) {
        si--;
      } else if (sources[i]! >= 0) {
        move(parent, m.node, anchor);
        moved(m);
      } else {
        parent.insertBefore(m.node, anchor);
      }
      anchor = m.node;
    }
    kids.length = 0;
    for (const r of result) kids.push(r);
    for (const r of middle) kids.push(r);
    for (const t of tail) kids.push(t);
  }

  return {
    render(container, vnodes, scope = { owner: 0 }) {
      const doc = container.ownerDocument;
      const existing = roots.get(container);
      if (!existing) {
        const kids: Mounted[] = [];
        for (const v of vnodes) {
          const m = mount(v, scope, doc);
          kids.push(m);
          container.appendChild(m.node);
        }
        roots.set(container, kids);
        return;
      }
      patchChildren(container, existing, vnodes, scope, doc);
    },
    unmount(container) {
      const kids = roots.get(container);
      if (!kids) return;
      for (const k of kids) {
        destroy(k);
        if (k.node.parentNode === container) container.removeChild(k.node);
      }
      roots.delete(container);
    },
    moved(container) {
      for (const k of roots.get(container) ?? []) moved(k);
    },
  };
}

/**
 * Moves a kept node among its siblings. moveBefore (where the browser has it) moves without
 * removing and re-inserting, so focus, selection and frame state survive, and it is several
 * times faster on large reorders; otherwise insertBefore.
 */
function move(parent: Element, node: Node, anchor: Node | null): void {
  const p = parent as Element & { moveBefore?(node: Node, child: Node | null): void };
  if (typeof p.moveBefore === 'function' && node.isConnected === parent.isConnected) {
    try {
      p.moveBefore(node, anchor);
      return;
    } catch {
      // e.g. a node from another document: fall back to a plain re-insert
    }
  }
  parent.insertBefore(node, anchor);
}

function keyOf(v: VNode): string | undefined {
  return v.t === 'el' || v.t === 'comp' ? v.key : undefined;
}

/** Indexes (into `seq`) of a longest strictly increasing subsequence, ignoring -1 entries. */
export function longestIncreasing(seq: readonly number[]): number[] {
  const tails: number[] = [];
  const prev = new Array<number>(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i++) {
    const x = seq[i]!;
    if (x < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Array<number>(tails.length);
  let k = tails.length ? tails[tails.length - 1]! : -1;
  for (let i = tails.length - 1; i >= 0; i--) {
    out[i] = k;
    k = prev[k]!;
  }
  return out;
}
