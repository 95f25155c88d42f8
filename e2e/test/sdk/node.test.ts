// The Node host (@tessera/runtime-sdk/node): the same real compiled, encrypted, signed sample
// launched over loopback, logic in a worker thread with a restricted vm context, pages rendered
// headless into jsdom.

import { createNodeTessera } from '@tessera/runtime-sdk/node';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureStore,
  makeTenant,
  publish,
  startApiServer,
  startFixtureStore,
  type Tenant,
} from './fixture-store.ts';
import { resilienceSource, sampleSource, subpackageSource } from './sample-app.ts';

let store: FixtureStore;
let api: Awaited<ReturnType<typeof startApiServer>>;
let tenant: Tenant;

beforeAll(async () => {
  [store, api] = await Promise.all([startFixtureStore(), startApiServer()]);
  tenant = await makeTenant();
  store.apps.set(
    'wx-node',
    await publish(
      tenant,
      'wx-node',
      '2.0.0',
      sampleSource({ api: api.url, evil: 'http://127.0.0.1:9', tag: 'N' }),
      {
        request: [api.url],
      },
    ),
  );
  store.apps.set('wx-node-sub', await publish(tenant, 'wx-node-sub', '1.0.0', subpackageSource()));
  store.apps.set('wx-node-errors', await publish(tenant, 'wx-node-errors', '1.0.0', resilienceSource()));
}, 60_000);

afterAll(async () => {
  await Promise.all([store?.close(), api?.close()]);
});

function sdk(errors: string[] = [], key = tenant.signing.publicKeySpki) {
  return createNodeTessera({
    storeUrl: store.url,
    credentials: { sdkKey: store.sdkKey, sdkSecret: store.sdkSecret },
    publicKeys: [key],
    userId: 'node-user',
    onError: (e) => errors.push(`${e.where}: ${e.message}`),
  });
}

