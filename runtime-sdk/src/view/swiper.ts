// <swiper>: its <swiper-item> children side by side (or stacked, vertical), one shown at a time;
// swiping (pointer: touch, pen or mouse), autoplay and the `current` attribute move between
// them. Events as WeChat's: change {current, source: 'touch' | 'autoplay' | ''},
// transition {dx, dy} while dragging, animationfinish {current, source}. The dots live in a
// shadow root, so the renderer keeps sole charge of the element's children.

import { truthy } from './attr-value.ts';
import type { BuiltinContext, LazySpec } from './builtins.ts';

interface State {
  current: number;
  autoplay: boolean;
  interval: number;
  duration: number;
  circular: boolean;
  vertical: boolean;
  dots: boolean;
  dotColor: string;
  activeColor: string;
  timer?: ReturnType<typeof setTimeout>;
  dotsEl: HTMLElement;
  drag?: { x: number; y: number; id: number; moved: number };
}

const states = new WeakMap<Element, State>();
const items = (el: Element) => Array.from(el.children).filter((c) => c.localName === 'wx-swiper-item');

/** Where item i sits relative to the current one, in item widths (circular: the shorter way round). */
function offsetOf(i: number, s: State, n: number): number {
  let d = i - s.current;
  if (s.circular && n > 2) {
    if (d > n / 2) d -= n;
    else if (d < -n / 2) d += n;
  }
  return d;
}

function layout(el: Element, s: State, animate: boolean, drag = 0): void {
  const list = items(el);
  const n = list.length;
  if (n && s.current >= n) s.current = n - 1;
  const size = s.vertical ? (el as HTMLElement).clientHeight : (el as HTMLElement).clientWidth;
  list.forEach((item, i) => {
    const st = (item as HTMLElement).style;
    const d = offsetOf(i, s, n);
    // items that jump from one side to the other do it unseen
    st.transition = animate && Math.abs(d) <= 1 ? `transform ${s.duration}ms ease` : 'none';
    const px = d * size + drag;
    st.transform = s.vertical ? `translateY(${px}px)` : `translateX(${px}px)`;
  });
  s.dotsEl.replaceChildren();
  s.dotsEl.style.display = s.dots && n > 1 ? 'flex' : 'none';
  s.dotsEl.style.flexDirection = s.vertical ? 'column' : 'row';
  for (let i = 0; i < n && s.dots; i++) {
    const dot = el.ownerDocument.createElement('span');
    dot.style.cssText = `width:8px;height:8px;border-radius:4px;margin:3px;background:${i === s.current ? s.activeColor : s.dotColor}`;
    s.dotsEl.append(dot);
  }
}

function go(el: Element, s: State, ctx: BuiltinContext, to: number, source: string): void {
  const n = items(el).length;
  if (!n) return;
  const next = s.circular ? ((to % n) + n) % n : Math.max(0, Math.min(n - 1, to));
  if (next !== s.current) {
    s.current = next;
    ctx.emit(el, 'change', {
      current: next,
      currentItemId: items(el)[next]?.getAttribute('item-id') ?? '',
      source,
    });
    const done = () => ctx.emit(el, 'animationfinish', { current: next, source });
    setTimeout(done, s.duration);
  }
  layout(el, s, true);
}

function schedule(el: Element, s: State, ctx: BuiltinContext): void {
  clearTimeout(s.timer);
  s.timer = undefined;
  if (!s.autoplay) return;
  s.timer = setTimeout(() => {
    if (!el.isConnected) return; // gone: stop
    if (!s.drag) {
      const n = items(el).length;
      if (s.circular || s.current < n - 1) go(el, s, ctx, s.current + 1, 'autoplay');
      else go(el, s, ctx, 0, 'autoplay');
    }
    schedule(el, s, ctx);
  }, s.interval);
}

const swiper: LazySpec = {
  upgrade(el, ctx) {
    const host = el as HTMLElement;
    host.style.position = 'relative';
    host.style.overflow = 'hidden';
    host.style.touchAction = 'pan-y';
    const shadow = host.attachShadow({ mode: 'closed' });
    const slot = el.ownerDocument.createElement('slot');
    const dotsEl = el.ownerDocument.createElement('div');
    dotsEl.style.cssText =
      'position:absolute;left:0;right:0;bottom:10px;justify-content:center;pointer-events:none';
    const style = el.ownerDocument.createElement('style');
    style.textContent = '::slotted(wx-swiper-item){position:absolute;inset:0;overflow:hidden}';
    shadow.append(style, slot, dotsEl);
    const s: State = {
      current: 0,
      autoplay: false,
      interval: 5000,
      duration: 500,
      circular: false,
      vertical: false,
      dots: false,
      dotColor: 'rgba(0,0,0,.3)',
      activeColor: '#000000',
      dotsEl,
    };
    states.set(el, s);
    // the renderer adds and removes items at any time
    new MutationObserver(() => layout(el, s, false)).observe(el, { childList: true });

    host.addEventListener('pointerdown', (e) => {
      s.drag = { x: e.clientX, y: e.clientY, id: e.pointerId, moved: 0 };
    });
    host.addEventListener('pointermove', (e) => {
      if (!s.drag || e.pointerId !== s.drag.id) return;
      const dx = e.clientX - s.drag.x;
      const dy = e.clientY - s.drag.y;
      s.drag.moved = s.vertical ? dy : dx;
      if (Math.abs(s.drag.moved) > 3) {
        host.setPointerCapture?.(e.pointerId);
        layout(el, s, false, s.drag.moved);
        ctx.emit(el, 'transition', { dx: -dx, dy: -dy });
      }
    });
    const release = () => {
      const d = s.drag;
      s.drag = undefined;
      if (!d) return;
      const size = s.vertical ? host.clientHeight : host.clientWidth;
      if (Math.abs(d.moved) > size / 5) go(el, s, ctx, s.current + (d.moved < 0 ? 1 : -1), 'touch');
      else layout(el, s, true);
      schedule(el, s, ctx);
    };
    host.addEventListener('pointerup', release);
    host.addEventListener('pointercancel', release);
    layout(el, s, false);
  },

  setAttr(el, name, value, ctx) {
    const s = states.get(el);
    if (!s) return;
    const num = (fallback: number) => {
      const n = Number(value);
      return value !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
    };
    switch (name) {
      case 'current':
        go(el, s, ctx, Math.floor(num(0)), '');
        return;
      case 'autoplay':
        s.autoplay = truthy(value);
        break;
      case 'interval':
        s.interval = Math.max(100, num(5000));
        break;
      case 'duration':
        s.duration = num(500);
        break;
      case 'circular':
        s.circular = truthy(value);
        break;
      case 'vertical':
        s.vertical = truthy(value);
        break;
      case 'indicator-dots':
        s.dots = truthy(value);
        break;
      case 'indicator-color':
        s.dotColor = value ?? 'rgba(0,0,0,.3)';
        break;
      case 'indicator-active-color':
        s.activeColor = value ?? '#000000';
        break;
      default:
        if (value === undefined) el.removeAttribute(name);
        else el.setAttribute(name, value);
        return;
    }
    layout(el, s, false);
    schedule(el, s, ctx);
  },
};

export const specs: Record<string, LazySpec> = { swiper };
