// selectComponent / selectAllComponents: WeChat's component selectors, matched in the logic
// realm against the component tree the view reported (each component's owner, id and classes).
// Supported: `#id`, `.a-class` (several: `.a.b`), a comma-separated union, and `A >>> B` (B
// anywhere inside the component tree of a match of A). The descendant and child combinators
// (`A B`, `A > B`) relate DOM elements the logic realm does not see; they are refused with an
// error naming the selector instead of matching something else.

export interface Selectable {
  /** allocated as components mount: document order */
  readonly __id: number;
  readonly id: string;
  readonly __classes: readonly string[];
}

interface Compound {
  id?: string;
  classes: string[];
}

export class SelectorError extends Error {
  constructor(selector: string, why: string) {
    super(`selector "${selector.slice(0, 100)}": ${why}`);
    this.name = 'SelectorError';
  }
}

const NAME = /^-?[_a-zA-Z\u00a0-\uffff][-_a-zA-Z0-9\u00a0-\uffff]*/;

function compound(selector: string, part: string): Compound {
  const out: Compound = { classes: [] };
  let rest = part;
  while (rest) {
    const kind = rest[0];
    const name = NAME.exec(rest.slice(1))?.[0];
    if ((kind !== '#' && kind !== '.') || !name)
      throw new SelectorError(
        selector,
        `"${part}" is not #id or .class (tag and attribute selectors do not select components)`,
      );
    if (kind === '#') out.id = name;
    else out.classes.push(name);
    rest = rest.slice(1 + name.length);
  }
  return out;
}

/** Each alternative of the union: its steps, each one inside the tree of the match before it. */
export function parseSelector(selector: string): Compound[][] {
  if (typeof selector !== 'string' || !selector.trim()) throw new SelectorError(String(selector), 'is empty');
  return selector.split(',').map((alt) => {
    const steps = alt.split('>>>').map((s) => s.trim());
    if (steps.some((s) => !s)) throw new SelectorError(selector, '">>>" needs a selector on each side');
    for (const s of steps)
      if (/[\s>]/.test(s))
        throw new SelectorError(
          selector,
          'the descendant and child combinators are not supported here; use #id, .class or ">>>"',
        );
    return steps.map((s) => compound(selector, s));
  });
}

const matches = (c: Compound, x: Selectable) =>
  (c.id === undefined || x.id === c.id) && c.classes.every((k) => x.__classes.includes(k));

/**
 * The components `selector` picks from `root`'s own tree (those `ownedBy(root)` lists), once
 * each, in document order; `inside(x)` lists everything in x's tree, at any depth.
 */
export function selectComponents<T extends Selectable>(
  selector: string,
  ownedBy: (x: T) => T[],
  inside: (x: T) => T[],
  root: T,
): T[] {
  const found = new Set<T>();
  for (const steps of parseSelector(selector)) {
    let current = ownedBy(root).filter((x) => matches(steps[0]!, x));
    for (const step of steps.slice(1)) current = current.flatMap(inside).filter((x) => matches(step, x));
    for (const x of current) found.add(x);
  }
  return [...found].sort((a, b) => a.__id - b.__id);
}
