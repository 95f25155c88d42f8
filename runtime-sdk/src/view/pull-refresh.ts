// The pull-down refresh of a page frame (enablePullDownRefresh): a pull at the page's top (touch,
// or a mouse drag on desktop) past TRIGGER px reveals the three-dot indicator and asks for
// onPullDownRefresh; the indicator stays until wx.stopPullDownRefresh. A view chunk: only pages
// that refresh load it.
import type { PageWindow } from '../core/package-files.ts';
import { appendDots, watchPull } from './pull.ts';

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
  appendDots(indicator, dot, (i) => `tsr-dot 1s ${i * 0.2}s infinite`);
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

  if (w.pullDownRefresh)
    watchPull(globalThis, {
      canStart: () => !refreshing && scroller().scrollTop <= 0,
      max: () => MAX_PULL,
      onPull: (dy) => show(dy, false),
      onRelease: (dy) => (dy >= TRIGGER ? refresh() : show(0, true)),
    });

  return {
    start: refresh,
    stop: () => {
      refreshing = false;
      show(0, true);
    },
  };
}
