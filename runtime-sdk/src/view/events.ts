// WeChat event semantics on top of the rendered DOM: capture phase (capture-bind /
// capture-catch) root → target, then bubbling target → root for bubbling events (bind, catch
// stops, mut-bind fires for the first mut-bind handler only), dataset of target and
// currentTarget, marks merged along the path, component boundaries for non-composed events.
import type { WxEvent } from '../core/bridge.ts';
import type { EventMode } from '../render/contract.ts';
import { type NodeMeta, nodeMeta } from '../render/dom.ts';

/** Events that bubble in WeChat (all others fire on the target only). */
export const BUBBLING_EVENTS = new Set([
  'touchstart',
  'touchmove',
  'touchcancel',
  'touchend',
  'tap',
  'longpress',
  'longtap',
  'transitionend',
  'animationstart',
  'animationiteration',
  'animationend',
  'touchforcechange',
]);

export interface Delivery {
  owner: number;
  handler: string;
  event: WxEvent;
}

export interface DispatchOptions {
  bubbles: boolean;
  composed: boolean;
  capturePhase: boolean;
  timeStamp?: number;
  touches?: unknown[];
}

interface PathEntry {
  el: Element;
  meta: NodeMeta;
}

function pathOf(target: Element, root: Node): PathEntry[] {
  const out: PathEntry[] = [];
  let n: Node | null = target;
  while (n && n !== root) {
    const meta = nodeMeta(n);
    if (meta) out.push({ el: n as Element, meta });
    n = n.parentNode;
  }
  return out;
}

function handlersFor(meta: NodeMeta, name: string, modes: readonly EventMode[]) {
  return meta.events.filter((b) => b.name === name && modes.includes(b.mode));
}

/**
 * Computes which handlers run for an event of `name` starting at `target`, in order.
 * `deliver` is called for each; nothing here touches the logic realm directly.
 */
export function dispatchWxEvent(
  root: Node,
  target: Element,
  name: string,
  detail: unknown,
  options: DispatchOptions,
  deliver: (d: Delivery) => void,
): number {
  let path = pathOf(target, root);
  if (path.length === 0) return 0;
  const origin = path[0]!;
  if (!options.composed) {
    // A non-composed event stays inside the tree of the instance that owns the target.
    const owner = origin.meta.owner;
    const cut = path.findIndex((p) => p.meta.owner !== owner);
    if (cut > 0) path = path.slice(0, cut);
  }
  const marks: Record<string, unknown> = {};
  for (let i = path.length - 1; i >= 0; i--) Object.assign(marks, path[i]!.meta.marks);
  const timeStamp = options.timeStamp ?? 0;
  let count = 0;
  const fire = (entry: PathEntry, handler: string) => {
    // Retarget: a handler in another instance sees the nearest element of its own tree.
    const targetEntry = path.find((p) => p.meta.owner === entry.meta.owner) ?? origin;
    const event: WxEvent = {
      type: name,
      timeStamp,
      target: { id: targetEntry.meta.id, dataset: targetEntry.meta.dataset },
      currentTarget: { id: entry.meta.id, dataset: entry.meta.dataset },
      mark: marks,
      detail,
    };
    if (options.touches) {
      event.touches = options.touches;
      event.changedTouches = options.touches;
    }
    count++;
    deliver({ owner: entry.meta.owner, handler, event });
  };

  // Capture phase: root → target.
  if (options.capturePhase) {
    for (let i = path.length - 1; i >= 0; i--) {
      const entry = path[i]!;
      for (const b of handlersFor(entry.meta, name, ['capture-bind', 'capture-catch'])) {
        fire(entry, b.handler);
        if (b.mode === 'capture-catch') return count;
      }
    }
  }
  // Bubble phase: target → root (target only when the event does not bubble).
  const last = options.bubbles ? path.length : 1;
  let mutFired = false;
  for (let i = 0; i < last; i++) {
    const entry = path[i]!;
    let stop = false;
    for (const b of handlersFor(entry.meta, name, ['bind', 'catch', 'mut-bind'])) {
      if (b.mode === 'mut-bind') {
        if (mutFired) continue;
        mutFired = true;
      }
      fire(entry, b.handler);
      if (b.mode === 'catch') stop = true;
    }
    // A catch handler stops bubbling even when it is registered for this name only.
    if (stop) break;
  }
  return count;
}

/** Finds the nearest rendered element (with metadata) for a DOM event target. */
export function closestRendered(node: EventTarget | null, root: Node): Element | undefined {
  let n = node as Node | null;
  while (n && n !== root) {
    if (nodeMeta(n)) return n as Element;
    n = n.parentNode;
  }
  return undefined;
}
