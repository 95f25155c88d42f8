// What an intersection observer asks the page frame to watch, as plain, bounded values: made
// by the logic realm (logic/intersection.ts) and made again by the frame from what arrives
// (view/intersection.ts), since it comes from the mini-program's own realm.

/** What the logic realm asked a page frame to observe (wx.createIntersectionObserver(…).observe). */
export interface IntersectionRequest {
  observer: number;
  target: string;
  /** a selector of the reference node; absent: the viewport */
  relativeTo?: string;
  margins: { left: number; top: number; right: number; bottom: number };
  thresholds: number[];
  initialRatio: number;
  observeAll: boolean;
}

/** `a` (any shape) as a request. */
export function intersectionRequest(a: Record<string, unknown>): IntersectionRequest {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const m = (a.margins ?? {}) as Record<string, unknown>;
  const thresholds = (Array.isArray(a.thresholds) ? a.thresholds : [0])
    .map(num)
    .filter((t) => t >= 0 && t <= 1)
    .slice(0, 32);
  return {
    observer: num(a.observer),
    target: String(a.target ?? '').slice(0, 256),
    ...(typeof a.relativeTo === 'string' ? { relativeTo: a.relativeTo.slice(0, 256) } : {}),
    margins: { left: num(m.left), top: num(m.top), right: num(m.right), bottom: num(m.bottom) },
    thresholds: thresholds.length ? thresholds : [0],
    initialRatio: Math.min(1, Math.max(0, num(a.initialRatio))),
    observeAll: a.observeAll === true,
  };
}
