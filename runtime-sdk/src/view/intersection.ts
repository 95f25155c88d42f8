// The page frame's half of wx.createIntersectionObserver: a browser IntersectionObserver per
// logic-side observer, reporting each target's threshold crossings as WeChat does (the first
// report only when the ratio at the start differs from initialRatio across a threshold).
// A view chunk: only pages that observe load it.
import type { IntersectionRequest } from '../core/intersection-request.ts';
import { nodeMeta } from '../render/dom.ts';

export { intersectionRequest } from '../core/intersection-request.ts';

const rect = (r: DOMRectReadOnly | null) => ({
  left: r?.left ?? 0,
  top: r?.top ?? 0,
  right: r?.right ?? 0,
  bottom: r?.bottom ?? 0,
  width: r?.width ?? 0,
  height: r?.height ?? 0,
});

/** Starts observing inside `root`; returns how to stop. Throws when the selectors match nothing usable. */
export function observeIntersection(
  root: Element,
  o: IntersectionRequest,
  report: (entries: unknown[]) => void,
): () => void {
  const win = root.ownerDocument.defaultView as (Window & typeof globalThis) | null;
  if (!win?.IntersectionObserver) throw new Error('not supported by this host');
  const find = (sel: string, all: boolean): Element[] => {
    try {
      return all
        ? Array.from(root.querySelectorAll(sel))
        : [root.querySelector(sel)].filter((e) => e !== null);
    } catch {
      throw new Error(`"${sel}" is not a valid selector`);
    }
  };
  const targets = find(o.target, o.observeAll);
  if (!targets.length) throw new Error(`no element matches "${o.target}"`);
  const reference = o.relativeTo === undefined ? null : (find(o.relativeTo, false)[0] ?? null);
  if (o.relativeTo !== undefined && !reference) throw new Error(`no element matches "${o.relativeTo}"`);
  const thresholds = [...o.thresholds].sort((a, b) => a - b);
  // which band between thresholds a ratio is in; a report when a target changes band
  const band = (ratio: number, intersecting: boolean) =>
    intersecting ? thresholds.filter((t) => ratio >= t).length : 0;
  const initial = band(o.initialRatio, o.initialRatio > 0);
  const last = new Map<Element, number>();
  const io = new win.IntersectionObserver(
    (entries) => {
      const out: unknown[] = [];
      for (const e of entries) {
        const now = band(e.intersectionRatio, e.isIntersecting);
        if (now === (last.get(e.target) ?? initial)) continue;
        last.set(e.target, now);
        const meta = nodeMeta(e.target);
        out.push({
          id: (meta?.id ?? e.target.id).slice(0, 256),
          dataset: meta?.dataset ?? {},
          intersectionRatio: e.intersectionRatio,
          intersectionRect: rect(e.intersectionRect),
          boundingClientRect: rect(e.boundingClientRect),
          relativeRect: rect(e.rootBounds),
          time: e.time,
        });
      }
      if (out.length) report(out.slice(0, 256));
    },
    {
      root: reference,
      rootMargin: `${o.margins.top}px ${o.margins.right}px ${o.margins.bottom}px ${o.margins.left}px`,
      threshold: thresholds,
    },
  );
  for (const t of targets) io.observe(t);
  return () => io.disconnect();
}
