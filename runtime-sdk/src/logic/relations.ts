// Component relations (basics): `relations: {'./child-path': {type: 'child', linked, unlinked}}`
// on one side and the inverse type on the other ('parent'/'child', 'ancestor'/'descendant').
// Paths are relative to the declaring component. Linked when the inner one is attached, in
// the order outer.linked(inner), inner.linked(outer); unlinked when either is detached.
import type { Fn } from './definition.ts';
import type { LogicInstance } from './instance.ts';

interface Link {
  /** Resolved path of the other side (what getRelationNodes is asked for). */
  path: string;
  other: LogicInstance;
}

const links = new WeakMap<LogicInstance, Link[]>();

const INVERSE: Record<string, string> = {
  parent: 'child',
  child: 'parent',
  ancestor: 'descendant',
  descendant: 'ancestor',
};

export function resolveRelationPath(from: string, key: string): string {
  const base = key.startsWith('/') ? key : `${from.slice(0, from.lastIndexOf('/') + 1)}${key}`;
  const out: string[] = [];
  for (const p of base.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

function relationTo(
  inst: LogicInstance,
  path: string,
): { type: string; linked?: Fn; unlinked?: Fn } | undefined {
  for (const [key, rel] of Object.entries(inst.__def.relations)) {
    if (resolveRelationPath(inst.is, key) === path) return rel;
  }
  return undefined;
}

function add(inst: LogicInstance, link: Link): void {
  const list = links.get(inst) ?? [];
  list.push(link);
  links.set(inst, list);
}

/** Links a freshly attached component to its relation partners up the component tree. */
export function linkRelations(inner: LogicInstance, lookup: (id: number) => LogicInstance | undefined): void {
  for (const [key, rel] of Object.entries(inner.__def.relations)) {
    if (rel.type !== 'parent' && rel.type !== 'ancestor') continue;
    const target = resolveRelationPath(inner.is, key);
    let outer = inner.__parentId === undefined ? undefined : lookup(inner.__parentId);
    while (outer) {
      if (outer.is === target) {
        const back = relationTo(outer, inner.is);
        if (back && back.type === INVERSE[rel.type]) {
          add(outer, { path: inner.is, other: inner });
          add(inner, { path: target, other: outer });
          if (typeof back.linked === 'function')
            outer.__safe(() => back.linked!.call(outer, inner), 'relation linked');
          if (typeof rel.linked === 'function')
            inner.__safe(() => rel.linked!.call(inner, outer), 'relation linked');
        }
        break;
      }
      if (rel.type === 'parent') break;
      outer =
        outer.__parentId === undefined || outer.__parentId === outer.__id
          ? undefined
          : lookup(outer.__parentId);
    }
  }
}

/** Drops every link of a detached component, calling `unlinked` on both sides. */
export function unlinkRelations(inst: LogicInstance): void {
  for (const { path, other } of links.get(inst) ?? []) {
    const mine = relationTo(inst, path);
    const theirs = relationTo(other, inst.is);
    const rest = (links.get(other) ?? []).filter((l) => l.other !== inst);
    links.set(other, rest);
    if (typeof theirs?.unlinked === 'function')
      other.__safe(() => theirs.unlinked!.call(other, inst), 'relation unlinked');
    if (typeof mine?.unlinked === 'function')
      inst.__safe(() => mine.unlinked!.call(inst, other), 'relation unlinked');
  }
  links.delete(inst);
}

export function relationNodes(inst: LogicInstance, key: string): LogicInstance[] {
  const path = resolveRelationPath(inst.is, key);
  return (links.get(inst) ?? []).filter((l) => l.path === path).map((l) => l.other);
}
