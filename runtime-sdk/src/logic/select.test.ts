import { describe, expect, it } from 'vitest';
import { parseSelector, type Selectable, SelectorError, selectComponents } from './select.ts';

interface Node extends Selectable {
  owner?: Node;
}

const node = (__id: number, id: string, classes: string, owner?: Node): Node => ({
  __id,
  id,
  __classes: classes.split(' ').filter(Boolean),
  ...(owner ? { owner } : {}),
});

// page → list (#list .box) → two items (.item, one .item.on) → a badge in the second item
const page = node(1, '', '');
const list = node(2, 'list', 'box', page);
const item1 = node(3, 'i1', 'item', list);
const item2 = node(4, 'i2', 'item on', list);
const badge = node(5, 'b', 'item', item2);
const footer = node(6, 'f', 'box', page);
const all = [page, list, item1, item2, badge, footer];
const ownedBy = (x: Node) => all.filter((n) => n.owner === x);
const inside = (x: Node) =>
  all.filter((n) => {
    for (let o = n.owner; o; o = o.owner) if (o === x) return true;
    return false;
  });
const select = (sel: string, root: Node = page) =>
  selectComponents(sel, ownedBy, inside, root).map((n) => n.id);

describe('selectComponents', () => {
  it('matches #id and .class compounds in the root’s own tree only', () => {
    expect(select('#list')).toEqual(['list']);
    expect(select('.box')).toEqual(['list', 'f']);
    expect(select('.item')).toEqual([]); // inside list's tree, not the page's
    expect(select('.item', list)).toEqual(['i1', 'i2']);
    expect(select('.item.on', list)).toEqual(['i2']);
    expect(select('#i2.on', list)).toEqual(['i2']);
    expect(select('#nope')).toEqual([]);
  });

  it('crosses component trees with >>> and unites comma lists in document order, once each', () => {
    expect(select('#list >>> .item')).toEqual(['i1', 'i2', 'b']);
    expect(select('.box >>> .on >>> .item')).toEqual(['b']);
    expect(select('#f, #list, .box')).toEqual(['list', 'f']);
  });

  it('refuses what it cannot match faithfully, naming the selector', () => {
    expect(() => select('.box .item')).toThrow(/descendant and child combinators are not supported/);
    expect(() => select('.box > .item')).toThrow(SelectorError);
    expect(() => select('view')).toThrow(/"view" is not #id or \.class/);
    expect(() => select('[data-x]')).toThrow(/is not #id or \.class/);
    expect(() => select('#a >>>')).toThrow(/needs a selector on each side/);
    expect(() => parseSelector('  ')).toThrow(/is empty/);
  });
});
