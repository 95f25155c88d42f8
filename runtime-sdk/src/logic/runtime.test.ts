import { describe, expect, it } from 'vitest';
import type { LogicBoot, LogicMessage } from '../core/bridge.ts';
import { TEST_SYSTEM_INFO } from '../core/test-system-info.ts';
import { LogicRuntime } from './runtime.ts';

type G = {
  App(o: unknown): void;
  Page(o: unknown): void;
  Component(o: unknown): void;
  Behavior(o: unknown): unknown;
  getApp(): Record<string, unknown>;
  getCurrentPages(): Array<{ route: string }>;
  wx: Record<string, (...a: unknown[]) => unknown>;
};

const boot = (over: Partial<LogicBoot> = {}): LogicBoot => ({
  appId: 'wx1',
  pages: ['pages/a/a', 'pages/b/b', 'pages/tab1/tab1', 'pages/tab2/tab2'],
  subpackageRoots: [],
  tabBarPages: ['pages/tab1/tab1', 'pages/tab2/tab2'],
  entryPagePath: 'pages/a/a',
  storage: {},
  storageLimitBytes: 1024,
  systemInfo: TEST_SYSTEM_INFO,
  launchQuery: {},
  ...over,
});

function setup(
  modules: Record<string, (g: G, require: (p: string) => unknown, module: { exports: unknown }) => void>,
  over?: Partial<LogicBoot>,
) {
  const sent: LogicMessage[] = [];
  const log: string[] = [];
  const rt = new LogicRuntime({
    boot: boot(over),
    post: (m) => sent.push(m),
    load: (path) => {
      const f = modules[path];
      if (!f) return false;
      rt.define(path, (module, _exports, require) => f(rt.globals as unknown as G, require, module));
      return true;
    },
  });
  const g = rt.globals as unknown as G;
  return { rt, sent, log, g };
}

/** Attaches components to page `pageId` as its view would. */
const attacher =
  (rt: LogicRuntime, pageId: number) =>
  (id: number, parentId: number, path: string, elementId: string, classes = '') =>
    rt.receive({
      type: 'comp:attach',
      id,
      pageId,
      parentId,
      path,
      props: {},
      elementId,
      classes,
      dataset: {},
    });

const hooks = (log: string[], name: string) =>
  Object.fromEntries(
    ['onLoad', 'onShow', 'onReady', 'onHide', 'onUnload'].map((h) => [h, () => log.push(`${name}.${h}`)]),
  );

