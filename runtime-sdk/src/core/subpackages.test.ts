// Lazy subpackages and the update policy against a real loopback store (real packages, real
// device key re-wrap): what is downloaded when, what an offline relaunch can still open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryOfflineCache, type OpenOptions, openMiniProgram, updateDue } from './launcher.ts';
import { unmetered } from './subpackages.ts';
import { startTestStore, type TestStore } from './test-store.ts';

const manifest = {
  manifestVersion: 1,
  compilerVersion: 'test',
  entryPagePath: 'pages/index/index',
  pages: ['pages/index/index'],
  subpackages: [
    { root: 'shop', pages: ['shop/list/list'], independent: false, artifact: 'sub-shop' },
    { root: 'more', pages: ['more/x/x'], independent: false, artifact: 'sub-more' },
    { root: 'evil', pages: ['evil/x/x'], independent: false, artifact: 'sub-evil' },
  ],
  window: { navigationBarTitleText: 'App' },
  entries: [
    { path: 'pages/index/index', kind: 'page', usingComponents: {} },
    {
      path: 'shop/list/list',
      kind: 'page',
      usingComponents: {},
      window: { navigationBarTitleText: 'Shop' },
    },
  ],
  preloadRule: {
    'pages/index/index': { network: 'wifi', packages: ['sub-shop'] },
    'shop/list/list': { network: 'all', packages: ['sub-more'] },
    // no network given: WeChat's default is "wifi"
    'more/x/x': { packages: ['sub-shop'] },
  },
};

let store: TestStore;
beforeAll(async () => {
  store = await startTestStore(manifest, {
    main: { files: { 'app.js': 'App({})', 'pages/index/index.js': 'Page({})' } },
    'sub-shop': {
      root: 'shop',
      files: { 'shop/list/list.js': 'Page({ shop: 1 })', 'shop/list/list.wxml.js': '' },
    },
    'sub-more': { root: 'more', files: { 'more/x/x.js': 'Page({})' } },
    // a subpackage that tries to replace a main-package file
    'sub-evil': { root: 'evil', files: { 'evil/x/x.js': 'Page({})', 'app.js': 'stolen()' } },
  });
});
afterAll(() => store.close());

const options = (cache: MemoryOfflineCache, over: Partial<OpenOptions> = {}): OpenOptions => ({
  client: store.client(),
  cache,
  publicKeys: [store.publicKey],
  appId: 'wx-sub',
  ...over,
});
const text = async (p: Promise<Uint8Array>) => new TextDecoder().decode(await p);

describe('lazy subpackages', () => {
  it('downloads a subpackage only when asked, once, and serves its files with the main package', async () => {
    store.hits.clear();
    const opened = await openMiniProgram(options(new MemoryOfflineCache()));
    expect(Object.fromEntries(store.hits)).toEqual({ launch: 1, main: 1 });
    expect(opened.pkg.has('shop/list/list.js')).toBe(false);
    expect(opened.subpackages.pendingRoots()).toEqual(['shop', 'more', 'evil']);
    expect(opened.subpackages.rootOf('shop/list/list')).toBe('shop');
    expect(opened.subpackages.rootOf('pages/index/index')).toBeUndefined();

    const [a, b] = await Promise.all([opened.subpackages.load('shop'), opened.subpackages.load('shop')]);
    expect(a).toBe(b);
    expect(store.hits.get('shop')).toBe(1);
    expect(await text(opened.pkg.read('shop/list/list.js'))).toBe('Page({ shop: 1 })');
    expect(await text(opened.pkg.read('app.js'))).toBe('App({})');
    expect(opened.subpackages.pendingRoots()).toEqual(['more', 'evil']);
  });

  it('refuses a subpackage with files outside its root, and one the launch did not list', async () => {
    const opened = await openMiniProgram(options(new MemoryOfflineCache()));
    await expect(opened.subpackages.load('evil')).rejects.toThrow(
      'subpackage "evil" cannot be opened: it contains "app.js", outside its root',
    );
    expect(await text(opened.pkg.read('app.js'))).toBe('App({})');
    await expect(opened.subpackages.load('nope')).rejects.toThrow(/does not list it/);
  });

  it('preloadRule: loads the listed subpackages after a page shows; "wifi" waits for an unmetered network', async () => {
    store.hits.clear();
    const opened = await openMiniProgram(options(new MemoryOfflineCache()));
    const errors: Error[] = [];
    opened.subpackages.preloadFor('pages/index/index', { type: 'cellular' }, (e) => errors.push(e));
    opened.subpackages.preloadFor('more/x/x', { type: 'cellular' }, (e) => errors.push(e));
    expect(opened.subpackages.pendingRoots()).toContain('shop');
    expect(store.hits.get('shop')).toBeUndefined();
    opened.subpackages.preloadFor('pages/index/index', { type: 'wifi' }, (e) => errors.push(e));
    await expect.poll(() => opened.subpackages.pendingRoots()).toEqual(['more', 'evil']);
    // network "all": any connection, even cellular
    opened.subpackages.preloadFor('shop/list/list', { type: 'cellular' }, (e) => errors.push(e));
    await expect.poll(() => opened.subpackages.pendingRoots()).toEqual(['evil']);
    // navigation then finds them open: nothing downloaded twice
    await Promise.all([opened.subpackages.load('shop'), opened.subpackages.load('more')]);
    expect([store.hits.get('shop'), store.hits.get('more')]).toEqual([1, 1]);
    expect(errors).toEqual([]);
  });

  it('offline relaunch opens a subpackage downloaded before from the cache, and explains one that was not', async () => {
    const cache = new MemoryOfflineCache();
    const online = await openMiniProgram(options(cache));
    await online.subpackages.load('shop');
    store.state.offline = true;
    try {
      const offline = await openMiniProgram(options(cache));
      expect(offline.source).toBe('offline');
      await offline.subpackages.load('shop');
      expect(await text(offline.pkg.read('shop/list/list.js'))).toBe('Page({ shop: 1 })');
      await expect(offline.subpackages.load('more')).rejects.toThrow(
        /subpackage "more" cannot be opened: .*network is down/,
      );
    } finally {
      store.state.offline = false;
    }
  });
});

