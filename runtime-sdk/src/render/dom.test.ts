import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { VComponent, VNode } from './contract.ts';
import { createRenderer, longestIncreasing, nodeMeta } from './dom.ts';
import { el, text } from './vnode.ts';

function setup() {
  const dom = new JSDOM('<!doctype html><div id="root"></div>');
  const doc = dom.window.document;
  const root = doc.getElementById('root')!;
  return { dom, doc, root, r: createRenderer() };
}

const list = (keys: string[]): VNode[] => [
  el(
    'view',
    { classes: 'list' },
    keys.map((k) => el('view', { key: k, dataset: { id: k } }, [text(`row ${k}`)])),
  ),
];

/** Watches the container for any DOM mutation. */
function recorder(dom: JSDOM, target: Node) {
  const records: MutationRecord[] = [];
  const obs = new dom.window.MutationObserver((r) => records.push(...r));
  obs.observe(target, { subtree: true, childList: true, attributes: true, characterData: true });
  return () => {
    records.push(...obs.takeRecords());
    obs.disconnect();
    return records;
  };
}

describe('renderer', () => {
  it('mounts elements as inert wx-* tags with text as text', () => {
    const { root, r } = setup();
    r.render(root, [
      el('view', { attrs: { id: 'a' }, classes: 'c1 c2', style: 'color: red' }, [
        text('<img src=x onerror=alert(1)>'),
      ]),
      el('script', {}, [text('alert(1)')]),
    ]);
    expect(root.innerHTML).toBe(
      '<wx-view id="a" class="c1 c2" style="color: red">&lt;img src=x onerror=alert(1)&gt;</wx-view><wx-script>alert(1)</wx-script>',
    );
    expect(root.querySelector('img')).toBeNull();
  });

  it('drops event-handler and malformed attribute names and hostile tags', () => {
    const { root, r } = setup();
    r.render(root, [
      el('view', { attrs: { onclick: 'alert(1)', 'a b': 'x', srcdoc: '<b>', title: 'ok' } }),
      el('<img', {}),
      el('x'.repeat(100), {}),
    ]);
    expect(root.innerHTML).toBe(
      '<wx-view title="ok"></wx-view><wx-unknown></wx-unknown><wx-unknown></wx-unknown>',
    );
  });

  it('patches only what changed and leaves equal subtrees untouched', () => {
    const { dom, root, r } = setup();
    const tree = (n: number, title: string): VNode[] => [
      el('view', { classes: 'header' }, [text(title)]),
      el('view', { classes: 'body' }, [el('text', {}, [text(`count ${n}`)])]),
    ];
    r.render(root, tree(1, 'Title'));
    const header = root.firstChild;
    const stop = recorder(dom, root);
    r.render(root, tree(2, 'Title'));
    const records = stop();
    expect(records).toHaveLength(1);
    expect(records[0]!.type).toBe('characterData');
    expect(records[0]!.target.nodeValue).toBe('count 2');
    expect(root.firstChild).toBe(header);
  });

  it('updates attributes, classes, style and hidden, and removes dropped ones', () => {
    const { root, r } = setup();
    r.render(root, [el('view', { attrs: { title: 'a', lang: 'en' }, classes: 'x', style: 'a:b' })]);
    r.render(root, [el('view', { attrs: { title: 'b' }, hidden: true })]);
    expect(root.innerHTML).toBe('<wx-view title="b" hidden=""></wx-view>');
    r.render(root, [el('view', { attrs: {}, classes: 'y' })]);
    expect(root.innerHTML).toBe('<wx-view class="y"></wx-view>');
  });

  it('keyed reorder keeps every DOM node (and input state) for kept keys', () => {
    const { root, r } = setup();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    r.render(root, list(keys));
    const before = new Map([...root.firstElementChild!.children].map((c) => [c.textContent, c]));
    const shuffled = ['e', 'c', 'a', 'd', 'b'];
    r.render(root, list(shuffled));
    const after = [...root.firstElementChild!.children];
    expect(after.map((c) => c.textContent)).toEqual(shuffled.map((k) => `row ${k}`));
    for (const c of after) expect(before.get(c.textContent)).toBe(c);
  });

  it('keyed insert/remove/reverse produces the right order and reuses nodes', () => {
    const { root, r } = setup();
    r.render(root, list(['1', '2', '3', '4', '5', '6']));
    const n3 = root.firstElementChild!.children[2];
    const cases = [
      ['0', '1', '2', '3', '4', '5', '6', '7'],
      ['2', '3', '5'],
      ['5', '3', '2'],
      ['9', '3', '8', '2', '5'],
      [],
      ['3'],
    ];
    for (const keys of cases) {
      r.render(root, list(keys));
      expect([...root.firstElementChild!.children].map((c) => c.textContent)).toEqual(
        keys.map((k) => `row ${k}`),
      );
    }
    expect(root.firstElementChild!.children[0]).not.toBe(n3); // '3' was removed by the empty list
  });

  it('moves the minimum number of nodes when one item moves', () => {
    const { dom, root, r } = setup();
    const keys = Array.from({ length: 50 }, (_, i) => String(i));
    r.render(root, list(keys));
    const moved = [...keys.slice(1, 25), '0', ...keys.slice(25)];
    const stop = recorder(dom, root);
    r.render(root, list(moved));
    const added = stop().filter((m) => m.type === 'childList' && m.addedNodes.length > 0);
    expect(added).toHaveLength(1);
  });

  it('unkeyed children are patched positionally and mixed kinds are replaced', () => {
    const { root, r } = setup();
    r.render(root, [text('a'), el('view', {}, [text('x')]), text('b')]);
    const view = root.childNodes[1];
    r.render(root, [text('a2'), el('view', {}, [text('y')]), el('image', {}), text('c')]);
    expect(root.innerHTML).toBe('a2<wx-view>y</wx-view><wx-image></wx-image>c');
    expect(root.childNodes[1]).toBe(view);
    r.render(root, [el('text', {}, [text('t')])]);
    expect(root.innerHTML).toBe('<wx-text>t</wx-text>');
  });

  it('records owner, dataset and events for the event system', () => {
    const { root, r } = setup();
    r.render(
      root,
      [
        el('view', {
          attrs: { id: 'btn' },
          dataset: { rowId: 7 },
          events: [{ name: 'tap', handler: 'onTap', mode: 'bind' }],
        }),
      ],
      { owner: 42 },
    );
    const meta = nodeMeta(root.firstChild);
    expect(meta).toMatchObject({ owner: 42, id: 'btn', dataset: { rowId: 7 }, tag: 'view' });
    expect(meta!.events[0]!.handler).toBe('onTap');
    expect(nodeMeta(null)).toBeUndefined();
  });

  it('hands custom components to the host and renders slots in the parent scope', () => {
    const dom = new JSDOM('<div id="root"></div>');
    const root = dom.window.document.getElementById('root')!;
    const log: string[] = [];
    const r = createRenderer({
      mountComponent(host, vnode, scope) {
        log.push(`mount ${vnode.tag} ${JSON.stringify(vnode.props)}`);
        const inner = { owner: 100, slots: { nodes: vnode.children, scope } };
        const draw = (v: VComponent) =>
          r.render(
            host,
            [el('view', { classes: 'card' }, [text(String(v.props.title)), { t: 'slot', name: '' }])],
            {
              ...inner,
              slots: { nodes: v.children, scope },
            },
          );
        draw(vnode);
        return {
          update(v) {
            log.push(`update ${JSON.stringify(v.props)}`);
            draw(v);
          },
          unmount() {
            log.push('unmount');
            r.unmount(host);
          },
        };
      },
    });
    const comp = (title: string, body: string): VComponent => ({
      t: 'comp',
      tag: 'my-card',
      props: { title },
      dataset: {},
      events: [],
      children: [el('text', {}, [text(body)]), el('text', {}, [text('named')])].map((c, i) =>
        i === 1 ? { ...c, slotName: 'footer' } : c,
      ),
    });
    r.render(root, [comp('T1', 'B1')], { owner: 1 });
    expect(root.innerHTML).toBe(
      '<wx-my-card><wx-view class="card">T1<wx-slot><wx-text>B1</wx-text></wx-slot></wx-view></wx-my-card>',
    );
    const slotText = root.querySelector('wx-slot wx-text')!;
    expect(nodeMeta(slotText)!.owner).toBe(1);
    expect(nodeMeta(root.querySelector('.card'))!.owner).toBe(100);
    r.render(root, [comp('T2', 'B2')], { owner: 1 });
    expect(root.querySelector('wx-slot')!.textContent).toBe('B2');
    expect(root.querySelector('wx-slot wx-text')).toBe(slotText);
    r.render(root, [], { owner: 1 });
    expect(log).toEqual(['mount my-card {"title":"T1"}', 'update {"title":"T2"}', 'unmount']);
  });

  it('handles a large random sequence of keyed updates correctly', () => {
    const { root, r } = setup();
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 60; round++) {
      const keys = [
        ...new Set(Array.from({ length: Math.floor(rand() * 30) }, () => String(Math.floor(rand() * 40)))),
      ];
      r.render(root, list(keys));
      expect([...root.firstElementChild!.children].map((c) => c.textContent)).toEqual(
        keys.map((k) => `row ${k}`),
      );
    }
  });
});

describe('longestIncreasing', () => {
  it('finds an increasing subsequence of maximal length ignoring new slots', () => {
    expect(longestIncreasing([2, 0, 1, -1, 3])).toEqual([1, 2, 4]);
    expect(longestIncreasing([])).toEqual([]);
    expect(longestIncreasing([3, 2, 1])).toHaveLength(1);
  });
});
