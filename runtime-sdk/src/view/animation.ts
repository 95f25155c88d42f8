// The page frame's half of wx.createAnimation and this.animate. An `animation` attribute's steps
// play in order with CSS transitions; transforms accumulate across steps by kind (a later rotate
// replaces the earlier rotate, a translate adds to it), as WeChat's do, and a new value stops the
// sequence that was running. this.animate's keyframes play with the Web Animations API. A view
// chunk: only pages that animate load it.

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

/** The keyframe properties of this.animate that are transforms, and their CSS units. */
const KEYFRAME_TRANSFORMS = new Set([
  'matrix',
  'matrix3d',
  'rotate',
  'rotate3d',
  'rotateX',
  'rotateY',
  'rotateZ',
  'scale',
  'scale3d',
  'scaleX',
  'scaleY',
  'scaleZ',
  'skew',
  'skewX',
  'skewY',
  'translate',
  'translate3d',
  'translateX',
  'translateY',
  'translateZ',
]);
const KEYFRAME_STYLES = new Set([
  'opacity',
  'backgroundColor',
  'width',
  'height',
  'left',
  'top',
  'right',
  'bottom',
]);

/** One of this.animate's keyframes as a Web Animations keyframe (unknown or unsafe values left out). */
function keyframeOf(k: Record<string, unknown>): Keyframe {
  const out: Keyframe = {};
  const transforms: string[] = [];
  for (const [name, v] of Object.entries(k)) {
    if (name === 'offset' && typeof v === 'number' && v >= 0 && v <= 1) out.offset = v;
    else if (name === 'ease' && typeof v === 'string' && SAFE.test(v)) out.easing = v;
    else if (KEYFRAME_TRANSFORMS.has(name)) {
      const css = transformOf(name, Array.isArray(v) ? v : [v]);
      if (css) transforms.push(css);
    } else if (KEYFRAME_STYLES.has(name) && SAFE.test(String(v)))
      out[name] = typeof v === 'number' && name !== 'opacity' ? `${v}px` : String(v);
  }
  if (transforms.length) out.transform = transforms.join(' ');
  return out;
}

/**
 * this.animate(selector, keyframes, duration): plays the keyframes on every element `selector`
 * matches inside `root` and resolves when they finish (the end state stays, as in WeChat).
 */
export async function animateKeyframes(
  root: Element,
  selector: string,
  keyframes: unknown,
  duration: unknown,
): Promise<void> {
  let targets: Element[];
  try {
    targets = Array.from(root.querySelectorAll(selector));
  } catch {
    throw new Error(`"${selector}" is not a valid selector`);
  }
  if (!targets.length) throw new Error(`no element matches "${selector}"`);
  const frames = (Array.isArray(keyframes) ? keyframes.slice(0, 64) : [])
    .filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null)
    .map(keyframeOf);
  const ms =
    typeof duration === 'number' && Number.isFinite(duration) ? Math.max(0, Math.min(duration, 60_000)) : 400;
  await Promise.all(
    targets.map((el) => {
      clearKeyframes(el);
      return el.animate(frames, { duration: ms, fill: 'forwards' }).finished.catch(() => {});
    }),
  );
}

/** clearAnimation: stops and removes what this.animate left on the element. */
export function clearKeyframes(el: Element): void {
  for (const a of el.getAnimations()) a.cancel();
}

export function clearAnimations(root: Element, selector: string): void {
  let targets: Element[] = [];
  try {
    targets = Array.from(root.querySelectorAll(selector));
  } catch {}
  for (const el of targets) clearKeyframes(el);
}