describe('update policy', () => {
  const policy = { background: true, wifiOnly: true, checkIntervalSeconds: 600 };

  it('updateDue: interval, Wi-Fi only, background off; no policy means every launch', () => {
    const t = 1_000_000_000;
    expect(updateDue(undefined, t, t, undefined)).toBe(true);
    expect(updateDue(policy, t, t + 599_000, { type: 'wifi' })).toBe(false);
    expect(updateDue(policy, t, t + 600_000, { type: 'wifi' })).toBe(true);
    expect(updateDue(policy, t, t + 600_000, { type: 'cellular' })).toBe(false);
    expect(updateDue({ ...policy, wifiOnly: false }, t, t + 600_000, { type: 'cellular' })).toBe(true);
    expect(updateDue({ ...policy, background: false }, t, t + 600_000, { type: 'wifi' })).toBe(false);
    expect(unmetered(undefined)).toBe(true);
    expect(unmetered({ type: 'ethernet' })).toBe(true);
    expect(unmetered({ type: 'wifi', saveData: true })).toBe(false);
  });

  it('cache-first: the background check follows the policy the store sent, the new version runs next time', async () => {
    const cache = new MemoryOfflineCache();
    store.state.version = '1.0.0';
    store.state.updatePolicy = { ...policy, checkIntervalSeconds: 60 };
    try {
      await openMiniProgram(options(cache));
      store.state.version = '1.1.0';
      store.hits.clear();
      // checked a moment ago: not due, nothing asked
      const early = await openMiniProgram(options(cache, { policy: 'cache-first' }));
      expect([early.source, early.version, await early.update]).toEqual(['cache', '1.0.0', undefined]);
      expect(store.hits.get('launch')).toBeUndefined();

      // pretend the last check was long ago; on cellular a Wi-Fi-only policy still waits
      const entry = (await cache.get('wx-sub'))!;
      await cache.put({ ...entry, cachedAt: entry.cachedAt - 61_000 });
      const cellular = await openMiniProgram(
        options(cache, { policy: 'cache-first', connection: () => ({ type: 'cellular' }) }),
      );
      expect(await cellular.update).toBeUndefined();
      expect(store.hits.get('launch')).toBeUndefined();

      const wifi = await openMiniProgram(
        options(cache, { policy: 'cache-first', connection: () => ({ type: 'wifi' }) }),
      );
      expect([wifi.version, await wifi.update]).toEqual(['1.0.0', '1.1.0']);
      expect(store.hits.get('launch')).toBe(1);
      const next = await openMiniProgram(options(cache, { policy: 'cache-first' }));
      expect([next.source, next.version]).toEqual(['cache', '1.1.0']);
      // no launch policy from the host: the HostApp's (background updates on) means cache-first
      const byHostApp = await openMiniProgram(options(cache));
      expect([byHostApp.source, byHostApp.version]).toEqual(['cache', '1.1.0']);
      expect(store.hits.get('launch')).toBe(1);

      // background updates off: cache-first asks the store at launch instead
      store.state.updatePolicy = { ...policy, background: false };
      await openMiniProgram(options(cache, { policy: 'network-first' }));
      const launches = store.hits.get('launch') ?? 0;
      // (the store answers "cached": this device holds the artifact it resolves, so it opens from the cache)
      const asked = await openMiniProgram(options(cache, { policy: 'cache-first' }));
      expect([asked.source, asked.update, store.hits.get('launch')]).toEqual([
        'cache',
        undefined,
        launches + 1,
      ]);
      await openMiniProgram(options(cache));
      expect(store.hits.get('launch')).toBe(launches + 2);
    } finally {
      store.state.version = '1.0.0';
      delete store.state.updatePolicy;
    }
  });

  it('offline launch: starts the background check when due; it reports no version while the store is down', async () => {
    const cache = new MemoryOfflineCache();
    await openMiniProgram(options(cache));
    store.state.offline = true;
    try {
      const offline = await openMiniProgram(options(cache));
      expect(offline.source).toBe('offline');
      expect(await offline.update).toBeUndefined();
    } finally {
      store.state.offline = false;
    }
  });
});
