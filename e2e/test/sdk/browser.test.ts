// The web SDK in real headless Chromium: a real compiled, encrypted and signed mini-program,
// launched through the device launch protocol over loopback (see fixture-store.ts), rendered in
// sandboxed frames with the logic in a worker.

import { createHash } from 'node:crypto';
import { decodeContainer, generateSigningKeyPair, parseIndex } from '@tessera/runtime-sdk/package';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../../runtime-sdk/scripts/build.ts';
import { launchBrowser, type TestBrowser } from '../../src/infra/browser.ts';
import type { FixtureStore } from './fixture-store.ts';
import { type RealEnv, startRealEnv } from './real-env.ts';
import {
  instanceApiSource,
  lateCodeSource,
  mediaSource,
  networkSource,
  privacySource,
  resilienceSource,
  sampleSource,
  subpackageSource,
  tabBarSource,
  widgetsSource,
} from './sample-app.ts';

let browser: TestBrowser;
let env: RealEnv;
/** The loopback ingress in front of the real store (same origin as the host page). */
let store: FixtureStore;
let api: RealEnv['api'];
let evil: RealEnv['evil'];
let trustedKey: string;
let untrustedKey: string;
/** Artifact paths of the wx-sub release: main and each subpackage by root. */
const subArtifacts = new Map<string, string>();

const HOST_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body>
<div id="host-secret">host-dom-secret</div>
<div id="app" style="width:375px;height:600px"></div>
<div id="app2" style="width:375px;height:600px"></div>
<script>document.cookie = 'host_session=topsecret; path=/'; localStorage.setItem('host_token', 'topsecret'); window.hostSecret = 'topsecret';</script>
<script src="/sdk.js"></script>
</body></html>`;

beforeAll(async () => {
  const [built, b, e] = await Promise.all([
    buildAll(),
    launchBrowser({ ignoreHttpsErrors: true }),
    startRealEnv(),
  ]);
  browser = b;
  env = e;
  store = env.ingress;
  api = env.api;
  evil = env.evil;
  trustedKey = env.tenant.signing.publicKeySpki;
  untrustedKey = (await generateSigningKeyPair()).publicKeySpki;
  store.pages.set('/host.html', { type: 'text/html; charset=utf-8', body: HOST_PAGE });
  store.pages.set('/sdk.js', { type: 'text/javascript', body: built.files['tessera-web.iife.js']! });
  for (const chunk of built.chunkFiles)
    store.pages.set(`/${chunk}`, { type: 'text/javascript', body: built.files[chunk]! });
  // the same SDK beside a UI chunk that is one statement longer than the one it was built with
  store.pages.set('/tampered/host.html', {
    type: 'text/html; charset=utf-8',
    body: HOST_PAGE.replace('/sdk.js', '/tampered/sdk.js'),
  });
  store.pages.set('/tampered/sdk.js', { type: 'text/javascript', body: built.files['tessera-web.iife.js']! });
  for (const chunk of built.chunkFiles.filter((c) => c.startsWith('tessera-view-')))
    store.pages.set(`/tampered/${chunk}`, {
      type: 'text/javascript',
      body: chunk.includes('rich-text') ? `${built.files[chunk]!};window.chunkRan=true` : built.files[chunk]!,
    });
  store.pages.set('/tampered/tessera-ui.js', {
    type: 'text/javascript',
    body: `${built.files['tessera-ui.js']!};window.chunkRan=true`,
  });
  const domains = { request: [api.url] };
  for (const [appId, tag] of [
    ['wx-a', 'A'],
    ['wx-b', 'B'],
  ] as const) {
    const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag })));
    await env.release(`mp-${tag.toLowerCase()}`, appId, '1.0.0', pkg, pkg.bytes, domains);
  }
  // Released, served and advertised with its own digest, but one bit inside the encrypted
  // entry page script is flipped (a compromised upload or CDN).
  const tampered = await env.pack(
    await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'T' })),
  );
  const bytes = new Uint8Array(tampered.bytes);
  const parts = decodeContainer(bytes);
  const entry = parseIndex(parts.indexBytes).files.find((f) => f.path === 'pages/index/index.js')!;
  bytes[parts.data.byteOffset - bytes.byteOffset + entry.offset + entry.length - 20]! ^= 0x01;
  await env.release('mp-t', 'wx-tampered', '1.0.0', tampered, bytes, domains);
  // Signed and valid, but one logic module that nothing requires does not parse: the realm
  // defines all modules with one script, so it must fall back to loading them one by one.
  const withBroken = await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'M' }));
  withBroken.push({
    path: 'utils/never-required.js',
    bytes: new TextEncoder().encode(
      '__tesseraDefine("utils/never-required.js", function (require, module) { return ( ; });',
    ),
  });
  const broken = await env.pack(withBroken);
  await env.release('mp-m', 'wx-broken-module', '1.0.0', broken, broken.bytes, domains);
  await releaseSubpackageApp();
}, 180_000);

/** wx-sub: main + shop + more + broken, where broken's index signature has one bit flipped. */
async function releaseSubpackageApp() {
  const artifacts = await env.compileAll(subpackageSource());
  const packed = await Promise.all(artifacts.map(async (a) => ({ ...a, pkg: await env.pack(a.files) })));
  const main = packed.find((a) => a.root === null)!;
  const subpackages = packed
    .filter((a) => a.root !== null)
    .map((a) => {
      const bytes = new Uint8Array(a.pkg.bytes);
      if (a.root === 'broken') {
        const sig = decodeContainer(bytes).signature;
        bytes[sig.byteOffset - bytes.byteOffset + 5]! ^= 0x01;
      }
      return { name: a.name, root: a.root!, pkg: a.pkg, bytes };
    });
  const path = (b: Uint8Array) => `/v1/tenants/sdk/artifacts/${createHash('sha256').update(b).digest('hex')}`;
  subArtifacts.set('main', path(main.pkg.bytes));
  for (const s of subpackages) subArtifacts.set(s.root, path(s.bytes));
  await env.release('mp-sub', 'wx-sub', '1.0.0', main.pkg, main.pkg.bytes, {}, { subpackages });
}

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function openHost(
  options: {
    key?: string;
    sdkKey?: string;
    sdkSecret?: string;
    policy?: 'cache-first';
    /** What navigator.connection reports ('wifi', 'cellular'). */
    connection?: string;
    /** The host page (default /host.html). */
    path?: string;
    /** Play an engine whose WebCrypto has no X25519 (generateKey refuses it, as such engines do). */
    withoutX25519?: boolean;
  } = {},
): Promise<Page> {
  const page = await browser.context.newPage();
  if (options.withoutX25519) {
    await page.addInitScript(() => {
      const generateKey = SubtleCrypto.prototype.generateKey;
      SubtleCrypto.prototype.generateKey = function (this: SubtleCrypto, ...args: unknown[]) {
        const alg = args[0] as string | { name: string };
        if ((typeof alg === 'string' ? alg : alg.name).toUpperCase() === 'X25519') {
          return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
        }
        return (generateKey as (...a: unknown[]) => Promise<CryptoKey | CryptoKeyPair>).apply(this, args);
      } as typeof generateKey;
    });
  }
  if (options.connection) {
    await page.addInitScript((type) => {
      Object.defineProperty(Navigator.prototype, 'connection', { get: () => ({ type }) });
    }, options.connection);
  }
  await page.goto(`${store.url}${options.path ?? '/host.html'}`);
  await page.evaluate(
    ({ sdkKey, sdkSecret, key, policy }) => {
      const w = window as unknown as Record<string, unknown> & {
        Tessera: { createTessera(c: unknown): unknown };
      };
      w.errors = [];
      w.menuTaps = [];
      w.closedApps = [];
      w.tessera = w.Tessera.createTessera({
        storeUrl: location.origin,
        credentials: { sdkKey, sdkSecret },
        publicKeys: [key],
        userId: 'user-1',
        ...(policy ? { policy } : {}),
        menuItems: [
          { id: 'share', text: 'Share', allow: ['wx-brand'] },
          { id: 'other', text: 'Other', allow: ['wx-a'] },
        ],
        onError: (e: unknown) => (w.errors as unknown[]).push(e),
        onMenuItem: (e: unknown) => (w.menuTaps as unknown[]).push(e),
        onClose: (e: unknown) => (w.closedApps as unknown[]).push(e),
      });
    },
    {
      sdkKey: options.sdkKey ?? env.tenant.sdkKey,
      sdkSecret: options.sdkSecret ?? env.tenant.sdkSecret,
      key: options.key ?? trustedKey,
      policy: options.policy,
    },
  );
  return page;
}

interface LaunchResult {
  ok: boolean;
  version?: string;
  source?: string;
  error?: string;
}

function launch(
  page: Page,
  appId: string,
  container = 'app',
  at: { path?: string; query?: Record<string, string> } = {},
): Promise<LaunchResult> {
  return page.evaluate(
    async ({ appId, container, at }) => {
      const w = window as unknown as {
        tessera: { launch(id: string, o: unknown): Promise<{ version: string; source: string }> };
        apps?: Record<string, unknown>;
      };
      try {
        const app = await w.tessera.launch(appId, { container: document.getElementById(container), ...at });
        w.apps = { ...(w.apps ?? {}), [appId]: app };
        return { ok: true, version: app.version, source: app.source };
      } catch (err) {
        return { ok: false, error: String(err) };
      }
    },
    { appId, container, at },
  );
}

async function pageFrame(page: Page, route: string, container = 'app'): Promise<Frame> {
  const handle = await page.waitForSelector(`#${container} iframe[data-route="${route}"]`, {
    state: 'attached',
  });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error(`no frame for ${route}`);
  await frame.waitForSelector('wx-page', { state: 'attached' });
  return frame;
}

