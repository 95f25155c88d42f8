// The pull-down gesture and the three-dot indicator that page refresh (pull-refresh.ts) and the
// scroll-view refresher (scroll-view.ts) share.

export interface PullOptions {
  /** whether a press here may start a pull (at the top, not already refreshing) */
  canStart(): boolean;
  /** how far the pull shows at most, px */
  max(): number;
  /** while pulling: half the pointer's travel down, 0…max() */
  onPull(dy: number): void;
  /** the pointer let go after a pull began */
  onRelease(dy: number): void;
}

/** A downward pull on `target`, by touch or, on desktop, a mouse drag. */
export function watchPull(target: EventTarget, o: PullOptions): void {
  let from: number | undefined;
  let dy = 0;
  const begin = (y: number) => {
    from = o.canStart() ? y : undefined;
    dy = 0;
  };
  const move = (y: number, e: Event) => {
    if (from === undefined) return;
    dy = Math.min(o.max(), Math.max(0, (y - from) / 2));
    if (dy > 0 && e.cancelable) e.preventDefault(); // the pull, not a scroll or a text selection
    o.onPull(dy);
  };
  const end = () => {
    if (from === undefined) return;
    from = undefined;
    o.onRelease(dy);
  };
  const on = (type: string, fn: (e: Event) => void, passive?: boolean) =>
    target.addEventListener(type, fn, passive === undefined ? undefined : { passive });
  on('touchstart', (e) => begin((e as TouchEvent).touches[0]!.clientY), true);
  on('touchmove', (e) => move((e as TouchEvent).touches[0]!.clientY, e), false);
  on('touchend', end);
  on('touchcancel', end);
  on('mousedown', (e) => begin((e as MouseEvent).clientY));
  on('mousemove', (e) => ((e as MouseEvent).buttons & 1 ? move((e as MouseEvent).clientY, e) : end()));
  on('mouseup', end);
  on('mouseleave', end);
}

/** The three dots of a refresh indicator, appended to `parent`. */
export function appendDots(parent: HTMLElement, color: string, animation?: (i: number) => string): void {
  for (let i = 0; i < 3; i++) {
    const d = parent.ownerDocument.createElement('span');
    d.style.cssText = `width:6px;height:6px;border-radius:3px;background:${color}${animation ? `;animation:${animation(i)}` : ''}`;
    parent.append(d);
  }
}