describe('logic runtime', () => {
  it('runs App and page lifecycles in WeChat order across navigation', async () => {
    const log: string[] = [];
    const { rt, sent } = setup({
      'app.js': (g) =>
        g.App({
          onLaunch: (o: { path: string }) => log.push(`app.onLaunch ${o.path}`),
          onShow: () => log.push('app.onShow'),
        }),
      'pages/a/a.js': (g) => g.Page({ data: { n: 1 }, ...hooks(log, 'a') }),
      'pages/b/b.js': (g) =>
        g.Page({ ...hooks(log, 'b'), onLoad: (q: unknown) => log.push(`b.onLoad ${JSON.stringify(q)}`) }),
    });
    rt.receive({ type: 'launch', path: 'pages/a/a', query: {} });
    const a = sent.find((m) => m.type === 'page:create')!;
    expect(a).toMatchObject({ route: 'pages/a/a', data: { n: 1 } });
    rt.receive({ type: 'rendered', id: (a as { pageId: number }).pageId, seq: 0 });
    rt.navigateTo('../b/b?x=1&y=%E4%B8%AD');
    const b = sent.filter((m) => m.type === 'page:create')[1] as { pageId: number };
    rt.receive({ type: 'rendered', id: b.pageId, seq: 0 });
    expect(rt.pages().map((p) => p.route)).toEqual(['pages/a/a', 'pages/b/b']);
    rt.navigateBack();
    expect(log).toEqual([
      'app.onLaunch pages/a/a',
      'app.onShow',
      'a.onLoad',
      'a.onShow',
      'a.onReady',
      'a.onHide',
      'b.onLoad {"x":"1","y":"中"}',
      'b.onShow',
      'b.onReady',
      'b.onUnload',
      'a.onShow',
    ]);
    expect(sent.map((m) => m.type)).toContain('page:destroy');
    expect(() => rt.navigateBack()).toThrow(/already at the first page/);
    expect(() => rt.navigateTo('/pages/nope/nope')).toThrow(/not in app.json pages/);
    expect(() => rt.navigateTo('/pages/tab1/tab1')).toThrow(/use switchTab/);
  });

  it('setData updates this.data synchronously, batches patches and calls back after render', async () => {
    const { rt, sent } = setup({
      'pages/a/a.js': (g) =>
        g.Page({
          data: { list: [{ c: 1 }, { c: 2 }], obj: { x: 1 } },
          run(
            this: { setData(o: unknown, cb?: () => void): void; data: Record<string, unknown> },
            done: () => void,
          ) {
            this.setData({ 'list[1].c': 20, 'obj.y.z': 'new' });
            this.setData({ 'list[1].c': 21 }, done);
            this.setData({ 'obj.x': 2, obj: { x: 3 } });
            return this.data;
          },
        }),
    });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as { run(cb: () => void): Record<string, unknown>; __id: number };
    let called = 0;
    const data = page.run(() => called++);
    expect(data).toEqual({ list: [{ c: 1 }, { c: 21 }], obj: { x: 3 } });
    await Promise.resolve();
    const msgs = sent.filter((m) => m.type === 'data');
    expect(msgs).toHaveLength(1);
    // list[1].c once (the later write wins), obj.x and obj.y.z covered by the later `obj`.
    expect((msgs[0] as { patches: unknown }).patches).toEqual([
      { path: ['list', 1, 'c'], value: 21 },
      { path: ['obj'], value: { x: 3 } },
    ]);
    expect(called).toBe(0);
    rt.receive({ type: 'rendered', id: page.__id, seq: (msgs[0] as { seq: number }).seq });
    expect(called).toBe(1);
  });

  it('rejects oversized and malformed setData with actionable errors', () => {
    const { rt } = setup({ 'pages/a/a.js': (g) => g.Page({}) });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as { setData(o: unknown): void };
    expect(() => page.setData({ big: 'x'.repeat(1024 * 1024 + 10) })).toThrow(/over the 1048576-byte limit/);
    expect(() => page.setData('nope')).toThrow(/expects an object/);
    expect(() => page.setData({ 'a[': 1 })).toThrow(/not closed/);
  });

  it('components: behaviors first, lifetimes override, properties coerced, observers fire', () => {
    const log: string[] = [];
    const { rt, sent } = setup({
      'pages/a/a.js': (g) => g.Page({}),
      'components/beh.js': (g, _r, module) => {
        module.exports = g.Behavior({
          data: { fromBehavior: true, shared: 'b' },
          created: () => log.push('beh.created'),
          attached: () => log.push('beh.attached'),
          methods: { hello: () => 'beh' },
        });
      },
      'components/card/card.js': (g, require) =>
        g.Component({
          behaviors: [require('../beh.js')],
          properties: {
            count: Number,
            title: {
              type: String,
              value: 'def',
              observer: (n: unknown, o: unknown) => log.push(`title ${o}→${n}`),
            },
            flag: Boolean,
            list: Array,
          },
          data: { shared: 'own', sum: 0, a: { b: 1 } },
          observers: {
            'count, a.b': function (this: { setData(o: unknown): void }, count: number, b: number) {
              log.push(`obs count=${count} a.b=${b}`);
              this.setData({ sum: count + b });
            },
            'a.**': () => log.push('a.**'),
            '**': () => log.push('**'),
          },
          created: () => log.push('top.created (overridden)'),
          lifetimes: {
            created: () => log.push('created'),
            attached: () => log.push('attached'),
            ready: () => log.push('ready'),
            detached: () => log.push('detached'),
          },
          pageLifetimes: { hide: () => log.push('page hide') },
          methods: {
            set(this: { setData(o: unknown): void }, o: unknown) {
              this.setData(o);
            },
          },
        }),
    });
    rt.launch('pages/a/a', {});
    const pageId = rt.pages()[0]!.__id;
    rt.receive({
      type: 'comp:attach',
      id: 100,
      pageId,
      parentId: pageId,
      path: 'components/card/card',
      props: { count: '5', title: 42, flag: 'yes', list: 'not-an-array' },
      elementId: 'c1',
      classes: '',
      dataset: {},
    });
    const inst = rt.instance(100)! as unknown as {
      data: Record<string, unknown>;
      set(o: unknown): void;
      hello(): string;
    };
    expect(inst.data).toMatchObject({
      count: 5,
      title: '42',
      flag: true,
      list: [],
      shared: 'own',
      fromBehavior: true,
      sum: 6,
    });
    expect(inst.hello()).toBe('beh');
    rt.receive({ type: 'rendered', id: 100, seq: 1 });
    log.push('--');
    inst.set({ 'a.b': 10 });
    inst.set({ 'a.c': 1 });
    inst.set({ other: 1 });
    rt.navigateTo('/pages/b/b'.replace('b/b', 'a/a'));
    rt.receive({ type: 'comp:detach', id: 100 });
    expect(log).toEqual([
      'beh.created',
      'created',
      'title def→42',
      'obs count=5 a.b=1',
      '**',
      '**',
      'beh.attached',
      'attached',
      'ready',
      '--',
      'obs count=5 a.b=10',
      '**', // from the observer's own nested setData({sum})
      'a.**',
      '**',
      'a.**',
      '**',
      '**',
      'page hide',
      'detached',
    ]);
    const init = sent.find((m) => m.type === 'data' && m.id === 100) as {
      patches: Array<{ path: unknown[] }>;
    };
    expect(init.patches[0]!.path).toEqual([]);
  });

  it('a model:<path> handler sets that data path to detail.value (two-way binding), observers see it', () => {
    const seen: unknown[] = [];
    const { rt } = setup({
      'pages/a/a.js': (g) =>
        g.Page({
          data: { form: { name: '' }, on: false },
          observers: { 'form.name': (v: unknown) => seen.push(v) },
        }),
    });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as { __id: number; data: Record<string, unknown> };
    const event = (value: unknown) => ({
      type: 'input',
      timeStamp: 1,
      target: { id: '', dataset: {} },
      currentTarget: { id: '', dataset: {} },
      mark: {},
      detail: { value },
    });
    rt.receive({ type: 'event', owner: page.__id, handler: 'model:form.name', event: event('Ann') });
    rt.receive({ type: 'event', owner: page.__id, handler: 'model:on', event: event(true) });
    expect(page.data).toMatchObject({ form: { name: 'Ann' }, on: true });
    expect(seen).toEqual(['Ann']);
  });

  it('model:prop on a component: its own setData of the property updates the parent path', () => {
    const { rt } = setup({
      'pages/a/a.js': (g) => g.Page({ data: { form: { name: 'x' } } }),
      'components/f/f.js': (g) =>
        g.Component({
          properties: { value: String },
          methods: {
            type(v: string) {
              (this as unknown as { setData(o: unknown): void }).setData({ value: v, other: 1 });
            },
          },
        }),
    });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as { __id: number; data: Record<string, unknown> };
    rt.receive({
      type: 'comp:attach',
      id: 300,
      pageId: page.__id,
      parentId: page.__id,
      path: 'components/f/f',
      props: { value: 'x' },
      elementId: '',
      classes: '',
      dataset: {},
      models: { value: 'form.name' },
    });
    const comp = rt.instance(300)! as unknown as { type(v: string): void };
    comp.type('Ann');
    expect(page.data).toEqual({ form: { name: 'Ann' } });
  });

  it('triggerEvent sends the options and events reach the owner method', () => {
    const got: unknown[] = [];
    const { rt, sent } = setup({
      'pages/a/a.js': (g) => g.Page({ onTap: (e: unknown) => got.push(e) }),
    });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as {
      __id: number;
      triggerEvent(n: string, d: unknown, o: unknown): void;
    };
    const event = {
      type: 'tap',
      timeStamp: 1,
      target: { id: 'x', dataset: { a: 1 } },
      currentTarget: { id: 'x', dataset: { a: 1 } },
      mark: {},
      detail: { x: 1, y: 2 },
    };
    rt.receive({ type: 'event', owner: page.__id, handler: 'onTap', event });
    expect(got).toEqual([event]);
    rt.receive({ type: 'event', owner: page.__id, handler: 'missing', event });
    expect(sent.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringContaining('no method "missing"'),
    });
    page.triggerEvent('change', { v: 1 }, { bubbles: true });
    expect(sent.at(-1)).toMatchObject({
      type: 'trigger',
      name: 'change',
      detail: { v: 1 },
      options: { bubbles: true, composed: false, capturePhase: false },
    });
  });

  it('switchTab keeps tab pages alive and closes the others; reLaunch clears the stack', () => {
    const log: string[] = [];
    const { rt } = setup(
      {
        'pages/tab1/tab1.js': (g) => g.Page(hooks(log, 't1')),
        'pages/tab2/tab2.js': (g) => g.Page(hooks(log, 't2')),
        'pages/b/b.js': (g) => g.Page(hooks(log, 'b')),
      },
      { entryPagePath: 'pages/tab1/tab1' },
    );
    rt.launch('pages/tab1/tab1', {});
    rt.navigateTo('/pages/b/b');
    rt.switchTab('/pages/tab2/tab2');
    rt.switchTab('/pages/tab1/tab1');
    expect(rt.pages().map((p) => p.route)).toEqual(['pages/tab1/tab1']);
    rt.reLaunch('/pages/b/b');
    expect(rt.pages().map((p) => p.route)).toEqual(['pages/b/b']);
    expect(log).toEqual([
      't1.onLoad',
      't1.onShow',
      't1.onHide',
      'b.onLoad',
      'b.onShow',
      'b.onHide',
      'b.onUnload',
      't2.onLoad',
      't2.onShow',
      't2.onHide',
      't1.onShow',
      't1.onUnload',
      'b.onLoad',
      'b.onShow',
    ]);
  });

  it('wx: promise and callback forms, storage limit, host calls', async () => {
    const { rt, sent, g } = setup({
      'pages/a/a.js': (gg) => gg.Page({}),
      'pages/b/b.js': (gg) => gg.Page({}),
    });
    rt.launch('pages/a/a', {});
    await expect(g.wx.navigateTo!({ url: '/pages/b/b' })).resolves.toEqual({ errMsg: 'navigateTo:ok' });
    await expect(g.wx.navigateTo!({ url: '/nope' })).rejects.toMatchObject({
      errMsg: expect.stringMatching(/^navigateTo:fail page "nope"/),
    });
    const results: string[] = [];
    g.wx.navigateBack!({
      success: (r: { errMsg: string }) => results.push(r.errMsg),
      complete: () => results.push('complete'),
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(results).toEqual(['navigateBack:ok', 'complete']);

    g.wx.setStorageSync!('k', { a: [1, 2] });
    expect(g.wx.getStorageSync!('k')).toEqual({ a: [1, 2] });
    expect(sent.at(-1)).toEqual({ type: 'storage:set', key: 'k', value: '{"v":{"a":[1,2]}}' });
    expect(() => g.wx.setStorageSync!('big', 'x'.repeat(2000))).toThrow(
      /setStorageSync:fail exceed storage max size 1KB/,
    );
    expect(() => g.wx.setStorageSync!('', 1)).toThrow(/non-empty/);

    const p = g.wx.request!({ url: 'https://api.example.com/x', success: undefined }) as Promise<unknown>;
    const call = sent.at(-1) as { type: string; callId: number; name: string; args: unknown };
    expect(call).toMatchObject({ type: 'api', name: 'request', args: { url: 'https://api.example.com/x' } });
    rt.receive({
      type: 'api:result',
      callId: call.callId,
      ok: false,
      error: 'request:fail url not in domain list',
    });
    await expect(p).rejects.toEqual({ errMsg: 'request:fail url not in domain list' });
  });

  it('wx system info: getSystemInfoSync and its successors answer their own fields, each a copy', () => {
    const { g } = setup({ 'pages/a/a.js': (gg) => gg.Page({}) });
    const wx = g.wx as Record<string, () => Record<string, unknown>>;
    expect(wx.getWindowInfo!()).toEqual({
      pixelRatio: 2,
      screenWidth: 375,
      screenHeight: 667,
      windowWidth: 375,
      windowHeight: 579,
      statusBarHeight: 0,
      safeArea: { left: 0, top: 0, right: 375, bottom: 667, width: 375, height: 667 },
      screenTop: 88,
    });
    expect(wx.getAppBaseInfo!()).toMatchObject({
      language: 'zh_CN',
      theme: 'dark',
      SDKVersion: expect.any(String),
    });
    expect(wx.getDeviceInfo!()).toMatchObject({ platform: 'test', system: 'test 1.0' });
    expect(wx.getSystemSetting!()).toEqual({
      deviceOrientation: 'portrait',
      locationEnabled: true,
      bluetoothEnabled: false,
      wifiEnabled: false,
    });
    expect(wx.getMenuButtonBoundingClientRect!()).toEqual({
      left: 284,
      top: 6,
      right: 367,
      bottom: 38,
      width: 83,
      height: 32,
    });
    const info = wx.getSystemInfoSync!();
    expect(info).toMatchObject({ windowHeight: 579, theme: 'dark', brand: 'test' });
    expect(info.menuButton).toBeUndefined();
    (info.safeArea as { top: number }).top = 99;
    expect((wx.getSystemInfoSync!().safeArea as { top: number }).top).toBe(0);
  });

  it('instance APIs: selectComponent (with export), selectOwnerComponent, router, page scroll hooks', () => {
    const log: string[] = [];
    const { rt } = setup({
      'pages/a/a.js': (g) =>
        g.Page({
          onPageScroll: (e: { scrollTop: number }) => log.push(`scroll ${e.scrollTop}`),
          onReachBottom: () => log.push('bottom'),
        }),
      'pages/b/b.js': (g) => g.Page({ onLoad: (q: unknown) => log.push(`b ${JSON.stringify(q)}`) }),
      'comps/card/card.js': (g) =>
        g.Component({
          methods: {
            owner(this: { selectOwnerComponent(): { is: string } | null }) {
              return this.selectOwnerComponent()?.is;
            },
          },
        }),
      'comps/sheet/sheet.js': (g) => g.Component({ export: () => ({ api: 'sheet' }) }),
    });
    rt.launch('pages/a/a', {});
    const pageId = rt.pages()[0]!.__id;
    const attach = attacher(rt, pageId);
    attach(10, pageId, 'comps/card/card', 'c1', 'card big');
    attach(11, pageId, 'comps/card/card', 'c2', 'card');
    attach(12, 10, 'comps/card/card', 'inner', 'card');
    attach(13, pageId, 'comps/sheet/sheet', 's', '');
    type Inst = {
      id: string;
      selectComponent(s: string): unknown;
      selectAllComponents(s: string): Array<{ id: string }>;
      owner(): string;
      getPageId(): string;
      router: { navigateTo(o: object): unknown };
    };
    const page = rt.pages()[0]! as unknown as Inst;
    expect(page.selectAllComponents('.card').map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(page.selectAllComponents('#c1 >>> .card').map((c) => c.id)).toEqual(['inner']);
    expect((page.selectComponent('.big') as Inst).id).toBe('c1');
    expect(page.selectComponent('#s')).toEqual({ api: 'sheet' });
    expect(page.selectComponent('#none')).toBeNull();
    const inner = rt.instance(12)! as unknown as Inst;
    expect(inner.owner()).toBe('comps/card/card');
    expect((rt.instance(10) as unknown as Inst).owner()).toBe('pages/a/a');
    expect(inner.getPageId()).toBe(`pageId:${pageId}`);

    // classes follow the view's updates
    rt.receive({ type: 'comp:props', id: 11, props: {}, elementId: 'c2', classes: 'card big' });
    expect(page.selectAllComponents('.big').map((c) => c.id)).toEqual(['c1', 'c2']);

    rt.receive({ type: 'page:scroll', pageId, scrollTop: 120 });
    rt.receive({ type: 'page:reachBottom', pageId });
    expect(log).toEqual(['scroll 120', 'bottom']);

    // a component's router resolves against the component's own path
    inner.router.navigateTo({ url: '../../pages/b/b?from=card' });
    expect(log).toContain('b {"from":"card"}');
  });

  it('intersection observers: observe asks the host; crossings reach the callback until disconnect', () => {
    const seen: unknown[] = [];
    const { rt, sent, g } = setup({ 'pages/a/a.js': (g) => g.Page({}) });
    rt.launch('pages/a/a', {});
    const pageId = rt.pages()[0]!.__id;
    const page = rt.pages()[0]! as unknown as {
      createIntersectionObserver(o: unknown): {
        relativeTo(s: string, m?: unknown): { observe(t: string, cb: (r: unknown) => void): void };
        disconnect(): void;
      };
    };
    const io = page.createIntersectionObserver({ thresholds: [0, 0.5, 7], observeAll: true });
    io.relativeTo('.box', { bottom: 20, top: 'x' }).observe('.item', (r) => seen.push(r));
    const ask = sent.find((m) => m.type === 'api' && m.name === 'intersection') as {
      args: Record<string, unknown>;
    };
    expect(ask.args).toMatchObject({
      pageId,
      target: '.item',
      relativeTo: '.box',
      margins: { left: 0, top: 0, right: 0, bottom: 20 },
      thresholds: [0, 0.5], // 7 is no ratio
      observeAll: true,
    });
    const entry = {
      id: 'i1',
      dataset: {},
      intersectionRatio: 1,
      intersectionRect: { left: 0, top: 0, right: 1, bottom: 1, width: 1, height: 1 },
      boundingClientRect: { left: 0, top: 0, right: 1, bottom: 1, width: 1, height: 1 },
      relativeRect: { left: 0, top: 0, right: 9, bottom: 9, width: 9, height: 9 },
      time: 5,
    };
    const observer = ask.args.observer as number;
    rt.receive({ type: 'intersection', pageId, observer, entries: [entry] });
    expect(seen).toEqual([entry]);
    io.disconnect();
    expect(sent.some((m) => m.type === 'api' && m.name === 'intersection:disconnect')).toBe(true);
    rt.receive({ type: 'intersection', pageId, observer, entries: [entry] });
    expect(seen).toHaveLength(1);
    // wx.createIntersectionObserver without a component observes the current page
    (
      g.wx.createIntersectionObserver as (o: unknown) => {
        relativeToViewport(): { observe(t: string, cb: () => void): void };
      }
    )({})
      .relativeToViewport()
      .observe('#x', () => {});
    expect(sent.filter((m) => m.type === 'api' && m.name === 'intersection').at(-1)).toMatchObject({
      args: { pageId, target: '#x' },
    });
  });

  it('wx.getUpdateManager: listeners hear the check, late ones too; applyUpdate asks the host', () => {
    const { rt, sent, g } = setup({ 'pages/a/a.js': (g) => g.Page({}) });
    rt.launch('pages/a/a', {});
    const um = (g.wx.getUpdateManager as () => Record<string, (f?: unknown) => void>)();
    const log: string[] = [];
    um.onCheckForUpdate!((r: { hasUpdate: boolean }) => log.push(`check ${r.hasUpdate}`));
    rt.receive({ type: 'update', event: 'check', hasUpdate: true });
    rt.receive({ type: 'update', event: 'ready' });
    um.onUpdateReady!(() => log.push('ready (registered late)'));
    um.onUpdateFailed!(() => log.push('failed'));
    expect(log).toEqual(['check true', 'ready (registered late)']);
    um.applyUpdate!();
    expect(sent.some((m) => m.type === 'api' && m.name === 'applyUpdate')).toBe(true);
  });

  it("a page's own method of an instance API's name wins; setData & co. cannot be replaced", () => {
    const { rt } = setup({
      'pages/a/a.js': (g) =>
        g.Page({
          animate: () => 'mine',
          router: () => 'my router',
          setData: () => 'hijacked',
        }),
    });
    rt.launch('pages/a/a', {});
    const page = rt.pages()[0]! as unknown as {
      animate(): unknown;
      router(): unknown;
      setData(d: object): unknown;
    };
    expect(page.animate()).toBe('mine');
    expect(page.router()).toBe('my router');
    expect(page.setData({ x: 1 })).toBeUndefined();
  });

  it('relations: parent/child and ancestor/descendant link on attach and unlink on detach', () => {
    const log: string[] = [];
    const name = (x: { is: string; id: string }) => `${x.is.split('/').pop()}#${x.id}`;
    const { rt } = setup({
      'pages/a/a.js': (g) => g.Page({}),
      'comps/ul/ul.js': (g) =>
        g.Component({
          relations: {
            '../li/li': {
              type: 'child',
              linked(this: { id: string; is: string }, t: { id: string; is: string }) {
                log.push(`${name(this)} linked ${name(t)}`);
              },
              unlinked(this: { id: string; is: string }, t: { id: string; is: string }) {
                log.push(`${name(this)} unlinked ${name(t)}`);
              },
            },
            '../span/span': { type: 'descendant' },
          },
        }),
      'comps/li/li.js': (g) =>
        g.Component({
          relations: {
            '../ul/ul': {
              type: 'parent',
              linked(this: { id: string; is: string }, t: { id: string; is: string }) {
                log.push(`${name(this)} linked ${name(t)}`);
              },
            },
          },
        }),
      'comps/span/span.js': (g) => g.Component({ relations: { '/comps/ul/ul': { type: 'ancestor' } } }),
    });
    rt.launch('pages/a/a', {});
    const pageId = rt.pages()[0]!.__id;
    const attach = attacher(rt, pageId);
    attach(10, pageId, 'comps/ul/ul', 'u');
    attach(11, 10, 'comps/li/li', 'a');
    attach(12, 10, 'comps/li/li', 'b');
    attach(13, 12, 'comps/span/span', 's');
    attach(14, pageId, 'comps/li/li', 'orphan');
    const ul = rt.instance(10)! as unknown as { getRelationNodes(k: string): Array<{ id: string }> };
    expect(ul.getRelationNodes('../li/li').map((x) => x.id)).toEqual(['a', 'b']);
    expect(ul.getRelationNodes('../span/span').map((x) => x.id)).toEqual(['s']);
    const span = rt.instance(13)! as unknown as { getRelationNodes(k: string): Array<{ id: string }> };
    expect(span.getRelationNodes('/comps/ul/ul').map((x) => x.id)).toEqual(['u']);
    rt.receive({ type: 'comp:detach', id: 11 });
    expect(ul.getRelationNodes('../li/li').map((x) => x.id)).toEqual(['b']);
    expect(log).toEqual([
      'ul#u linked li#a',
      'li#a linked ul#u',
      'ul#u linked li#b',
      'li#b linked ul#u',
      'ul#u unlinked li#a',
    ]);
  });

  it('component moved: behavior hook then own, lifetimes win; externalClasses go out with the first data only', () => {
    const log: string[] = [];
    const { rt, sent } = setup({
      'app.js': (g) => g.App({}),
      'pages/a/a.js': (g) => g.Page({}),
      'components/row/row.js': (g) =>
        g.Component({
          behaviors: [g.Behavior({ lifetimes: { moved: () => log.push('beh.moved') } })],
          externalClasses: ['row-class', 'label-class'],
          properties: { n: Number },
          moved: () => log.push('top-level moved'),
          lifetimes: { moved: () => log.push('moved') },
        }),
    });
    rt.launch('pages/a/a', {});
    const pageId = rt.pages()[0]!.__id;
    const attach = {
      pageId,
      parentId: pageId,
      path: 'components/row/row',
      elementId: '',
      classes: '',
      dataset: {},
    };
    rt.receive({ type: 'comp:attach', id: 7, props: { n: 1 }, ...attach });
    const data = () => sent.filter((m) => m.type === 'data' && m.id === 7);
    expect(data()).toMatchObject([{ seq: 1, externalClasses: ['row-class', 'label-class'] }]);
    rt.receive({ type: 'comp:props', id: 7, props: { n: 2 } });
    expect(data()).toHaveLength(2);
    expect(data()[1]).not.toHaveProperty('externalClasses');
    rt.receive({ type: 'comp:moved', id: 7 });
    expect(log).toEqual(['beh.moved', 'moved']);
    // a moved notice for an instance that is gone is ignored
    rt.receive({ type: 'comp:detach', id: 7 });
    rt.receive({ type: 'comp:moved', id: 7 });
    expect(log).toEqual(['beh.moved', 'moved']);
  });

  it('lazy subpackages: navigation waits for the host to deliver the code, a failure fails navigateTo', async () => {
    const modules: Parameters<typeof setup>[0] = {
      'app.js': (g) => g.App({}),
      'pages/a/a.js': (g) => g.Page({}),
    };
    const { rt, sent, g } = setup(modules, {
      pages: ['pages/a/a', 'shop/list/list', 'shop/item/item', 'more/x/x'],
      subpackageRoots: ['shop', 'more'],
    });
    rt.receive({ type: 'launch', path: 'pages/a/a', query: {} });
    const routes = () =>
      sent.filter((m) => m.type === 'page:create').map((m) => (m as { route: string }).route);

    const opened = g.wx.navigateTo!({ url: '/shop/list/list?id=7' }) as Promise<unknown>;
    (g.wx.navigateTo!({ url: '/shop/item/item' }) as Promise<unknown>).catch(() => {});
    // one request per subpackage, and no page until its code is there
    expect(sent.filter((m) => m.type === 'subpackage:load')).toEqual([
      { type: 'subpackage:load', root: 'shop' },
    ]);
    expect(routes()).toEqual(['pages/a/a']);

    modules['shop/list/list.js'] = (g2) =>
      g2.Page({ onLoad: (q: { id: string }) => g2.wx.setStorageSync!('id', q.id) });
    modules['shop/item/item.js'] = (g2) => g2.Page({});
    rt.receive({ type: 'subpackage:ready', root: 'shop', sources: {} });
    await expect(opened).resolves.toMatchObject({ errMsg: 'navigateTo:ok' });
    expect(routes()).toEqual(['pages/a/a', 'shop/list/list', 'shop/item/item']);
    expect(g.wx.getStorageSync!('id')).toBe('7');

    // loaded once: a second visit does not ask again
    rt.navigateBack();
    await rt.navigateTo('/shop/list/list');
    expect(sent.filter((m) => m.type === 'subpackage:load')).toHaveLength(1);

    const failed = g.wx.navigateTo!({ url: '/more/x/x' }) as Promise<unknown>;
    rt.receive({
      type: 'subpackage:failed',
      root: 'more',
      error: 'subpackage "more" cannot be opened: signature invalid',
    });
    await expect(failed).rejects.toMatchObject({ errMsg: expect.stringContaining('signature invalid') });
    expect(rt.pages().at(-1)?.route).toBe('shop/list/list');
    // a failed subpackage is asked for again on the next navigation
    (g.wx.navigateTo!({ url: '/more/x/x' }) as Promise<unknown>).catch(() => {});
    expect(sent.filter((m) => m.type === 'subpackage:load').map((m) => (m as { root: string }).root)).toEqual(
      ['shop', 'more', 'more'],
    );
  });

  it('errors go to App.onError, wx.onError listeners and the host; the realm keeps running', async () => {
    const log: string[] = [];
    const { rt, sent, g } = setup({
      'app.js': (g) =>
        g.App({
          onError: (m: string) => log.push(`app.onError ${m}`),
          onUnhandledRejection: (e: { reason: unknown }) =>
            log.push(`app.onUnhandledRejection ${String(e.reason)}`),
        }),
      'pages/a/a.js': (g) =>
        g.Page({
          data: { n: 0 },
          boom() {
            throw new TypeError('handler broke');
          },
          inc(this: { data: { n: number }; setData(d: unknown): void }) {
            this.setData({ n: this.data.n + 1 });
          },
        }),
    });
    rt.launch('pages/a/a', {});
    const listener = (m: string) => log.push(`wx.onError ${m}`);
    g.wx.onError!(listener);
    g.wx.onUnhandledRejection!((e: unknown) =>
      log.push(`wx.onUnhandledRejection ${(e as { reason: string }).reason}`),
    );
    const page = rt.pages()[0]! as unknown as { __id: number };
    const event = {
      type: 'tap',
      timeStamp: 1,
      target: { id: '', dataset: {} },
      currentTarget: { id: '', dataset: {} },
      mark: {},
      detail: {},
    };
    rt.receive({ type: 'event', owner: page.__id, handler: 'boom', event });
    expect(log).toEqual(['app.onError TypeError: handler broke', 'wx.onError TypeError: handler broke']);
    expect(sent.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: 'TypeError: handler broke',
    });

    rt.reportUnhandledRejection('nobody caught me', Promise.resolve());
    expect(log.slice(2)).toEqual([
      'app.onUnhandledRejection nobody caught me',
      'wx.onUnhandledRejection nobody caught me',
    ]);
    expect(sent.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: 'Unhandled promise rejection: nobody caught me',
      where: 'unhandledrejection',
    });

    // offError with the listener removes it; a throwing listener is reported, without a loop
    g.wx.offError!(listener);
    g.wx.onError!(() => {
      throw new Error('listener broke');
    });
    rt.reportError(new Error('again'), 'test');
    expect(log.at(-1)).toBe('app.onError Error: again');
    expect(
      sent
        .filter((m) => m.type === 'error')
        .map((m) => (m as { message: string }).message)
        .slice(-2),
    ).toEqual(['Error: again', 'Error: listener broke']);

    // offError() without a listener removes them all; a callback that throws is reported as a
    // callback error, and the page still answers
    g.wx.offError!();
    await (g.wx.getSystemInfo!({
      success: () => {
        throw new Error('in success');
      },
    }) as unknown);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.filter((m) => m.type === 'error').at(-1)).toMatchObject({
      message: 'Error: in success',
      where: 'wx.getSystemInfo success callback',
    });
    rt.receive({ type: 'event', owner: page.__id, handler: 'inc', event });
    expect((rt.pages()[0] as unknown as { data: { n: number } }).data.n).toBe(1);
  });

  it('a module whose factory throws is not cached: the next require throws again', () => {
    let runs = 0;
    const { rt } = setup({
      'utils/bad.js': () => {
        runs++;
        throw new Error(`bad module ${runs}`);
      },
    });
    expect(() => rt.require('/utils/bad.js')).toThrow('bad module 1');
    expect(() => rt.require('/utils/bad.js')).toThrow('bad module 2');
  });

  it('`global` is a plain object shared by every module', () => {
    const { rt } = setup({
      'utils/a.js': (g) => {
        (g as unknown as { global: Record<string, unknown> }).global.shared = 42;
      },
      'utils/b.js': (g, _r, module) => {
        module.exports = (g as unknown as { global: Record<string, unknown> }).global.shared;
      },
    });
    rt.require('/utils/a.js');
    expect(rt.require('/utils/b.js')).toBe(42);
    expect(rt.globals.global).not.toBe(globalThis);
  });
});
