import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { EventBinding } from '../render/contract.ts';
import { createRenderer } from '../render/dom.ts';
import { el, text } from '../render/vnode.ts';
import { type Delivery, dispatchWxEvent } from './events.ts';

const on = (name: string, handler: string, mode: EventBinding['mode'] = 'bind'): EventBinding => ({
  name,
  handler,
  mode,
});

/**
 * page (owner 1): <view outer bind:change capture-bind:change>
 *   <host of comp 2 (owner 1) bind:change>
 *     [comp 2 tree, owner 2]: <view inner bind:change> <host of comp 3 (owner 2) bind:change> [owner 3: <view leaf>]
 */
function setup() {
  const dom = new JSDOM('<div id="root"></div>');
  const root = dom.window.document.getElementById('root')!;
  const r = createRenderer();
  r.render(
    root,
    [
      el(
        'view',
        {
          attrs: { id: 'outer' },
          dataset: { n: 'outer' },
          events: [on('change', 'pageOuter'), on('change', 'pageCapture', 'capture-bind')],
        },
        [el('view', { attrs: { id: 'host2' }, events: [on('change', 'pageOnHost2')] })],
      ),
    ],
    { owner: 1 },
  );
  const host2 = root.querySelector('#host2')!;
  r.render(
    host2,
    [
      el('view', { attrs: { id: 'inner' }, events: [on('change', 'comp2Inner')] }, [
        el('view', { attrs: { id: 'host3' }, events: [on('change', 'comp2OnHost3')] }),
      ]),
    ],
    { owner: 2 },
  );
  const host3 = root.querySelector('#host3')!;
  r.render(host3, [el('view', { attrs: { id: 'leaf' } }, [text('x')])], { owner: 3 });
  const fire = (from: Element, bubbles: boolean, composed: boolean, capturePhase = false) => {
    const got: Delivery[] = [];
    dispatchWxEvent(root, from, 'change', { v: 1 }, { bubbles, composed, capturePhase }, (d) => got.push(d));
    return got.map((d) => `${d.owner}:${d.handler}:${d.event.target.id}`);
  };
  return { root, host2, host3, fire };
}

describe('triggerEvent semantics across component boundaries', () => {
  it('non-bubbling: only the handler on the host element itself', () => {
    const { host3, fire } = setup();
    expect(fire(host3, false, false)).toEqual(['2:comp2OnHost3:host3']);
  });

  it('bubbles without composed: stays inside the tree that owns the host', () => {
    const { host3, fire } = setup();
    expect(fire(host3, true, false)).toEqual(['2:comp2OnHost3:host3', '2:comp2Inner:host3']);
  });

  it('bubbles + composed: crosses into the page, retargeted to the nearest host', () => {
    const { host3, fire } = setup();
    expect(fire(host3, true, true)).toEqual([
      '2:comp2OnHost3:host3',
      '2:comp2Inner:host3',
      '1:pageOnHost2:host2',
      '1:pageOuter:host2',
    ]);
  });

  it('capture handlers run only with capturePhase, root first', () => {
    const { host3, fire } = setup();
    expect(fire(host3, true, true, true)[0]).toBe('1:pageCapture:host2');
    expect(fire(host3, true, true, false)).not.toContain('1:pageCapture:host2');
  });

  it('marks are merged from the target up to the root, inner marks win', () => {
    const dom = new JSDOM('<div id="root"></div>');
    const root = dom.window.document.getElementById('root')!;
    createRenderer().render(
      root,
      [
        el('view', { marks: { a: 'outer', b: 'outer' }, events: [on('tap', 'h')] }, [
          el('view', { attrs: { id: 't' }, marks: { b: 'inner', c: 3 } }),
        ]),
      ],
      { owner: 1 },
    );
    const got: Delivery[] = [];
    dispatchWxEvent(
      root,
      root.querySelector('#t')!,
      'tap',
      {},
      { bubbles: true, composed: true, capturePhase: false },
      (d) => got.push(d),
    );
    expect(got.map((d) => d.event.mark)).toEqual([{ a: 'outer', b: 'inner', c: 3 }]);
  });

  it('an element outside any rendered tree dispatches nothing', () => {
    const { root, fire } = setup();
    const stray = root.ownerDocument.createElement('div');
    root.appendChild(stray);
    expect(fire(stray, true, true)).toEqual([]);
  });
});
