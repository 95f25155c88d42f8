// <scroll-view>: WeChat's scroll container. scroll (with deltas), scrolltoupper / scrolltolower
// once per arrival within upper-/lower-threshold, scroll-top / scroll-left / scroll-into-view
// (smooth with scroll-with-animation), and the refresher: with refresher-enabled a pull at the
// top past refresher-threshold fires refresherrefresh and stays open while refresher-triggered
// is true (refresherpulling while pulling, refresherrestore when it closes, refresherabort for a
// pull let go too early). The refresher lives in a shadow root, so the renderer keeps sole
// charge of the element's children.

import { truthy } from './attr-value.ts';
import type { BuiltinContext, LazySpec } from './builtins.ts';
import { appendDots, watchPull } from './pull.ts';

interface State {
  lastTop: number;
  lastLeft: number;
  atUpper: boolean;
  atLower: boolean;
  smooth: boolean;
  refresher: HTMLElement;
  enabled: boolean;
  threshold: number;
  triggered: boolean;
}

const states = new WeakMap<Element, State>();
const px = (v: string | null, fallback: number) => {
  const n = Number(v);
  return v !== null && Number.isFinite(n) ? n : fallback;
};

function scrollTo(el: HTMLElement, s: State, to: { top?: number; left?: number }): void {
  el.scrollTo({ ...to, behavior: s.smooth ? 'smooth' : 'instant' });
}

function showRefresher(s: State, height: number, animate: boolean): void {
  s.refresher.style.transition = animate ? 'height .2s' : 'none';
  s.refresher.style.height = `${height}px`;
}

const scrollView: LazySpec = {
  upgrade(el, ctx: BuiltinContext) {
    const host = el as HTMLElement;
    const shadow = host.attachShadow({ mode: 'closed' });
    const refresher = el.ownerDocument.createElement('div');
    refresher.style.cssText =
      'height:0;overflow:hidden;display:flex;align-items:center;justify-content:center;gap:6px';
    appendDots(refresher, '#999');
    shadow.append(refresher, el.ownerDocument.createElement('slot'));
    const s: State = {
      lastTop: 0,
      lastLeft: 0,
      atUpper: true,
      atLower: false,
      smooth: false,
      refresher,
      enabled: false,
      threshold: 45,
      triggered: false,
    };
    states.set(el, s);

    host.addEventListener('scroll', () => {
      const { scrollTop, scrollLeft, scrollHeight, scrollWidth, clientHeight, clientWidth } = host;
      ctx.emit(el, 'scroll', {
        scrollTop,
        scrollLeft,
        scrollHeight,
        scrollWidth,
        deltaX: scrollLeft - s.lastLeft,
        deltaY: scrollTop - s.lastTop,
      });
      s.lastTop = scrollTop;
      s.lastLeft = scrollLeft;
      const horizontal = truthy(el.getAttribute('scroll-x')) && !truthy(el.getAttribute('scroll-y'));
      const pos = horizontal ? scrollLeft : scrollTop;
      const room = horizontal
        ? scrollWidth - clientWidth - scrollLeft
        : scrollHeight - clientHeight - scrollTop;
      const upper = pos <= px(el.getAttribute('upper-threshold'), 50);
      const lower = room <= px(el.getAttribute('lower-threshold'), 50);
      const direction = horizontal ? 'left' : 'top';
      if (upper && !s.atUpper) ctx.emit(el, 'scrolltoupper', { direction });
      if (lower && !s.atLower) ctx.emit(el, 'scrolltolower', { direction: horizontal ? 'right' : 'bottom' });
      s.atUpper = upper;
      s.atLower = lower;
    });

    // the refresher: a pull (touch or mouse) while scrolled to the top
    watchPull(host, {
      canStart: () => s.enabled && !s.triggered && host.scrollTop <= 0,
      max: () => s.threshold * 2,
      onPull: (dy) => {
        if (dy === 0) return;
        showRefresher(s, dy, false);
        ctx.emit(el, 'refresherpulling', { dy });
      },
      onRelease: (dy) => {
        if (dy === 0) return;
        if (dy >= s.threshold) {
          s.triggered = true;
          showRefresher(s, s.threshold, true);
          ctx.emit(el, 'refresherrefresh', { dy });
        } else {
          showRefresher(s, 0, true);
          ctx.emit(el, 'refresherabort', { dy });
        }
      },
    });
  },

  setAttr(el, name, value, ctx) {
    const s = states.get(el);
    const host = el as HTMLElement;
    if (!s) return;
    switch (name) {
      case 'scroll-top':
        scrollTo(host, s, { top: Number(value) || 0 });
        return;
      case 'scroll-left':
        scrollTo(host, s, { left: Number(value) || 0 });
        return;
      case 'scroll-with-animation':
        s.smooth = truthy(value);
        return;
      case 'scroll-into-view': {
        if (!value || !/^[A-Za-z_][-\w]*$/.test(value)) return; // WeChat: an id, not a selector
        const target = el.querySelector(`#${value}`) as HTMLElement | null;
        if (!target) return;
        const box = host.getBoundingClientRect();
        const t = target.getBoundingClientRect();
        scrollTo(host, s, {
          top: host.scrollTop + t.top - box.top,
          left: host.scrollLeft + t.left - box.left,
        });
        return;
      }
      case 'refresher-enabled':
        s.enabled = truthy(value);
        return;
      case 'refresher-threshold':
        s.threshold = Math.max(10, px(value ?? null, 45));
        return;
      case 'refresher-background':
        s.refresher.style.background = value && /^[#\w(),. %]*$/.test(value) ? value : '';
        return;
      case 'refresher-triggered': {
        const on = truthy(value);
        if (on && !s.triggered) {
          s.triggered = true;
          showRefresher(s, s.threshold, true);
          ctx.emit(el, 'refresherrefresh', { dy: s.threshold });
        } else if (!on && s.triggered) {
          s.triggered = false;
          showRefresher(s, 0, true);
          ctx.emit(el, 'refresherrestore', {});
        }
        return;
      }
      default:
        if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
    }
  },
};

export const specs: Record<string, LazySpec> = { 'scroll-view': scrollView };