const text = (f: Frame, sel: string) => f.locator(sel).first().textContent();

/** The offline cache entries' device keys in IndexedDB, by appId (what idb-cache.ts wrote). */
function cachedDeviceKeys(
  page: Page,
): Promise<Record<string, { deviceKeyCurve: string | null; algorithm: string; extractable: boolean }>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const r = indexedDB.open('tessera-offline');
        r.onsuccess = () => {
          const all = r.result.transaction('packages').objectStore('packages').getAll();
          all.onsuccess = () => {
            const out: Record<
              string,
              { deviceKeyCurve: string | null; algorithm: string; extractable: boolean }
            > = {};
            for (const e of all.result as Array<{
              appId?: string;
              devicePrivateKey?: CryptoKey;
              deviceKeyCurve?: string;
            }>) {
              if (!e.appId || !e.devicePrivateKey) continue;
              out[e.appId] = {
                deviceKeyCurve: e.deviceKeyCurve ?? null,
                algorithm: e.devicePrivateKey.algorithm.name,
                extractable: e.devicePrivateKey.extractable,
              };
            }
            resolve(out);
          };
          all.onerror = () => reject(all.error);
        };
        r.onerror = () => reject(r.error);
      }),
  );
}

const cachedDeviceKey = async (page: Page, appId: string) => (await cachedDeviceKeys(page))[appId];

