// The pull-down refresh of a page frame (enablePullDownRefresh): a pull at the page's top (touch,
// or a mouse drag on desktop) past TRIGGER px reveals the three-dot indicator and asks for
// onPullDownRefresh; the indicator stays until wx.stopPullDownRefresh. A view chunk: only pages
// that refresh load it.
import type { PageWindow } from '../core/package-files.ts';

/** How far (px) the page must be pulled to refresh, and where it rests while refreshing. */
const TRIGGER = 50;
const MAX_PULL = 80;

export interface PullRefresh {
  /** wx.startPullDownRefresh: as if pulled (fires onPullDownRefresh) */
  start(): void;
  /** wx.stopPullDownRefresh */
  stop(): void;
}

export function pullToRefresh(
  root: HTMLElement,
  pageId: number,
  w: PageWindow,
  send: (m: unknown) => void,
): PullRefresh {
  const scroller = () => document.scrollingElement ?? document.documentElement;
  const indicator = document.createElement('div');
  indicator.className = 'tsr-refresh';
  indicator.setAttribute('aria-hidden', 'true');
  const dot = w.backgroundTextStyle === 'light' ? '#ffffff' : '#999999';
  indicator.style.cssText = `position:fixed;left:0;right:0;top:0;height:0;overflow:hidden;display:flex;align-items:center;justify-content:center;gap:6px;background:${w.backgroundColor ?? 'transparent'}`;
  for (let i = 0; i < 3; i++) {
    const d = document.createElement('span');
    d.style.cssText = `width:6px;height:6px;border-radius:3px;background:${dot};animation:tsr-dot 1s ${i * 0.2}s infinite`;
    indicator.append(d);
  }
  const keyframes = document.createElement('style');
  keyframes.textContent = '@keyframes tsr-dot{0%,100%{opacity:.2}50%{opacity:1}}';
  document.head.append(keyframes);
  document.body.prepend(indicator);

  let refreshing = false;
  const show = (px: number, animate: boolean) => {
    const t = animate ? 'transform .2s, height .2s' : 'none';
    root.style.transition = t;
    indicator.style.transition = t.replace('transform', 'height');
    root.style.transform = px ? `translateY(${px}px)` : '';
    indicator.style.height = `${px}px`;
  };
  const refresh = () => {
    if (refreshing) return;
    refreshing = true;
    show(TRIGGER, true);
    send({ type: 'page:pullDownRefresh', pageId });
  };

  if (w.pullDownRefresh) {
    let from: number | undefined;
    let pulled = 0;
    const begin = (y: number) => {
      from = !refreshing && scroller().scrollTop <= 0 ? y : undefined;
      pulled = 0;
    };
    const move = (y: number, e: Event) => {
      if (from === undefined) return;
      pulled = Math.min(MAX_PULL, Math.max(0, (y - from) / 2));
      if (pulled > 0 && e.cancelable) e.preventDefault(); // the pull, not a scroll or a text selection
      show(pulled, false);
    };
    const end = () => {
      if (from === undefined) return;
      from = undefined;
      if (pulled >= TRIGGER) refresh();
      else show(0, true);
    };
    addEventListener('touchstart', (e) => begin(e.touches[0]!.clientY), { passive: true });
    addEventListener('touchmove', (e) => move(e.touches[0]!.clientY, e), { passive: false });
    addEventListener('touchend', end);
    addEventListener('touchcancel', end);
    addEventListener('mousedown', (e) => begin(e.clientY));
    addEventListener('mousemove', (e) => (e.buttons & 1 ? move(e.clientY, e) : end()));
    addEventListener('mouseup', end);
  }

  return {
    start: refresh,
    stop: () => {
      refreshing = false;
      show(0, true);
    },
  };
}
