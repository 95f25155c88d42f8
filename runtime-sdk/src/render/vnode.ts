// Small VNode constructors for hosts, tests and benchmarks (compiled templates build literals).
import type { EventBinding, VElement, VNode, VText } from './contract.ts';

export function text(value: string): VText {
  return { t: 'text', text: value };
}

export interface ElementInit {
  key?: string;
  attrs?: Record<string, string>;
  classes?: string;
  style?: string;
  dataset?: Record<string, unknown>;
  marks?: Record<string, unknown>;
  events?: EventBinding[];
  hidden?: boolean;
}

export function el(tag: string, init: ElementInit = {}, children: VNode[] = []): VElement {
  const v: VElement = {
    t: 'el',
    tag,
    attrs: init.attrs ?? {},
    dataset: init.dataset ?? {},
    events: init.events ?? [],
    children,
  };
  if (init.key !== undefined) v.key = init.key;
  if (init.marks !== undefined) v.marks = init.marks;
  if (init.classes !== undefined) v.classes = init.classes;
  if (init.style !== undefined) v.style = init.style;
  if (init.hidden !== undefined) v.hidden = init.hidden;
  return v;
}