/** The deviceKeyCurve of appId's cache entry, read from a fresh page (null: none recorded). */
async function cachedDeviceKeyCurve(appId: string): Promise<string | null | undefined> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${store.url}/host.html`);
    return (await cachedDeviceKey(page, appId))?.deviceKeyCurve;
  } finally {
    await page.close();
  }
}

describe('web SDK in Chromium', () => {
  it('renders the entry page, and a tap updates it through setData', async () => {
    const page = await openHost();
    const r = await launch(page, 'wx-a');
    expect(r).toMatchObject({ ok: true, version: '1.0.0', source: 'network' });
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').waitFor();
    expect(await text(f, '#count')).toBe('count 0');
    await f.locator('#count').click();
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 2');
    // Data is text, never markup: the "<img onerror>" string is shown literally.
    expect(await text(f, '#xss')).toBe('<img src=x onerror="parent.pwned=1">');
    expect(await f.locator('#xss img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { errors: unknown[] }).errors)).toEqual([]);
    await page.close();
  });

  it('a keyed reorder keeps the DOM nodes and what was typed into them', async () => {
    const page = await openHost();
    await launch(page, 'wx-a');
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('.row').first().waitFor();
    await f.evaluate(() => {
      for (const r of Array.from(document.querySelectorAll('.row')))
        (r as unknown as { __mark: string }).__mark = r.textContent ?? '';
    });
    await f.locator('.row input').nth(1).fill('typed by user');
    await f.locator('#reverse').click();
    await expect
      .poll(() =>
        f.evaluate(() => Array.from(document.querySelectorAll('.row wx-text')).map((t) => t.textContent)),
      )
      .toEqual(['delta', 'gamma', 'beta', 'alpha']);
    const state = await f.evaluate(() =>
      Array.from(document.querySelectorAll('.row')).map((r) => ({
        mark: (r as unknown as { __mark?: string }).__mark,
        value: (r.querySelector('input') as HTMLInputElement).value,
      })),
    );
    expect(state.map((s) => s.mark)).toEqual(['delta', 'gamma', 'beta', 'alpha']);
    expect(state[2]!.value).toBe('typed by user');
    await page.close();
  });

  it('navigateTo opens a second page frame with its query, and back returns', async () => {
    const page = await openHost();
    await launch(page, 'wx-a');
    const index = await pageFrame(page, 'pages/index/index');
    await index.locator('#go').click();
    const detail = await pageFrame(page, 'pages/detail/detail');
    await expect.poll(() => text(detail, '#detail')).toBe('detail 7');
    const pages = () =>
      page.evaluate(() =>
        (window as unknown as { apps: Record<string, { pages(): string[] }> }).apps['wx-a']!.pages(),
      );
    expect(await pages()).toEqual(['pages/index/index', 'pages/detail/detail']);
    // the tap removes the frame it happens in: a dispatched click, as Playwright's click can
    // wait out its timeout on a frame that detaches under it
    await detail.locator('#back').dispatchEvent('click');
    await expect.poll(pages).toEqual(['pages/index/index']);
    expect(await page.locator('#app iframe[data-route="pages/detail/detail"]').count()).toBe(0);
    await index.locator('#count').click();
    await expect.poll(() => text(index, '#count')).toBe('count 1');
    // The host's back button in the navigation bar drives the same stack.
    await index.locator('#go').click();
    await pageFrame(page, 'pages/detail/detail');
    await page.locator('#app .tessera-back').click();
    await expect.poll(pages).toEqual(['pages/index/index']);
    await page.close();
  });

  it('isolation: no host cookies, DOM, storage, globals or network from either realm', async () => {
    const page = await openHost();
    await launch(page, 'wx-a');
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#probe').waitFor();
    // Logic realm (worker): every way out is gone.
    await expect
      .poll(() => text(f, '#probe'))
      .toBe(
        'fetch:undefined,XMLHttpRequest:undefined,WebSocket:undefined,indexedDB:undefined,caches:undefined,importScripts:undefined,localStorage:undefined,document:undefined,Worker:undefined',
      );
    // View realm (page frame): code running there sees an opaque origin.
    const probe = await f.evaluate(async (apiUrl) => {
      const attempt = async (fn: () => unknown) => {
        try {
          return String(await fn());
        } catch (e) {
          return `blocked:${(e as Error).name}`;
        }
      };
      return {
        origin: location.origin,
        cookie: await attempt(() => document.cookie),
        localStorage: await attempt(() => localStorage.getItem('host_token')),
        parentDom: await attempt(() => parent.document.getElementById('host-secret')?.textContent),
        parentGlobal: await attempt(() => (parent as unknown as { hostSecret: string }).hostSecret),
        fetch: await attempt(() => fetch(`${apiUrl}/from-view`).then(() => 'reached')),
        navigateTop: await attempt(() => {
          top!.location.href = 'https://example.com/';
          return 'navigated';
        }),
      };
    }, api.url);
    expect(probe.origin).toBe('null');
    expect(probe.cookie).toMatch(/^(blocked:SecurityError|)$/);
    expect(probe.localStorage).toBe('blocked:SecurityError');
    expect(probe.parentDom).toBe('blocked:SecurityError');
    expect(probe.parentGlobal).toMatch(/^blocked:SecurityError|undefined$/);
    expect(probe.fetch).toMatch(/^blocked:/);
    expect(api.hits).not.toContain('/from-view');
    // Navigating the host is refused by the sandbox: the host page is still there.
    expect(await page.evaluate(() => location.pathname)).toBe('/host.html');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.close();
  });

  it('code in the logic worker cannot generate code or reach the host realm', async () => {
    const page = await openHost();
    await page.evaluate(() =>
      (window as unknown as { tessera: { launch(id: string, o: unknown): Promise<unknown> } }).tessera.launch(
        'wx-a',
        {
          container: document.getElementById('app'),
          path: 'pages/probe/probe',
        },
      ),
    );
    const f = await pageFrame(page, 'pages/probe/probe');
    await expect
      .poll(() => text(f, '#escapes'))
      .toBe('Function:EvalError,wx.constructor:EvalError,setData.constructor:EvalError,eval:EvalError');
    await page.close();
  });

  it("storage is scoped per mini-program: B cannot read A's storage", async () => {
    const page = await openHost();
    await launch(page, 'wx-a');
    const a = await pageFrame(page, 'pages/index/index');
    await a.locator('#save').click();
    await expect.poll(() => text(a, '#stored')).toBe('A');
    await launch(page, 'wx-b', 'app2');
    const b = await pageFrame(page, 'pages/index/index', 'app2');
    await b.locator('#probe').waitFor();
    expect(await text(b, '#stored')).toBe('');
    const keys = await page.evaluate(() => Object.keys(localStorage).sort());
    expect(keys).toEqual(['host_token', 'tessera:v1:wx-a:user-1:secret']);
    await page.close();
  });

  it('request: the whitelisted domain works, any other is refused before leaving the host', async () => {
    const page = await openHost();
    await launch(page, 'wx-a');
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#req-ok').click();
    await expect.poll(() => text(f, '#req-result')).toBe('ok:hello');
    await f.locator('#req-evil').click();
    await expect
      .poll(() => text(f, '#req-result'))
      .toMatch(/^fail:request:fail .*is not in the request domain list/);
    expect(api.hits).toContain('/hello');
    expect(evil.hits).toEqual([]);
    await page.close();
  });

  it('a tampered artifact refuses to run, with a visible error', async () => {
    const page = await openHost();
    const r = await launch(page, 'wx-tampered');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/pages\/index\/index\.js/);
    const shown = await page.locator('#app .tessera-error').textContent();
    expect(shown).toMatch(/^wx-tampered cannot be opened: /);
    expect(await page.locator('#app iframe').count()).toBe(0);
    await page.close();
  });

  it('a logic module that does not parse, and that nothing requires, does not stop the others', async () => {
    const page = await openHost();
    const r = await launch(page, 'wx-broken-module');
    expect(r).toMatchObject({ ok: true, version: '1.0.0' });
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    expect(await page.evaluate(() => (window as unknown as { errors: unknown[] }).errors)).toEqual([]);
    await page.close();
  });

  it('a package not signed by a key the host trusts refuses to run, with a visible error', async () => {
    const page = await openHost({ key: untrustedKey });
    const r = await launch(page, 'wx-a');
    expect(r.ok).toBe(false);
    expect(await page.locator('#app .tessera-error').textContent()).toMatch(/wx-a cannot be opened: .*sign/i);
    expect(await page.locator('#app iframe').count()).toBe(0);
    await page.close();
  });

  it('wrong host-app credentials are refused by the store, with a visible error', async () => {
    const page = await openHost({ sdkKey: 'sk-nope', sdkSecret: 'not-the-secret' });
    const r = await launch(page, 'wx-a');
    expect(r.ok).toBe(false);
    expect(await page.locator('#app .tessera-error').textContent()).toMatch(
      /^wx-a cannot be opened: launch failed: .*\(.+\)$/,
    );
    await page.close();
  });

  it('relaunches offline from the encrypted cache when the store is unreachable', async () => {
    const page = await openHost();
    // earlier tests cached wx-a: the store then answers "cached" and it opens from the cache
    const online = await launch(page, 'wx-a');
    expect(online.ok).toBe(true);
    expect(['network', 'cache']).toContain(online.source);
    store.offline = true;
    try {
      await page.reload();
      const page2 = await openHost();
      await page.close();
      const r = await launch(page2, 'wx-a');
      expect(r).toMatchObject({ ok: true, source: 'offline', version: '1.0.0' });
      const f = await pageFrame(page2, 'pages/index/index');
      await f.locator('#count').click();
      await expect.poll(() => text(f, '#count')).toBe('count 1');
      // Nothing in the cache is plaintext: the stored package is the signed ciphertext.
      const cached = await page2.evaluate(
        () =>
          new Promise<{ keyExtractable: boolean; hasPlainJs: boolean }>((resolve, reject) => {
            const r = indexedDB.open('tessera-offline');
            r.onsuccess = () => {
              const all = r.result.transaction('packages').objectStore('packages').getAll();
              all.onsuccess = () => {
                const e = all.result[0] as { bytes: Uint8Array; devicePrivateKey: CryptoKey };
                const text = new TextDecoder('latin1').decode(e.bytes);
                resolve({
                  keyExtractable: e.devicePrivateKey.extractable,
                  hasPlainJs: text.includes('setData'),
                });
              };
              all.onerror = () => reject(all.error);
            };
          }),
      );
      expect(cached).toEqual({ keyExtractable: false, hasPlainJs: false });
      await page2.close();
    } finally {
      store.offline = false;
    }
  });

  it('subpackages open on first navigation (loading state, own title), preloadRule, a bad one fails visibly, offline reuse', async () => {
    const page = await openHost();
    store.requests.length = 0;
    expect(await launch(page, 'wx-sub')).toMatchObject({ ok: true, source: 'network' });
    const index = await pageFrame(page, 'pages/index/index');
    await index.locator('#count').waitFor();
    const artifacts = () => store.requests.filter((p) => p.includes('/artifacts/'));
    const title = () => page.locator('#app .tessera-title').textContent();
    expect(artifacts()).toEqual([subArtifacts.get('main')]);
    expect(await title()).toBe('Sub sample');

    await page.evaluate(() => {
      const w = window as unknown as { veilShown: boolean };
      const veil = document.querySelector('#app .tessera-loading') as HTMLElement;
      w.veilShown = false;
      // a change of `hidden` whose old value is null means the veil had been visible
      new MutationObserver((records) => {
        if (!veil.hidden || records.some((r) => r.oldValue === null)) w.veilShown = true;
      }).observe(veil, { attributeFilter: ['hidden'], attributeOldValue: true });
    });
    await index.locator('#shop').click();
    const shop = await pageFrame(page, 'shop/list/list');
    await expect.poll(() => text(shop, '#cat')).toBe('category tea');
    // externalClasses: the page's WXSS for the class it passed applies inside the component
    await expect.poll(() => text(shop, '#tag-inner')).toBe('new');
    expect(await shop.locator('#tag-inner').evaluate((e) => getComputedStyle(e).color)).toBe(
      'rgb(200, 0, 0)',
    );
    expect(await page.evaluate(() => (window as unknown as { veilShown: boolean }).veilShown)).toBe(true);
    expect(await page.locator('#app .tessera-loading').isHidden()).toBe(true);
    expect(await title()).toBe('Shop');
    // preloadRule of shop/list/list: "more" is fetched once the page shows, nothing else
    await expect
      .poll(artifacts)
      .toEqual([subArtifacts.get('main'), subArtifacts.get('shop'), subArtifacts.get('more')]);

    await page.locator('#app .tessera-back').click();
    await expect.poll(title).toBe('Sub sample');
    await index.locator('#broken').click();
    await expect
      .poll(() => page.locator('#app .tessera-alert').textContent())
      .toMatch(/^subpackage "broken" cannot be opened: .*signature/i);
    await expect.poll(() => text(index, '#nav-error')).toMatch(/^navigateTo:fail subpackage "broken"/);
    // the current page keeps working
    await index.locator('#count').click();
    await expect.poll(() => text(index, '#count')).toBe('count 1');
    expect(await page.locator('#app iframe[data-route="broken/x/x"]').count()).toBe(0);

    // Offline: the relaunch opens "shop" from its cached ciphertext.
    store.offline = true;
    try {
      const page2 = await openHost();
      await page.close();
      expect(await launch(page2, 'wx-sub')).toMatchObject({ ok: true, source: 'offline' });
      const index2 = await pageFrame(page2, 'pages/index/index');
      await index2.locator('#shop').click();
      const shop2 = await pageFrame(page2, 'shop/list/list');
      await expect.poll(() => text(shop2, '#cat')).toBe('category tea');
      await page2.close();
    } finally {
      store.offline = false;
    }
  });

  it('launches straight into a subpackage page: its code and templates arrive before the first render', async () => {
    const page = await openHost();
    store.requests.length = 0;
    expect(
      await launch(page, 'wx-sub', 'app', { path: 'shop/list/list', query: { cat: 'coffee' } }),
    ).toMatchObject({ ok: true });
    const shop = await pageFrame(page, 'shop/list/list');
    await expect.poll(() => text(shop, '#cat')).toBe('category coffee');
    expect(await page.locator('#app .tessera-title').textContent()).toBe('Shop');
    // (the shop ciphertext is in this browser's cache since the test above: no second download)
    expect(store.requests.filter((p) => p === subArtifacts.get('shop'))).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { errors: unknown[] }).errors)).toEqual([]);
    await page.close();
  });

  it('HostApp branding draws the navigation bar, capsule and loading screen; the capsule menu and close act', async () => {
    const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'BR' })));
    const logo = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')}`;
    const branding = {
      primaryColor: '#c8102e',
      backgroundColor: '#102030',
      logo,
      capsule: { visible: true, style: 'light' as const },
    };
    await env.release('mp-brand', 'wx-brand', '1.0.0', pkg, pkg.bytes, {}, { branding });
    const page = await openHost();
    // The loading screen as drawn before the first render (it is gone after it).
    await page.evaluate(() => {
      const w = window as unknown as { splash?: { background: string; logo: string | null } };
      new MutationObserver(() => {
        const splash = document.querySelector('#app .tessera-splash') as HTMLElement | null;
        const img = splash?.querySelector('img');
        if (splash && img && !w.splash)
          w.splash = { background: getComputedStyle(splash).backgroundColor, logo: img.getAttribute('src') };
      }).observe(document.getElementById('app')!, { childList: true, subtree: true });
    });
    expect(await launch(page, 'wx-brand')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').waitFor();
    await expect.poll(() => page.locator('#app .tessera-splash').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { splash: unknown }).splash)).toEqual({
      background: 'rgb(16, 32, 48)',
      logo,
    });
    const style = (sel: string, prop: 'backgroundColor' | 'color') =>
      page.locator(sel).evaluate((e, p) => getComputedStyle(e)[p as 'color'], prop);
    expect(await style('#app .tessera-navbar', 'backgroundColor')).toBe('rgb(200, 16, 46)');
    expect(await style('#app .tessera-navbar', 'color')).toBe('rgb(255, 255, 255)');
    expect(await style('#app .tessera-capsule', 'color')).toBe('rgb(255, 255, 255)');

    // "more": the host menu items this mini-program may show, and only those
    await page.locator('#app .tessera-capsule-more').click();
    // the sheet comes with the UI chunk, loaded on first use
    await expect.poll(() => page.locator('#app .tessera-sheet-item').allTextContents()).toEqual(['Share']);
    await page.locator('#app .tessera-sheet-item').click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { menuTaps: unknown[] }).menuTaps))
      .toEqual([{ appId: 'wx-brand', id: 'share' }]);
    await expect.poll(() => page.locator('#app .tessera-sheet').count()).toBe(0);

    // close: the mini-program ends and the host hears of it
    await page.locator('#app .tessera-capsule-close').click();
    await expect.poll(() => page.locator('#app .tessera-app').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { closedApps: unknown[] }).closedApps)).toEqual([
      { appId: 'wx-brand' },
    ]);
    await page.close();

    // Without branding: the default chrome, with the capsule shown as WeChat does.
    const plain = await openHost();
    expect(await launch(plain, 'wx-a')).toMatchObject({ ok: true });
    await (await pageFrame(plain, 'pages/index/index')).locator('#count').waitFor();
    expect(
      await plain.locator('#app .tessera-navbar').evaluate((e) => getComputedStyle(e).backgroundColor),
    ).toBe('rgb(255, 255, 255)');
    expect(await plain.locator('#app .tessera-capsule').isVisible()).toBe(true);
    await plain.close();
  });

  it('draws the app.json tab bar; tab taps, tab bar APIs, action sheet, modal and bar colour work', async () => {
    const pkg = await env.pack(await env.compile(tabBarSource()));
    await env.release('mp-tabs', 'wx-tabs', '1.0.0', pkg, pkg.bytes, {});
    const page = await openHost();
    expect(await launch(page, 'wx-tabs')).toMatchObject({ ok: true });
    const home = await pageFrame(page, 'pages/home/home');
    const tabs = page.locator('#app .tessera-tab');
    await expect.poll(() => tabs.allTextContents()).toEqual(['Home', 'Mine']);
    expect(await tabs.nth(0).getAttribute('aria-selected')).toBe('true');
    expect(await tabs.nth(0).evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 0, 0)');
    expect(await tabs.nth(1).evaluate((e) => getComputedStyle(e).color)).toBe('rgb(153, 153, 153)');
    // the selected icon comes from the package, decoded by the host document
    await expect
      .poll(() =>
        tabs
          .nth(0)
          .locator('img')
          .evaluate((i) => (i as HTMLImageElement).naturalWidth),
      )
      .toBe(24);
    const result = () => text(home, '#result');

    await home.locator('#badge').click();
    await expect.poll(result).toBe('setTabBarBadge:ok');
    expect(await tabs.nth(1).locator('.tessera-tab-badge').textContent()).toBe('3');
    expect(await tabs.nth(1).locator('.tessera-tab-badge').isVisible()).toBe(true);
    await home.locator('#bad-index').click();
    await expect.poll(result).toBe('setTabBarBadge:fail tabBar has no item 7 (it has 2)');

    await home.locator('#sheet').click();
    await expect
      .poll(() => page.locator('#app .tessera-sheet-item').allTextContents())
      .toEqual(['first', 'second']);
    await page.locator('#app .tessera-sheet-item').nth(1).click();
    await expect.poll(result).toBe('tapIndex 1');
    await home.locator('#sheet').click();
    await page.locator('#app .tessera-sheet-cancel').click();
    await expect.poll(result).toBe('showActionSheet:fail cancel');

    await home.locator('#modal').click();
    expect(await page.locator('#app .tessera-modal-title').textContent()).toBe('Sure?');
    await page.locator('#app .tessera-modal-confirm').click();
    await expect.poll(result).toBe('confirmed');

    await home.locator('#color').click();
    await expect.poll(result).toBe('setNavigationBarColor:ok');
    expect(
      await page.locator('#app .tessera-navbar').evaluate((e) => getComputedStyle(e).backgroundColor),
    ).toBe('rgb(18, 52, 86)');
    await home.locator('#phone').click();
    await expect.poll(result).toBe('makePhoneCall:fail not supported by this host');

    // a tap switches tab and reaches the page's onTabItemTap; tapping it again calls it again
    await tabs.nth(1).click();
    const mine = await pageFrame(page, 'pages/mine/mine');
    await expect.poll(() => text(mine, '#mine')).toBe('mine 1:pages/mine/mine:Mine;');
    expect(await tabs.nth(1).getAttribute('aria-selected')).toBe('true');
    await tabs.nth(1).click();
    await expect.poll(() => text(mine, '#mine')).toBe('mine 1:pages/mine/mine:Mine;1:pages/mine/mine:Mine;');

    // on a page that is not a tab page there is no tab bar
    await tabs.nth(0).click();
    const homeAgain = await pageFrame(page, 'pages/home/home');
    await homeAgain.locator('#plain').click();
    await pageFrame(page, 'pages/plain/plain');
    await expect.poll(() => page.locator('#app .tessera-tabbar').isVisible()).toBe(false);
    await page.close();
  });

  it('downloadFile, uploadFile and sockets: within their domain lists, a downloaded image shows in the page', async () => {
    const socketUrl = api.url.replace('https://', 'wss://');
    const pkg = await env.pack(await env.compile(networkSource(api.url)));
    await env.release('mp-net', 'wx-net', '1.0.0', pkg, pkg.bytes, {
      request: [api.url],
      download: [api.url],
      upload: [api.url],
      socket: [socketUrl],
    });
    const page = await openHost();
    expect(await launch(page, 'wx-net')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/net/net');
    const result = () => text(f, '#result');

    await f.locator('#download').click();
    await expect.poll(result).toBe('downloaded 200 true');
    expect(await text(f, '#progress')).toBe('100');
    // the page shows the bytes the host holds for that temporary path
    await expect
      .poll(() => f.locator('#pic img').evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBe(40);

    await f.locator('#upload').click();
    await expect.poll(result).toBe('uploadFile:ok 200 fields=user,photo image=true');

    await f.locator('#socket').click();
    await expect.poll(result).toBe('socket echo:ping');
    await expect.poll(() => text(f, '#closed')).toBe('4000 done');

    const hits = api.hits.length;
    await f.locator('#refused').click();
    await expect
      .poll(result)
      .toBe(
        'downloadFile:fail downloadFile: https://elsewhere.example.com is not in the download domain list of this mini-program; add it to MiniProgram.spec domains',
      );
    expect(api.hits.length).toBe(hits);

    await f.locator('#type').click();
    await expect.poll(result).toMatch(/^type (wifi|ethernet|4g|3g|2g|unknown)$/);
    await page.close();
  });

  it('component instance APIs: selectComponent with export, scoped selector queries, router, pageScrollTo, onReachBottom, intersection observers', async () => {
    const pkg = await env.pack(await env.compile(instanceApiSource()));
    await env.release('mp-inst', 'wx-inst', '1.0.0', pkg, pkg.bytes);
    const page = await openHost();
    expect(await launch(page, 'wx-inst')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/list/list');
    const result = () => text(f, '#result');
    // every .cell is in view at the start (the page's three and the panel's two); #end is not
    await expect.poll(() => text(f, '#cells')).toBe('5');
    expect(await text(f, '#seen')).toBe('');

    await f.locator('#select').click();
    // two .ctr counters, the panel's export() instead of the instance, null for no match
    await expect.poll(result).toBe('2 c1 c2 panel opened panel null pages/list/list 1');
    await expect.poll(() => text(f, '#c1 .count')).toBe('1');
    expect(await text(f, '#c2 .count')).toBe('0');

    // the page's query sees every .cell, the panel's only its own two
    await f.locator('#measure').click();
    await expect.poll(result).toBe('page 5 panel 2');

    await f.locator('#bad').click();
    await expect
      .poll(result)
      .toMatch(/selector "view \.x": the descendant and child combinators are not supported/);

    await f.locator('#scroll').click();
    await expect.poll(result).toBe('pageScrollTo:ok');
    await expect.poll(() => f.evaluate(() => window.scrollY)).toBeGreaterThan(2000);
    await expect.poll(() => text(f, '#bottoms')).toBe('1 true');
    await expect.poll(() => text(f, '#seen')).toBe('end true true');

    // the component's router resolves ../../pages/sub/detail against the component's path
    await f.locator('#route').click();
    const detail = await pageFrame(page, 'pages/sub/detail');
    await expect.poll(() => text(detail, '#from')).toBe('from panel');
    await page.close();
  });

  it('pull-down refresh: a pull past the threshold or wx.startPullDownRefresh fires onPullDownRefresh; stop hides the dots', async () => {
    const page = await openHost();
    expect(await launch(page, 'wx-inst', 'app', { path: 'pages/refresh/refresh' })).toMatchObject({
      ok: true,
    });
    const f = await pageFrame(page, 'pages/refresh/refresh');
    const box = (await (await f.frameElement()).boundingBox())!;
    const indicator = () => f.locator('.tsr-refresh').evaluate((e) => (e as HTMLElement).offsetHeight);
    // a short pull springs back without refreshing
    await page.mouse.move(box.x + 100, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 100, box.y + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(indicator).toBe(0);
    expect(await text(f, '#refreshed')).toBe('refreshed 0');
    // a long one refreshes; the page's wx.stopPullDownRefresh puts it back
    await page.mouse.move(box.x + 100, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + 100, box.y + 200, { steps: 10 });
    await page.mouse.up();
    await expect.poll(() => text(f, '#refreshed')).toBe('refreshed 1');
    await expect.poll(indicator).toBe(0);

    await f.locator('#start').click();
    await expect.poll(() => text(f, '#refreshed')).toBe('refreshed 2');
    await expect.poll(indicator).toBe(0);
    await page.close();
  });

  it('swiper, rich-text, scroll-view and animations come as page-frame chunks on first use', async () => {
    const pkg = await env.pack(await env.compile(widgetsSource()));
    await env.release('mp-widgets', 'wx-widgets', '1.0.0', pkg, pkg.bytes);
    const chunkLoads: string[] = [];
    const watch = (p: Page) =>
      p.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/tessera-view-')) chunkLoads.push(path);
      });
    const plain = await openHost();
    watch(plain);
    expect(await launch(plain, 'wx-widgets')).toMatchObject({ ok: true });
    await pageFrame(plain, 'pages/plain/plain');
    await plain.close();
    expect(chunkLoads).toEqual([]);

    const page = await openHost();
    watch(page);
    expect(await launch(page, 'wx-widgets', 'app', { path: 'pages/widgets/widgets' })).toMatchObject({
      ok: true,
    });
    const f = await pageFrame(page, 'pages/widgets/widgets');
    await expect.poll(() => f.locator('#rich').innerHTML()).toBe('<b>bold</b>');
    const shift = (i: number) =>
      f
        .locator('#banner wx-swiper-item')
        .nth(i)
        .evaluate((e) => (e as HTMLElement).style.transform);
    await expect.poll(() => shift(1)).toBe('translateX(300px)');

    // a drag to the left shows the next slide
    const box = (await f.locator('#banner').boundingBox())!;
    await page.mouse.move(box.x + 250, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + 50, box.y + 50, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => text(f, '#changes')).toBe('1:touch;');
    await expect.poll(() => shift(1)).toBe('translateX(0px)');

    await f.locator('#third').click();
    await expect.poll(() => text(f, '#changes')).toBe('1:touch;2:;');
    await expect.poll(() => shift(2)).toBe('translateX(0px)');
    await expect.poll(async () => Number(await text(f, '#auto-changes'))).toBeGreaterThan(1);
    expect([...new Set(chunkLoads)].sort()).toEqual([
      '/tessera-view-rich-text.js',
      '/tessera-view-scroll-view.js',
      '/tessera-view-swiper.js',
    ]);

    // scroll-view: a pull at its top refreshes until the page sets refresher-triggered back;
    // scroll-into-view scrolls to the row, and reaching the end fires scrolltolower once
    const list = (await f.locator('#list').boundingBox())!;
    await page.mouse.move(list.x + 50, list.y + 5);
    await page.mouse.down();
    await page.mouse.move(list.x + 50, list.y + 95, { steps: 6 });
    await page.mouse.up();
    await expect.poll(() => text(f, '#scroll-log')).toBe('refresh;restore;');
    await f.locator('#into').click();
    await expect.poll(() => text(f, '#scroll-log')).toBe('refresh;restore;lower;');
    expect(await f.locator('#list').evaluate((e) => e.scrollTop)).toBeGreaterThan(400);

    // wx.createAnimation's steps play in order; transforms accumulate, styles apply
    await f.locator('#animate').click();
    const boxStyle = () =>
      f.locator('#box').evaluate((e) => {
        const st = (e as HTMLElement).style;
        return `${st.transform} | ${st.opacity} | ${st.width}`;
      });
    await expect.poll(boxStyle).toBe('translateX(100px) rotate(45deg) | 0.5 | 40px');

    // this.animate keyframes end where they end; clearAnimation takes them off
    const spin = () => f.locator('#spin').evaluate((e) => getComputedStyle(e).opacity);
    await f.locator('#keyframes').click();
    await expect.poll(() => text(f, '#animated')).toBe('done');
    expect(await spin()).toBe('0.25');
    await f.locator('#unframe').click();
    await expect.poll(() => text(f, '#animated')).toBe('cleared');
    expect(await spin()).toBe('1');
    expect(chunkLoads).toContain('/tessera-view-animation.js');
    await page.close();

    // a page-frame chunk that is not the one built with this SDK never runs: the host's fetch
    // checks its digest, and the page and the host hear why
    const tampered = await openHost({ path: '/tampered/host.html' });
    expect(await launch(tampered, 'wx-widgets', 'app', { path: 'pages/widgets/widgets' })).toMatchObject({
      ok: true,
    });
    const errors = () =>
      tampered.evaluate(() => JSON.stringify((window as unknown as { errors: unknown[] }).errors));
    await expect
      .poll(errors)
      .toMatch(
        /<rich-text> cannot work: the SDK's view-rich-text chunk did not load from .*\/tampered\/tessera-view-rich-text\.js/,
      );
    const t = await pageFrame(tampered, 'pages/widgets/widgets');
    expect(await t.locator('#rich').innerHTML()).toBe('');
    expect(
      await tampered.evaluate(() => (window as unknown as { chunkRan?: boolean }).chunkRan),
    ).toBeUndefined();
    await tampered.close();
  });

  it('chooseImage / chooseMedia through the file picker become temp files a page shows; previewImage; vibrate', async () => {
    const pkg = await env.pack(await env.compile(mediaSource()));
    await env.release('mp-media', 'wx-media', '1.0.0', pkg, pkg.bytes);
    const page = await openHost();
    expect(await launch(page, 'wx-media')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/media/media');
    const result = () => text(f, '#result');
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
      'base64',
    );
    const pick = async (button: string, files: Array<{ name: string; mimeType: string; buffer: Buffer }>) => {
      const chooser = page.waitForEvent('filechooser');
      await f.locator(button).click();
      await (await chooser).setFiles(files);
    };

    await pick('#choose', [{ name: 'dot.png', mimeType: 'image/png', buffer: png }]);
    await expect.poll(result).toBe(`1 true ${png.length}`);
    // the picked file is the page's to show, as a downloaded one is
    await expect
      .poll(() => f.locator('#picked img').evaluate((i) => (i as HTMLImageElement).naturalWidth))
      .toBe(2);

    await pick('#media', [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
    await expect.poll(result).toBe('chooseMedia:fail the chosen files are not of the asked type');

    await f.locator('#preview').click();
    await expect.poll(result).toBe('previewImage:ok');
    const preview = page.locator('#app .tessera-preview');
    await expect.poll(() => page.locator('#app .tessera-preview-index').textContent()).toBe('2/2');
    await expect
      .poll(() =>
        page.locator('#app .tessera-preview-image').evaluate((i) => (i as HTMLImageElement).naturalWidth),
      )
      .toBeGreaterThan(0);
    await preview.press('ArrowLeft');
    expect(await page.locator('#app .tessera-preview-index').textContent()).toBe('1/2');
    await preview.press('Escape');
    await expect.poll(() => preview.count()).toBe(0);

    await f.locator('#vibrate').click();
    await expect.poll(result).toBe('vibrateShort:ok');
    await page.close();
  });

  it('the UI chunk loads on first use only, and a chunk that is not the one built with the SDK is refused', async () => {
    const uiLoads = (p: Page) =>
      p.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => new URL(e.name).pathname)
          .filter((path) => path.endsWith('/tessera-ui.js')),
      );
    const plain = await openHost();
    expect(await launch(plain, 'wx-a')).toMatchObject({ ok: true });
    await pageFrame(plain, 'pages/index/index');
    expect(await uiLoads(plain)).toEqual([]);
    await plain.close();

    const pkg = await env.pack(await env.compile(tabBarSource()));
    await env.release('mp-tabs-chunk', 'wx-tabs-chunk', '1.0.0', pkg, pkg.bytes, {});
    const tabs = await openHost();
    expect(await launch(tabs, 'wx-tabs-chunk')).toMatchObject({ ok: true });
    expect(await uiLoads(tabs)).toEqual(['/tessera-ui.js']);
    await tabs.close();

    const tampered = await openHost({ path: '/tampered/host.html' });
    const r = await launch(tampered, 'wx-tabs-chunk');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ui chunk did not load from .*\/tampered\/tessera-ui\.js/);
    expect(await tampered.locator('#app .tessera-error').textContent()).toMatch(
      /^wx-tabs-chunk cannot be opened: /,
    );
    // the browser checked the digest before running any of it
    expect(
      await tampered.evaluate(() => (window as unknown as { chunkRan?: boolean }).chunkRan),
    ).toBeUndefined();
    await tampered.close();
  });

  it('the logic worker survives exceptions and unhandled rejections; App hooks and the host hear of them', async () => {
    const pkg = await env.pack(await env.compile(resilienceSource()));
    await env.release('mp-errors', 'wx-errors', '1.0.0', pkg, pkg.bytes, {});
    const page = await openHost();
    expect(await launch(page, 'wx-errors')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/index/index');
    for (const sel of ['#handler', '#timer', '#callback']) await f.locator(sel).click();
    await expect
      .poll(() => text(f, '#errors'))
      .toBe('Error: handler boom | Error: timer boom | Error: callback boom');
    await f.locator('#reject').click();
    await expect.poll(() => text(f, '#rejections')).toBe('nobody handles this');
    await f.locator('#module').click();
    await expect.poll(() => text(f, '#modules')).toBe('bad module run 1, bad module run 2');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    const hostErrors = await page.evaluate(
      () => (window as unknown as { errors: Array<{ where: string; message: string }> }).errors,
    );
    expect(hostErrors.map((e) => `${e.where}: ${e.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Error: handler boom'),
        'uncaught: Error: timer boom',
        'wx.getSystemInfo success callback: Error: callback boom',
        'unhandledrejection: Unhandled promise rejection: Error: nobody handles this',
      ]),
    );
    await page.close();
  });

  it('no code runs that was not in the signed package: blob:, data:, importScripts and workers are refused', async () => {
    const pkg = await env.pack(await env.compile(lateCodeSource()));
    await env.release('mp-late', 'wx-late', '1.0.0', pkg, pkg.bytes, {});
    const page = await openHost();
    expect(await launch(page, 'wx-late')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#try').click();
    await expect
      .poll(() => text(f, '#late'))
      .toBe(
        'refused:TypeError refused:TypeError refused:TypeError refused:TypeError pwned:undefined createObjectURL:undefined',
      );
    // the view realm has no way to mint script URLs either, and the page still works
    expect(await f.evaluate(() => typeof URL.createObjectURL)).toBe('undefined');
    await page.close();
  });

  it('privacy scopes: asked once with the declared purpose, remembered across launches, undeclared ones refused', async () => {
    const pkg = await env.pack(await env.compile(privacySource()));
    const privacyScopes = [
      { scope: 'userLocation' as const, purpose: 'Find the branch nearest to you' },
      { scope: 'clipboard' as const, purpose: 'Copy your account number' },
    ];
    await env.release('mp-privacy', 'wx-privacy', '1.0.0', pkg, pkg.bytes, {}, { privacyScopes });
    await browser.context.grantPermissions(['geolocation'], { origin: store.url });
    await browser.context.setGeolocation({ latitude: 31.2304, longitude: 121.4737 });
    const out = (f: Frame) => text(f, '#out');

    const page = await openHost();
    expect(await launch(page, 'wx-privacy')).toMatchObject({ ok: true });
    const f = await pageFrame(page, 'pages/index/index');
    // An API behind a scope asks first, in the host's chrome, with the declared purpose.
    await f.locator('#loc').click();
    const dialog = page.locator('#app .tessera-consent');
    await dialog.waitFor();
    expect(await dialog.locator('.tessera-consent-title').textContent()).toBe(
      'wx-privacy would like to use your location',
    );
    expect(await dialog.locator('.tessera-consent-purpose').textContent()).toBe(
      'Find the branch nearest to you',
    );
    await dialog.locator('.tessera-consent-allow').click();
    await expect
      .poll(() => out(f))
      .toMatch(/^loc:\{"latitude":31\.2304,"longitude":121\.4737,.*"errMsg":"getLocation:ok"\}$/);
    // asked once: wx.authorize now succeeds without a prompt
    await f.locator('#auth').click();
    await expect.poll(() => out(f)).toBe('auth:{"errMsg":"authorize:ok"}');
    expect(await page.locator('#app .tessera-consent').count()).toBe(0);
    // denied: refused now and later without asking again
    await f.locator('#clip').click();
    await page.locator('#app .tessera-consent-deny').click();
    await expect.poll(() => out(f)).toBe('clip:setClipboardData:fail auth deny');
    await f.locator('#clip').click();
    await expect.poll(() => page.locator('#app .tessera-consent').count()).toBe(0);
    await f.locator('#setting').click();
    await expect
      .poll(() => out(f))
      .toBe(
        'setting:{"authSetting":{"scope.userLocation":true,"scope.clipboard":false},"errMsg":"getSetting:ok"}',
      );
    // not declared by the MiniProgram: refused without asking
    await f.locator('#cam').click();
    await expect
      .poll(() => out(f))
      .toMatch(/^cam:authorize:fail scope scope\.camera is not declared by wx-privacy/);
    // wx.openSetting: the user turns location off again
    await f.locator('#open').click();
    await page.locator('#app .tessera-settings input[data-scope="userLocation"]').uncheck();
    await page.locator('#app .tessera-settings-done').click();
    await expect
      .poll(() => out(f))
      .toMatch(/^open:\{"authSetting":\{"scope.userLocation":false,"scope.clipboard":false\}/);
    await page.close();

    // The decisions survive a relaunch for this user; the mini-program's own storage cannot reach them.
    const again = await openHost();
    expect(await launch(again, 'wx-privacy')).toMatchObject({ ok: true });
    const g = await pageFrame(again, 'pages/index/index');
    await g.locator('#loc').click();
    await expect.poll(() => out(g)).toBe('loc:getLocation:fail auth deny');
    expect(await again.locator('#app .tessera-consent').count()).toBe(0);
    await again.close();
  });

  it('HostApp update policy from the store: background check only when due and on Wi-Fi, the update runs next launch', async () => {
    const updatePolicy = { background: true, wifiOnly: true, checkIntervalSeconds: 600 };
    const release = async (version: string, tag: string) => {
      const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag })));
      await env.release('mp-upd', 'wx-upd', version, pkg, pkg.bytes, {}, { updatePolicy });
    };
    const launches = () => store.requests.filter((p) => p === '/v1/launch').length;
    // "The store last answered `ms` earlier": moves the cached entry's last check back in time
    // (the clock itself cannot move: the store refuses requests signed with a skewed clock).
    const ageLastCheck = async (ms: number) => {
      const page = await browser.context.newPage();
      await page.goto(`${store.url}/host.html`);
      const aged = await page.evaluate(async (ms) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open('tessera-offline');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        let n = 0;
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('packages', 'readwrite');
          const cursor = tx.objectStore('packages').openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return;
            if (String(c.key).endsWith('|wx-upd')) {
              c.update({ ...c.value, cachedAt: c.value.cachedAt - ms });
              n++;
            }
            c.continue();
          };
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return n;
      }, ms);
      await page.close();
      expect(aged).toBe(1);
    };
    const run = async (o: Parameters<typeof openHost>[0] = {}) => {
      // no launch policy in the host's config: the HostApp's update policy decides (cache-first)
      const page = await openHost(o);
      const r = await page.evaluate(async () => {
        const w = window as unknown as {
          tessera: {
            launch(
              id: string,
              o: unknown,
            ): Promise<{ version: string; source: string; update?: Promise<string | undefined> }>;
          };
        };
        const app = await w.tessera.launch('wx-upd', { container: document.getElementById('app') });
        return { version: app.version, source: app.source, updated: (await app.update) ?? null };
      });
      const f = await pageFrame(page, 'pages/index/index');
      await f.locator('#count').waitFor();
      await page.close();
      return r;
    };
    await release('1.0.0', 'U1');
    expect(await run()).toEqual({ version: '1.0.0', source: 'network', updated: null });
    await release('1.1.0', 'U2');
    store.requests.length = 0;
    // checked a moment ago: the cached version runs and the store is not asked
    expect(await run()).toEqual({ version: '1.0.0', source: 'cache', updated: null });
    // the interval has passed, but on a cellular connection a Wi-Fi-only policy waits
    await ageLastCheck(601_000);
    expect(await run({ connection: 'cellular' })).toEqual({
      version: '1.0.0',
      source: 'cache',
      updated: null,
    });
    expect(launches()).toBe(0);
    // on Wi-Fi the check runs in the background while 1.0.0 keeps running
    expect(await run({ connection: 'wifi' })).toEqual({
      version: '1.0.0',
      source: 'cache',
      updated: '1.1.0',
    });
    expect(launches()).toBe(1);
    // the next launch runs the update from the cache
    expect(await run()).toEqual({ version: '1.1.0', source: 'cache', updated: null });
    expect(launches()).toBe(1);
    // due again: the store answers "cached" (1.1.0 is the version held), so the check downloads
    // nothing and only records the answer: the next launch does not ask again
    await ageLastCheck(601_000);
    store.requests.length = 0;
    const downloads = () => store.requests.filter((p) => p.includes('/artifacts/'));
    expect(await run({ connection: 'wifi' })).toEqual({
      version: '1.1.0',
      source: 'cache',
      updated: '1.1.0',
    });
    expect([launches(), downloads()]).toEqual([1, []]);
    expect(await run({ connection: 'wifi' })).toEqual({ version: '1.1.0', source: 'cache', updated: null });
    expect([launches(), downloads()]).toEqual([1, []]);
  });

  it('network-first relaunch of the version held downloads nothing; a re-release or a tampered copy does not slip through', async () => {
    const release = async (tag: string) => {
      const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag })));
      await env.release('mp-held', 'wx-held', '1.0.0', pkg, pkg.bytes);
      return pkg;
    };
    const artifacts = () => store.requests.filter((p) => p.includes('/artifacts/'));
    const relaunch = async () => {
      const page = await openHost();
      const r = await launch(page, 'wx-held');
      return { page, r };
    };
    await release('H1');
    const first = await relaunch();
    expect(first.r).toMatchObject({ ok: true, source: 'network', version: '1.0.0' });
    await first.page.close();

    store.requests.length = 0;
    const held = await relaunch();
    // the store was asked (and answered "cached"), the package came from the cache, verified
    expect(held.r).toMatchObject({ ok: true, source: 'cache', version: '1.0.0' });
    expect(store.requests.filter((p) => p === '/v1/launch')).toHaveLength(1);
    expect(artifacts()).toEqual([]);
    const f = await pageFrame(held.page, 'pages/index/index');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    await held.page.close();

    // the same version string re-released with other content: downloaded, not taken from the cache
    const rereleased = await release('H2');
    store.requests.length = 0;
    const fresh = await relaunch();
    expect(fresh.r).toMatchObject({ ok: true, source: 'network', version: '1.0.0' });
    expect(artifacts()).toEqual([`/v1/tenants/sdk/artifacts/${rereleased.digests.ciphertext}`]);
    await fresh.page.close();

    // one bit of the cached entry page script flipped: the store still answers "cached", and the
    // cached copy is checked like an offline one, so it refuses to run
    const parts = decodeContainer(rereleased.bytes);
    const entry = parseIndex(parts.indexBytes).files.find((x) => x.path === 'pages/index/index.js')!;
    const offset = parts.data.byteOffset - rereleased.bytes.byteOffset + entry.offset + entry.length - 20;
    const probe = await browser.context.newPage();
    await probe.goto(`${store.url}/host.html`);
    expect(
      await probe.evaluate(async (offset) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const r = indexedDB.open('tessera-offline');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        let n = 0;
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('packages', 'readwrite');
          const cursor = tx.objectStore('packages').openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return;
            if (String(c.key).endsWith('|wx-held')) {
              const bytes = new Uint8Array(c.value.bytes);
              bytes[offset]! ^= 0x01;
              c.update({ ...c.value, bytes });
              n++;
            }
            c.continue();
          };
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return n;
      }, offset),
    ).toBe(1);
    await probe.close();
    store.requests.length = 0;
    const tampered = await relaunch();
    expect(tampered.r.ok).toBe(false);
    expect(tampered.r.error).toMatch(/pages\/index\/index\.js/);
    expect(await tampered.page.locator('#app .tessera-error').textContent()).toMatch(
      /^wx-held cannot be opened: /,
    );
    expect(store.requests.filter((p) => p === '/v1/launch')).toHaveLength(1);
    expect(artifacts()).toEqual([]);
    await tampered.page.close();
  });

  it('negotiates X25519 in Chromium: the launch sends an X25519 key, the real store wraps for it, the cache keeps it', async () => {
    const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'X' })));
    await env.release('mp-x', 'wx-x25519', '1.0.0', pkg, pkg.bytes, { request: [api.url] });
    const page = await openHost();
    store.launchKeys.length = 0;
    expect(await launch(page, 'wx-x25519')).toMatchObject({ ok: true, source: 'network', version: '1.0.0' });
    expect(store.launchKeys).toHaveLength(1);
    const sent = store.launchKeys[0]!;
    expect(sent.deviceKeyCurve).toBe('X25519');
    expect(Buffer.from(sent.devicePublicKey as string, 'base64')).toHaveLength(32);
    // the data key the store wrapped for that X25519 key opened the package: it runs
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    await expect
      .poll(() => cachedDeviceKey(page, 'wx-x25519'))
      .toEqual({ deviceKeyCurve: 'X25519', algorithm: 'X25519', extractable: false });
    await page.close();
  });

  it('an engine without WebCrypto X25519 falls back to P-256; a P-256 key cached before X25519 still opens', async () => {
    const pkg = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'P' })));
    await env.release('mp-p', 'wx-p256', '1.0.0', pkg, pkg.bytes, { request: [api.url] });
    const old = await openHost({ withoutX25519: true });
    store.launchKeys.length = 0;
    expect(await launch(old, 'wx-p256')).toMatchObject({ ok: true, source: 'network' });
    const sent = store.launchKeys[0]!;
    expect(sent.deviceKeyCurve).toBeUndefined();
    expect(Buffer.from(sent.devicePublicKey as string, 'base64')).toHaveLength(65);
    await expect
      .poll(() => cachedDeviceKey(old, 'wx-p256'))
      .toEqual({ deviceKeyCurve: 'P-256', algorithm: 'ECDH', extractable: false });
    // make the entry what an SDK before X25519 wrote: no deviceKeyCurve
    await old.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const r = indexedDB.open('tessera-offline');
          r.onsuccess = () => {
            const os = r.result.transaction('packages', 'readwrite').objectStore('packages');
            const cursor = os.openCursor();
            cursor.onsuccess = () => {
              const c = cursor.result;
              if (!c) return resolve();
              const e = c.value as { appId?: string; deviceKeyCurve?: string };
              if (e.appId === 'wx-p256') {
                delete e.deviceKeyCurve;
                c.update(e);
              }
              c.continue();
            };
            cursor.onerror = () => reject(cursor.error);
          };
        }),
    );
    await old.close();
    expect(await cachedDeviceKeyCurve('wx-p256')).toBeNull();
    // a current engine (X25519) opens the legacy P-256 entry offline, and relaunches it from the
    // cache online (the store answers cached: no key wrapped) while sending an X25519 key
    const page = await openHost();
    store.offline = true;
    try {
      expect(await launch(page, 'wx-p256')).toMatchObject({ ok: true, source: 'offline', version: '1.0.0' });
    } finally {
      store.offline = false;
    }
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    await page.close();
    const online = await openHost();
    store.launchKeys.length = 0;
    expect(await launch(online, 'wx-p256')).toMatchObject({ ok: true, source: 'cache', version: '1.0.0' });
    expect(store.launchKeys[0]?.deviceKeyCurve).toBe('X25519');
    await online.close();
  });

  // Last: it releases a new version of wx-a.
  it('cache-first: runs the cached version at once and updates it in the background; wx.getUpdateManager hears it', async () => {
    const first = await openHost();
    expect(await launch(first, 'wx-a')).toMatchObject({ ok: true, version: '1.0.0' });
    // a launch that asked the store runs its newest version
    const shown = await pageFrame(first, 'pages/index/index');
    await shown.locator('#show-updates').click();
    await expect.poll(() => text(shown, '#updates')).toBe('check:false');
    await first.close();
    const next = await env.pack(await env.compile(sampleSource({ api: api.url, evil: evil.url, tag: 'A' })));
    await env.release('mp-a', 'wx-a', '1.1.0', next, next.bytes, { request: [api.url] });

    const page = await openHost({ policy: 'cache-first' });
    const r = await page.evaluate(async () => {
      const w = window as unknown as {
        tessera: {
          launch(
            id: string,
            o: unknown,
          ): Promise<{ version: string; source: string; update?: Promise<string> }>;
        };
      };
      const app = await w.tessera.launch('wx-a', { container: document.getElementById('app') });
      return { version: app.version, source: app.source, updated: await app.update };
    });
    expect(r).toEqual({ version: '1.0.0', source: 'cache', updated: '1.1.0' });
    const f = await pageFrame(page, 'pages/index/index');
    await f.locator('#count').click();
    await expect.poll(() => text(f, '#count')).toBe('count 1');
    await f.locator('#show-updates').click();
    await expect.poll(() => text(f, '#updates')).toBe('check:true,ready');
    await page.close();

    const again = await openHost({ policy: 'cache-first' });
    expect(await launch(again, 'wx-a')).toMatchObject({ ok: true, source: 'cache', version: '1.1.0' });
    await again.close();
  });
});
