// The logic runtime, the host session and page views wired together in one jsdom document,
// with hand-written compiled templates that follow render/contract.ts.

import { JSDOM } from 'jsdom';
import { describe, expect, it, vi } from 'vitest';
import type { HostMessage } from '../core/bridge.ts';
import { type PageViewHandle, Session } from '../core/session.ts';
import { TEST_SYSTEM_INFO } from '../core/test-system-info.ts';
import { LogicRuntime } from '../logic/runtime.ts';
import type { CompiledTemplateModule, EventBinding, VComponent, VNode } from '../render/contract.ts';
import { el, text } from '../render/vnode.ts';
import { PageView } from './page-view.ts';

type G = Record<string, (o: unknown) => unknown>;
type Mod = (g: G, require: (p: string) => unknown, module: { exports: unknown }) => void;

const tap = (handler: string, mode: EventBinding['mode'] = 'bind'): EventBinding => ({
  name: 'tap',
  handler,
  mode,
});

function comp(tag: string, props: Record<string, unknown>, init: Partial<VComponent> = {}): VComponent {
  return { t: 'comp', tag, props, dataset: {}, events: [], children: [], ...init };
}

interface Fixture {
  pages: string[];
  js: Record<string, Mod>;
  templates: Record<string, (d: Record<string, unknown>) => VNode[]>;
  using?: Record<string, Record<string, string>>;
  /** manifest entry scopes (style scope classes) by path */
  scopes?: Record<string, string>;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

function launch(f: Fixture) {
  const dom = new JSDOM('<!doctype html><body></body>');
  const doc = dom.window.document;
  const errors: string[] = [];
  const storage = new Map<string, string>();
  const frames = new Map<number, Element>();
  const session = new Session({
    appId: 'wxtest',
    domains: { request: ['https://api.example.com'], download: [], upload: [], socket: [], webView: [] },
    permissions: [],
    hostApis: {
      getUserToken: {
        allow: ['wxtest'],
        handler: (params, ctx) => ({ token: `t-${ctx.appId}`, echo: params }),
      },
      pay: { allow: ['wx-other'], handler: () => 'paid' },
    },
    storage: {
      set: (k, v) => (v === null ? storage.delete(k) : storage.set(k, v)),
      clear: () => storage.clear(),
    },
    fetch: async (url) => new Response(JSON.stringify({ echo: String(url) })),
    onError: (e) => errors.push(`${e.where}: ${e.message}`),
  });
  let runtime: LogicRuntime;
  const factory = {
    create(pageId: number, route: string, onMessage: (m: unknown) => void): PageViewHandle {
      const root = doc.createElement('wx-page');
      root.setAttribute('data-route', route);
      doc.body.appendChild(root);
      frames.set(pageId, root);
      const view = new PageView({
        doc,
        root,
        pageId,
        route,
        template: (path) => {
          const t = f.templates[path];
          if (!t) throw new Error(`no template ${path}`);
          const m: CompiledTemplateModule = { render: (d) => t(d), templates: {} };
          return m;
        },
        resolveComponent: (owner, tag) => f.using?.[owner]?.[tag],
        scopeOf: (path) => f.scopes?.[path],
        post: (m) => queueMicrotask(() => onMessage(structuredClone(m))),
      });
      return {
        init: (d) => view.init(d),
        applyData: (id, seq, p, external) => view.applyData(id, seq, p, external),
        trigger: (id, n, d, o) => view.trigger(id, n, d, o),
        query: async (q, scope) => view.query(q, scope),
        show: () => root.removeAttribute('hidden'),
        hide: () => root.setAttribute('hidden', ''),
        destroy: () => {
          view.destroy();
          root.remove();
          frames.delete(pageId);
        },
      };
    },
  };
  runtime = new LogicRuntime({
    boot: {
      appId: 'wxtest',
      pages: f.pages,
      subpackageRoots: [],
      tabBarPages: [],
      entryPagePath: f.pages[0]!,
      storage: {},
      storageLimitBytes: 10 * 1024 * 1024,
      systemInfo: TEST_SYSTEM_INFO,
      launchQuery: {},
    },
    post: (m) => queueMicrotask(() => session.fromLogic(structuredClone(m), factory)),
    load: (path) => {
      const mod = f.js[path];
      if (!mod) return false;
      runtime.define(path, (module, _e, require) => mod(runtime.globals as G, require, module));
      return true;
    },
  });
  session.attachLogic({
    send: (m: HostMessage) => queueMicrotask(() => runtime.receive(structuredClone(m))),
    terminate() {},
  });
  session.send({ type: 'launch', path: f.pages[0]!, query: {} });
  const top = () => {
    const ids = [...frames.keys()];
    return frames.get(ids[ids.length - 1]!)!;
  };
  return { dom, doc, errors, storage, runtime, top, frames };
}

describe('page view end to end (jsdom)', () => {
  it('renders, taps update the page through setData, keyed nodes survive', async () => {
    const log: string[] = [];
    const app = launch({
      pages: ['pages/index/index'],
      js: {
        'pages/index/index.js': (g) =>
          g.Page!({
            data: { count: 0, items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
            inc(this: { data: { count: number }; setData(o: unknown, cb?: () => void): void }) {
              this.setData({ count: this.data.count + 1 }, () => log.push('rendered'));
            },
            rotate(this: { data: { items: unknown[] }; setData(o: unknown): void }) {
              const [first, ...rest] = this.data.items;
              this.setData({ items: [...rest, first] });
            },
          }),
      },
      templates: {
        'pages/index/index': (d) => [
          el('button', { attrs: { id: 'inc' }, events: [tap('inc')] }, [text(`count ${d.count}`)]),
          el('button', { attrs: { id: 'rot' }, events: [tap('rotate')] }, [text('rotate')]),
          el(
            'view',
            { classes: 'list' },
            (d.items as Array<{ id: string }>).map((it) =>
              el('input', { key: it.id, attrs: { value: it.id } }),
            ),
          ),
        ],
      },
    });
    await settle();
    const page = app.top();
    expect(page.querySelector('#inc')!.textContent).toBe('count 0');
    const inputs = [...page.querySelectorAll('.list input')] as HTMLInputElement[];
    inputs[1]!.value = 'typed';
    (page.querySelector('#inc') as HTMLElement).click();
    (page.querySelector('#inc') as HTMLElement).click();
    await settle();
    expect(page.querySelector('#inc')!.textContent).toBe('count 2');
    expect(log).toEqual(['rendered', 'rendered']);
    (page.querySelector('#rot') as HTMLElement).click();
    await settle();
    const after = [...page.querySelectorAll('.list input')] as HTMLInputElement[];
    expect(after.map((i) => i.parentElement)).toEqual([
      inputs[1]!.parentElement,
      inputs[2]!.parentElement,
      inputs[0]!.parentElement,
    ]);
    expect(after[0]!.value).toBe('typed');
    expect(app.errors).toEqual([]);
  });

  it('WeChat event phases: capture, catch stops bubbling, mut-bind is mutually exclusive, dataset/target', async () => {
    const calls: Array<[string, unknown, unknown]> = [];
    const handler =
      (name: string) => (e: { target: { dataset: unknown }; currentTarget: { dataset: unknown } }) => {
        calls.push([name, e.target.dataset, e.currentTarget.dataset]);
      };
    const app = launch({
      pages: ['pages/index/index'],
      js: {
        'pages/index/index.js': (g) =>
          g.Page!(
            Object.fromEntries(
              ['outerCap', 'outer', 'middle', 'mut1', 'mut2', 'inner', 'catcher', 'capCatch'].map((n) => [
                n,
                handler(n),
              ]),
            ),
          ),
      },
      templates: {
        'pages/index/index': () => [
          el(
            'view',
            {
              dataset: { level: 'outer' },
              events: [tap('outerCap', 'capture-bind'), tap('outer'), tap('mut2', 'mut-bind')],
            },
            [
              el('view', { dataset: { level: 'middle' }, events: [tap('middle'), tap('mut1', 'mut-bind')] }, [
                el('view', { attrs: { id: 'inner' }, dataset: { level: 'inner' }, events: [tap('inner')] }, [
                  text('x'),
                ]),
              ]),
              el('view', { events: [tap('catcher', 'catch')] }, [
                el('view', { attrs: { id: 'c' } }, [text('c')]),
              ]),
              el('view', { events: [tap('capCatch', 'capture-catch')] }, [
                el('view', { attrs: { id: 'cc' }, events: [tap('inner')] }, [text('cc')]),
              ]),
            ],
          ),
        ],
      },
    });
    await settle();
    const page = app.top();
    (page.querySelector('#inner') as HTMLElement).click();
    await settle();
    expect(calls).toEqual([
      ['outerCap', { level: 'inner' }, { level: 'outer' }],
      ['inner', { level: 'inner' }, { level: 'inner' }],
      ['middle', { level: 'inner' }, { level: 'middle' }],
      ['mut1', { level: 'inner' }, { level: 'middle' }],
      ['outer', { level: 'inner' }, { level: 'outer' }],
    ]);
    calls.length = 0;
    (page.querySelector('#c') as HTMLElement).click();
    await settle();
    expect(calls.map((c) => c[0])).toEqual(['outerCap', 'catcher']);
    calls.length = 0;
    (page.querySelector('#cc') as HTMLElement).click();
    await settle();
    expect(calls.map((c) => c[0])).toEqual(['outerCap', 'capCatch']);
  });

  it('custom components: slots, properties, triggerEvent to the parent, lifecycles after render', async () => {
    const log: string[] = [];
    const app = launch({
      pages: ['pages/index/index'],
      using: { 'pages/index/index': { 'my-counter': 'components/counter/counter' } },
      js: {
        'pages/index/index.js': (g) =>
          g.Page!({
            data: { label: 'L1', total: 0 },
            onChange(this: { setData(o: unknown): void }, e: { detail: { value: number } }) {
              log.push(`page got ${e.detail.value}`);
              this.setData({ total: e.detail.value });
            },
            relabel(this: { setData(o: unknown): void }) {
              this.setData({ label: 'L2' });
            },
          }),
        'components/counter/counter.js': (g) =>
          g.Component!({
            properties: { label: String, step: { type: Number, value: 1 } },
            data: { n: 0 },
            lifetimes: { attached: () => log.push('attached'), ready: () => log.push('ready') },
            methods: {
              bump(this: {
                data: { n: number; step: number };
                setData(o: unknown): void;
                triggerEvent(n: string, d: unknown): void;
              }) {
                const n = this.data.n + this.data.step;
                this.setData({ n });
                this.triggerEvent('change', { value: n });
              },
            },
          }),
      },
      templates: {
        'pages/index/index': (d) => [
          comp(
            'my-counter',
            { label: d.label, step: '2' },
            {
              events: [{ name: 'change', handler: 'onChange', mode: 'bind' }],
              children: [
                el('text', { attrs: { id: 'slotted' }, events: [tap('relabel')] }, [text(`slot ${d.total}`)]),
              ],
            },
          ),
        ],
        'components/counter/counter': (d) => [
          el('view', { attrs: { id: 'bump' }, events: [tap('bump')] }, [text(`${d.label}:${d.n}`)]),
          { t: 'slot', name: '' },
        ],
      },
    });
    await settle();
    const page = app.top();
    expect(page.querySelector('#bump')!.textContent).toBe('L1:0');
    expect(log).toEqual(['attached', 'ready']);
    (page.querySelector('#bump') as HTMLElement).click();
    await settle();
    expect(page.querySelector('#bump')!.textContent).toBe('L1:2');
    expect(page.querySelector('#slotted')!.textContent).toBe('slot 2');
    (page.querySelector('#slotted') as HTMLElement).click(); // slot content is the page's
    await settle();
    expect(page.querySelector('#bump')!.textContent).toBe('L2:2');
    expect(log).toEqual(['attached', 'ready', 'page got 2']);
    expect(app.errors).toEqual([]);
  });

  it('component moved: fires for kept components a keyed reorder moves (and those inside them), only then', async () => {
    const log: string[] = [];
    type Self = { data: { name: string } };
    const hooks = (prefix: string) => ({
      attached(this: Self) {
        log.push(`${prefix}attached ${this.data.name}`);
      },
      moved(this: Self) {
        log.push(`${prefix}moved ${this.data.name}`);
      },
      detached(this: Self) {
        log.push(`${prefix}detached ${this.data.name}`);
      },
    });
    const app = launch({
      pages: ['pages/index/index'],
      using: {
        'pages/index/index': { 'my-item': 'components/item/item' },
        'components/item/item': { 'my-leaf': 'components/leaf/leaf' },
      },
      js: {
        'pages/index/index.js': (g) =>
          g.Page!({
            data: { items: ['a', 'b', 'c', 'd'], n: 0 },
            set(this: { setData(o: unknown): void }, e: { target: { dataset: { to: string } } }) {
              this.setData({ items: e.target.dataset.to.split('') });
            },
          }),
        'components/item/item.js': (g) =>
          // top-level `moved` is overridden by lifetimes.moved
          g.Component!({
            properties: { name: String },
            moved: () => log.push('top-level moved must not run'),
            lifetimes: hooks(''),
          }),
        'components/leaf/leaf.js': (g) => g.Component!({ properties: { name: String }, ...hooks('leaf ') }),
      },
      templates: {
        'pages/index/index': (d) => [
          ...['bcda', 'bdae', 'eadb'].map((to) =>
            el('button', { attrs: { id: `to-${to}` }, dataset: { to }, events: [tap('set')] }),
          ),
          el(
            'view',
            { classes: 'list' },
            (d.items as string[]).map((name) => comp('my-item', { name }, { key: name })),
          ),
        ],
        'components/item/item': (d) => [text(String(d.name)), comp('my-leaf', { name: d.name })],
        'components/leaf/leaf': () => [],
      },
    });
    await settle();
    const page = app.top();
    const names = () =>
      [...page.querySelectorAll('.list > wx-my-item')].map((n) => n.firstChild?.textContent).join('');
    const go = async (to: string) => {
      log.length = 0;
      (page.querySelector(`#to-${to}`) as HTMLElement).click();
      await settle();
      expect(names()).toBe(to);
    };
    expect(log.filter((l) => l.startsWith('attached'))).toHaveLength(4);
    await go('bcda'); // b, c, d stay in place: only a moves
    expect(log).toEqual(['moved a', 'leaf moved a']);
    await go('bdae'); // c removed, e added, nobody changes order
    expect(log.sort()).toEqual(['attached e', 'detached c', 'leaf attached e', 'leaf detached c']);
    await go('eadb'); // reversed: all but one move
    expect(log.filter((l) => l.startsWith('moved'))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('leaf moved'))).toHaveLength(3);
    expect(log.filter((l) => !l.includes('moved'))).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it('externalClasses: a declared class resolves to the classes the parent passed, in the parent style scope', async () => {
    const app = launch({
      pages: ['pages/index/index'],
      using: { 'pages/index/index': { 'my-btn': 'components/btn/btn' } },
      scopes: { 'pages/index/index': 'app-s pg-s', 'components/btn/btn': 'btn-s' },
      js: {
        'pages/index/index.js': (g) =>
          g.Page!({
            data: { cls: 'red big' },
            swap(this: { setData(o: unknown): void }) {
              this.setData({ cls: 'blue' });
            },
          }),
        'components/btn/btn.js': (g) =>
          g.Component!({
            externalClasses: ['my-class', 'other-class'],
            properties: { label: String },
          }),
      },
      templates: {
        'pages/index/index': (d) => [
          el('button', { attrs: { id: 'swap' }, classes: 'app-s pg-s', events: [tap('swap')] }),
          comp('my-btn', { myClass: d.cls, label: 'ok' }, { classes: 'app-s pg-s' }),
        ],
        // what the compiler emits for class="my-class other-class base my-class-like" in the component
        'components/btn/btn': (d) => [
          el('view', { attrs: { id: 'inner' }, classes: 'btn-s my-class other-class base my-class-like' }, [
            text(String(d.label)),
          ]),
        ],
      },
    });
    // the page's WXSS as the compiler scopes it (".red { … }" → ".red.pg-s { … }")
    const style = app.doc.createElement('style');
    style.textContent = '.red.pg-s { color: rgb(255, 0, 0); } .blue.pg-s { color: rgb(0, 0, 255); }';
    app.doc.head.appendChild(style);
    await settle();
    const inner = app.top().querySelector('#inner')!;
    expect(inner.textContent).toBe('ok');
    // other-class was not passed: it resolves to nothing
    expect(inner.getAttribute('class')).toBe('btn-s red big app-s pg-s base my-class-like');
    expect(app.dom.window.getComputedStyle(inner).color).toBe('rgb(255, 0, 0)');
    (app.top().querySelector('#swap') as HTMLElement).click();
    await settle();
    expect(inner.getAttribute('class')).toBe('btn-s blue app-s pg-s base my-class-like');
    expect(app.dom.window.getComputedStyle(inner).color).toBe('rgb(0, 0, 255)');
    expect(app.errors).toEqual([]);
  });

  it('navigation opens and closes page views; navigator works', async () => {
    const app = launch({
      pages: ['pages/a/a', 'pages/b/b'],
      js: {
        'pages/a/a.js': (g) => g.Page!({}),
        'pages/b/b.js': (g) =>
          g.Page!({
            onLoad(this: { setData(o: unknown): void }, q: { id: string }) {
              this.setData({ id: q.id });
            },
          }),
      },
      templates: {
        'pages/a/a': () => [el('navigator', { attrs: { id: 'go', url: '/pages/b/b?id=42' } }, [text('go')])],
        'pages/b/b': (d) => [
          el('view', { attrs: { id: 'b' } }, [text(`B ${d.id ?? ''}`)]),
          el('navigator', { attrs: { id: 'back', 'open-type': 'navigateBack' } }, [text('back')]),
        ],
      },
    });
    await settle();
    (app.top().querySelector('#go') as HTMLElement).click();
    await settle();
    expect(app.frames.size).toBe(2);
    expect(app.top().querySelector('#b')!.textContent).toBe('B 42');
    expect(app.doc.querySelector('[data-route="pages/a/a"]')!.hasAttribute('hidden')).toBe(true);
    (app.top().querySelector('#back') as HTMLElement).click();
    await settle();
    expect(app.frames.size).toBe(1);
    expect(app.doc.querySelector('[data-route="pages/a/a"]')!.hasAttribute('hidden')).toBe(false);
  });

  it('request is refused outside the domain whitelist; storage is written through', async () => {
    const results: unknown[] = [];
    const app = launch({
      pages: ['pages/a/a'],
      js: {
        'pages/a/a.js': (g) =>
          g.Page!({
            async onLoad() {
              const wx = (g as unknown as { wx: Record<string, (o: unknown) => Promise<unknown>> }).wx;
              (wx.setStorageSync as unknown as (k: string, v: unknown) => void)('token', 't1');
              results.push(await wx.request!({ url: 'https://api.example.com/ok' }).catch((e) => e));
              results.push(await wx.request!({ url: 'https://evil.example.net/steal' }).catch((e) => e));
              results.push(await wx.request!({ url: 'http://api.example.com/plain' }).catch((e) => e));
            },
          }),
      },
      templates: { 'pages/a/a': () => [] },
    });
    await settle();
    await settle();
    expect(results[0]).toMatchObject({
      statusCode: 200,
      data: { echo: 'https://api.example.com/ok' },
      errMsg: 'request:ok',
    });
    expect(results[1]).toEqual({
      errMsg: expect.stringContaining(
        'request:fail request: https://evil.example.net is not in the request domain list',
      ),
    });
    expect(results[2]).toMatchObject({ errMsg: expect.stringContaining('not in the request domain list') });
    expect(app.storage.get('token')).toBe('{"v":"t1"}');
  });

  it('custom host APIs are callable only when the HostApp permits this mini-program', async () => {
    const results: unknown[] = [];
    launch({
      pages: ['pages/a/a'],
      js: {
        'pages/a/a.js': (g) =>
          g.Page!({
            async onLoad() {
              const wx = (g as unknown as { wx: Record<string, (o: unknown) => Promise<unknown>> }).wx;
              results.push(
                await wx.invokeHostApi!({ name: 'getUserToken', params: { scope: 'basic' } }).catch((e) => e),
              );
              results.push(await wx.invokeHostApi!({ name: 'pay', params: {} }).catch((e) => e));
              results.push(await wx.invokeHostApi!({ name: '__proto__' }).catch((e) => e));
            },
          }),
      },
      templates: { 'pages/a/a': () => [] },
    });
    await settle();
    await settle();
    expect(results[0]).toEqual({
      result: { token: 't-wxtest', echo: { scope: 'basic' } },
      errMsg: 'invokeHostApi:ok',
    });
    expect(results[1]).toEqual({
      errMsg:
        'invokeHostApi:fail host API "pay" is not available to wxtest; the HostApp must list this mini-program for it',
    });
    expect((results[2] as { errMsg: string }).errMsg).toMatch(
      /^invokeHostApi:fail host API "__proto__" is not available/,
    );
  });

  it('selector query: ids, dataset and geometry of rendered nodes of the current page', async () => {
    const got: unknown[] = [];
    launch({
      pages: ['pages/a/a'],
      js: {
        'pages/a/a.js': (g) =>
          g.Page!({
            onReady() {
              const wx = (
                g as unknown as { wx: { createSelectorQuery(): Record<string, (...a: unknown[]) => never> } }
              ).wx;
              const q = wx.createSelectorQuery() as unknown as {
                select(s: string): { boundingClientRect(cb?: (r: unknown) => void): typeof q };
                selectAll(s: string): { fields(f: unknown): typeof q };
                exec(cb: (r: unknown[]) => void): void;
              };
              q.select('#box')
                .boundingClientRect((r) => got.push(['cb', r]))
                .selectAll('.item')
                .fields({ id: true, dataset: true })
                .select('#missing')
                .boundingClientRect()
                .select('::bogus((')
                .boundingClientRect()
                .exec((all) => got.push(['exec', all]));
            },
          }),
      },
      templates: {
        'pages/a/a': () => [
          el('view', { attrs: { id: 'box' }, dataset: { k: 1 } }, [text('box')]),
          el('view', { attrs: { id: 'i1' }, classes: 'item', dataset: { n: 1 } }),
          el('view', { attrs: { id: 'i2' }, classes: 'item', dataset: { n: 2 } }),
        ],
      },
    });
    const rect = { id: 'box', dataset: { k: 1 }, left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 };
    // the page APIs load on first use (a chunk on the web, a dynamic import here)
    await vi.waitFor(() =>
      expect(got).toEqual([
        ['cb', rect],
        [
          'exec',
          [
            rect,
            [
              { id: 'i1', dataset: { n: 1 } },
              { id: 'i2', dataset: { n: 2 } },
            ],
            null,
            null,
          ],
        ],
      ]),
    );
  });

  it('drops malformed messages from the realms with a bridge error', () => {
    const errors: string[] = [];
    const s = new Session({
      appId: 'x',
      domains: { request: [], download: [], upload: [], socket: [], webView: [] },
      permissions: [],
      hostApis: {},
      storage: { set() {}, clear() {} },
      onError: (e) => errors.push(e.message),
    });
    const factory = {
      create: (): PageViewHandle => {
        throw new Error('must not be called');
      },
    };
    s.fromLogic({ type: 'data', id: -1, pageId: 1, seq: 0, patches: [] }, factory);
    s.fromView(1, { type: 'event', owner: 1, handler: '', event: {} });
    s.fromLogic('x'.repeat(10), factory);
    s.fromLogic(
      { type: 'page:create', pageId: 1, route: 'a', query: {}, data: {}, extra: { __proto__: 1 } },
      factory,
    );
    s.fromView(1, {
      type: 'comp:attach',
      id: 5,
      pageId: 2,
      parentId: 1,
      path: 'c',
      props: {},
      elementId: '',
      classes: '',
      dataset: {},
    });
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/dropped an invalid message from the logic realm/);
    expect(errors[4]).toMatch(/sent comp:attach for page 2/);
  });
});