describe('Node host', () => {
  it('launches, renders headless, handles taps, navigation and requests', async () => {
    const errors: string[] = [];
    const dom = new JSDOM('<!doctype html><body></body>');
    const app = await sdk(errors).launch('wx-node', { document: dom.window.document });
    try {
      await app.settle();
      expect(app.version).toBe('2.0.0');
      const root = () => app.pages().at(-1)?.root;
      // Messages hop between threads: poll rather than assume a quiet period is long enough.
      const textOf = (sel: string) => async () => {
        await app.settle();
        return root()?.querySelector(sel)?.textContent;
      };
      const routes = async () => {
        await app.settle();
        return app.pages().map((p) => p.route);
      };
      await expect.poll(textOf('#count'), { timeout: 10_000 }).toBe('count 0');
      (root()!.querySelector('#count') as HTMLElement).click();
      await expect.poll(textOf('#count'), { timeout: 10_000 }).toBe('count 1');
      (root()!.querySelector('#req-ok') as HTMLElement).click();
      await app.settle();
      await expect.poll(textOf('#req-result'), { timeout: 10_000 }).toBe('ok:hello');
      (root()!.querySelector('#go') as HTMLElement).click();
      await expect.poll(routes, { timeout: 10_000 }).toEqual(['pages/index/index', 'pages/detail/detail']);
      await expect.poll(textOf('#detail'), { timeout: 10_000 }).toBe('detail 7');
      app.navigateBack();
      await expect.poll(routes, { timeout: 10_000 }).toEqual(['pages/index/index']);
      expect(errors).toEqual([]);
      expect(app.timings.firstRender).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
    // Closing flushes analytics: a launch with timings and the page views, signed and accepted.
    await expect
      .poll(() => store.events.filter((e) => e.appId === 'wx-node').map((e) => e.type))
      .toEqual(expect.arrayContaining(['launch', 'page-view']));
  });

  it('opens a subpackage on first navigation; externalClasses take the page classes', async () => {
    const errors: string[] = [];
    const dom = new JSDOM('<!doctype html><body></body>');
    store.requests.length = 0;
    const app = await sdk(errors).launch('wx-node-sub', { document: dom.window.document });
    const sub = store.apps.get('wx-node-sub')!.subpackages!;
    const downloads = () =>
      store.requests
        .filter((p) => p.includes('/artifacts/'))
        .map((p) => sub.find((s) => p.endsWith(s.digest))?.root ?? 'main');
    try {
      const root = () => app.pages().at(-1)?.root;
      const textOf = (sel: string) => async () => {
        await app.settle();
        return root()?.querySelector(sel)?.textContent;
      };
      await expect.poll(textOf('#count'), { timeout: 10_000 }).toBe('count 0');
      expect(downloads()).toEqual(['main']);
      (root()!.querySelector('#shop') as HTMLElement).click();
      await expect.poll(textOf('#cat'), { timeout: 10_000 }).toBe('category tea');
      // shop on navigation, then "more" through shop's preloadRule
      await expect.poll(downloads, { timeout: 10_000 }).toEqual(['main', 'shop', 'more']);
      await expect.poll(textOf('#tag-inner'), { timeout: 10_000 }).toBe('new');
      const classes = root()!.querySelector('#tag-inner')!.getAttribute('class')!.split(' ');
      expect(classes).toContain('hot');
      expect(classes).not.toContain('tag-class');
      expect(errors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('the logic realm has no Node globals and no way back to the host realm', async () => {
    const dom = new JSDOM('<!doctype html><body></body>');
    const app = await sdk().launch('wx-node', { document: dom.window.document });
    try {
      await expect
        .poll(
          async () => {
            await app.settle();
            return app.pages()[0]?.root.querySelector('#probe')?.textContent;
          },
          { timeout: 10_000 },
        )
        .toBe(
          'fetch:undefined,XMLHttpRequest:undefined,WebSocket:undefined,indexedDB:undefined,caches:undefined,importScripts:undefined,localStorage:undefined,document:undefined,Worker:undefined',
        );
      await app.close();
      const app2 = await sdk().launch('wx-node', {
        document: dom.window.document,
        path: 'pages/probe/probe',
      });
      await expect
        .poll(
          async () => {
            await app2.settle();
            return app2.pages()[0]?.root.querySelector('#escapes')?.textContent;
          },
          { timeout: 10_000 },
        )
        .toBe('Function:EvalError,wx.constructor:EvalError,setData.constructor:EvalError,eval:EvalError');
      await app2.close();
    } finally {
      await app.close();
    }
  });

  it('refuses a package that is not signed by a trusted key', async () => {
    const other = await makeTenant();
    const dom = new JSDOM('<!doctype html><body></body>');
    await expect(
      sdk([], other.signing.publicKeySpki).launch('wx-node', { document: dom.window.document }),
    ).rejects.toThrow(/sign/i);
    expect(dom.window.document.querySelector('wx-page')).toBeNull();
  });

  it('survives exceptions and unhandled rejections: App hooks and the host hear of them, the thread lives', async () => {
    const errors: string[] = [];
    const dom = new JSDOM('<!doctype html><body></body>');
    const app = await sdk(errors).launch('wx-node-errors', { document: dom.window.document });
    try {
      const root = () => app.pages().at(-1)?.root;
      const textOf = (sel: string) => async () => {
        await app.settle();
        return root()?.querySelector(sel)?.textContent;
      };
      const tap = async (sel: string) => {
        await app.settle();
        (root()!.querySelector(sel) as HTMLElement).click();
      };
      await expect.poll(textOf('#count'), { timeout: 10_000 }).toBe('count 0');
      for (const sel of ['#handler', '#timer', '#callback']) await tap(sel);
      await expect
        .poll(textOf('#errors'), { timeout: 10_000 })
        .toBe('Error: handler boom | Error: timer boom | Error: callback boom');
      await tap('#reject');
      await expect.poll(textOf('#rejections'), { timeout: 10_000 }).toBe('nobody handles this');
      await tap('#module');
      await expect.poll(textOf('#modules'), { timeout: 10_000 }).toBe('bad module run 1, bad module run 2');
      // the logic thread still runs the page
      await tap('#count');
      await expect.poll(textOf('#count'), { timeout: 10_000 }).toBe('count 1');
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringContaining('Error: handler boom'),
          expect.stringContaining('Error: timer boom'),
          'wx.getSystemInfo success callback: Error: callback boom',
          'unhandledrejection: Unhandled promise rejection: Error: nobody handles this',
        ]),
      );
      expect(errors.some((e) => e.startsWith('logic worker'))).toBe(false);
    } finally {
      await app.close();
    }
  });
});
