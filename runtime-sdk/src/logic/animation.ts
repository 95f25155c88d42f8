// wx.createAnimation: WeChat's chained animation description. Each step() closes a group of
// transforms and styles with its timing; export() hands the groups to `animation="{{…}}"` on
// an element, which the page frame checks and plays in order (view/animation.ts).

const TRANSFORMS =
  'matrix matrix3d rotate rotate3d rotateX rotateY rotateZ scale scale3d scaleX scaleY scaleZ skew skewX skewY translate translate3d translateX translateY translateZ'.split(
    ' ',
  );
const STYLES = 'opacity backgroundColor width height top left bottom right'.split(' ');

type Api = Record<string, (...a: unknown[]) => unknown>;

export function createAnimation(defaults: object = {}): Api {
  let animates: unknown[] = [];
  let actions: unknown[] = [];
  const api: Api = {};
  const add = (type: string, args: unknown[]) => {
    animates.push({ type, args });
    return api;
  };
  for (const t of TRANSFORMS) api[t] = (...args) => add(t, args);
  // a number is px, as in WeChat (opacity has no unit)
  for (const s of STYLES)
    api[s] = (v) => add('style', [s, typeof v === 'number' && s !== 'opacity' ? `${v}px` : v]);
  api.step = (o?: unknown) => {
    const x = { ...defaults, ...(o as object) } as Record<string, unknown>;
    actions.push({
      animates,
      option: {
        transformOrigin: x.transformOrigin ?? '50% 50% 0',
        transition: {
          duration: x.duration ?? 400,
          timingFunction: x.timingFunction ?? 'linear',
          delay: x.delay ?? 0,
        },
      },
    });
    animates = [];
    return api;
  };
  api.export = () => {
    const out = { actions };
    actions = [];
    return out;
  };
  return api;
}
