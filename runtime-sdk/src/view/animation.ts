// The page frame's half of wx.createAnimation: plays the steps of an `animation` attribute in
// order with CSS transitions. Transforms accumulate across steps by kind (a later rotate replaces
// the earlier rotate, a translate adds to it), as WeChat's do; a new value of the attribute
// stops the sequence that was running. A view chunk: only pages that animate load it.

const SAFE = /^[-\w.%# ()]*$/;

const running = new WeakMap<Element, number>();
const state = new WeakMap<Element, Map<string, string>>();
const ORIGIN_SAFE = /^[-\w.% ]*$/;

function unitOf(type: string, i: number): string {
  if (type === 'rotate3d') return i === 3 ? 'deg' : ''; // (x, y, z, angle)
  if (type.startsWith('rotate') || type.startsWith('skew')) return 'deg';
  return type.startsWith('translate') ? 'px' : '';
}

function transformOf(type: string, args: unknown[]): string | undefined {
  const vals = args.map((a, i) =>
    typeof a === 'number' ? `${a}${unitOf(type, i)}` : SAFE.test(String(a)) ? String(a) : undefined,
  );
  return vals.includes(undefined) ? undefined : `${type}(${vals.join(',')})`;
}

export function playAnimation(el: HTMLElement, value: string | undefined): void {
  const token = (running.get(el) ?? 0) + 1;
  running.set(el, token);
  let actions: unknown[] = [];
  try {
    const parsed = value ? (JSON.parse(value) as { actions?: unknown }) : undefined;
    if (Array.isArray(parsed?.actions)) actions = parsed.actions.slice(0, 64);
  } catch {
    return; // not an exported animation
  }
  const transforms = state.get(el) ?? new Map<string, string>();
  state.set(el, transforms);
  const play = (i: number) => {
    if (running.get(el) !== token || i >= actions.length) return;
    const a = (actions[i] ?? {}) as {
      animates?: Array<{ type?: unknown; args?: unknown[] }>;
      option?: {
        transformOrigin?: unknown;
        transition?: { duration?: unknown; timingFunction?: unknown; delay?: unknown };
      };
    };
    const t = a.option?.transition ?? {};
    const ms = (v: unknown) =>
      typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, 60_000) : 0;
    const duration = ms(t.duration);
    const delay = ms(t.delay);
    const timing =
      typeof t.timingFunction === 'string' && SAFE.test(t.timingFunction) ? t.timingFunction : 'linear';
    el.style.transition = `all ${duration}ms ${timing} ${delay}ms`;
    const origin = a.option?.transformOrigin;
    if (typeof origin === 'string' && ORIGIN_SAFE.test(origin)) el.style.transformOrigin = origin;
    for (const x of Array.isArray(a.animates) ? a.animates.slice(0, 64) : []) {
      const args = Array.isArray(x.args) ? x.args : [];
      if (x.type === 'style') {
        const [name, v] = args;
        if (typeof name === 'string' && /^[a-zA-Z]+$/.test(name) && SAFE.test(String(v)))
          el.style.setProperty(
            name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
            String(v),
          );
      } else if (typeof x.type === 'string' && /^[a-zA-Z0-9]+$/.test(x.type)) {
        const css = transformOf(x.type, args);
        // a kind's later value replaces its earlier one (translateX after translateX)
        if (css) transforms.set(x.type, css);
      }
    }
    el.style.transform = [...transforms.values()].join(' ');
    setTimeout(() => play(i + 1), duration + delay);
  };
  play(0);
}
