// sdk.preload(appId) in Chromium against the real store: the launch that follows runs the
// package preload verified, without asking the store again, and reports no resolve, download
// or verify time of its own; a preload that fails is not reused.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../../runtime-sdk/scripts/build.ts';
import { launchBrowser, type TestBrowser } from '../../src/infra/browser.ts';
import { type RealEnv, startRealEnv } from './real-env.ts';
import { sampleSource } from './sample-app.ts';

let browser: TestBrowser;
let env: RealEnv;

beforeAll(async () => {
  const [built, b, e] = await Promise.all([
    buildAll(),
    launchBrowser({ ignoreHttpsErrors: true }),
    startRealEnv(),
  ]);
  browser = b;
  env = e;
  env.ingress.pages.set('/host.html', {
    type: 'text/html; charset=utf-8',
    body: '<!doctype html><meta charset="utf-8"><body><div id="app" style="width:375px;height:600px"></div><script src="/sdk.js"></script>',
  });
  env.ingress.pages.set('/sdk.js', { type: 'text/javascript', body: built.files['tessera-web.iife.js']! });
  for (const chunk of built.chunkFiles)
    env.ingress.pages.set(`/${chunk}`, { type: 'text/javascript', body: built.files[chunk]! });
  const pkg = await env.pack(
    await env.compile(sampleSource({ api: env.api.url, evil: env.evil.url, tag: 'P' })),
  );
  await env.release('mp-pre', 'wx-pre', '1.0.0', pkg, pkg.bytes, { request: [env.api.url] });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function host(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${env.ingress.url}/host.html`);
  await page.evaluate(
    ({ sdkKey, sdkSecret, key }) => {
      const w = window as unknown as Record<string, unknown> & {
        Tessera: { createTessera(c: unknown): unknown };
      };
      w.tessera = w.Tessera.createTessera({
        storeUrl: location.origin,
        credentials: { sdkKey, sdkSecret },
        publicKeys: [key],
        userId: 'user-pre',
        offline: false,
      });
    },
    { sdkKey: env.tenant.sdkKey, sdkSecret: env.tenant.sdkSecret, key: env.tenant.signing.publicKeySpki },
  );
  return page;
}

type Sdk = {
  preload(id: string): Promise<{ version: string }>;
  launch(id: string, o: unknown): Promise<{ version: string; timings: Record<string, number> }>;
};

const launches = () => env.ingress.requests.filter((p) => p === '/v1/launch').length;

describe('sdk.preload(appId)', () => {
  it('the next launch runs the preloaded, verified package without asking the store again', async () => {
    const page = await host();
    const before = launches();
    const version = await page.evaluate(() =>
      (window as unknown as { tessera: Sdk }).tessera.preload('wx-pre').then((r) => r.version),
    );
    expect(version).toBe('1.0.0');
    expect(launches()).toBe(before + 1);
    const timings = await page.evaluate(async () => {
      const app = await (window as unknown as { tessera: Sdk }).tessera.launch('wx-pre', {
        container: document.getElementById('app'),
      });
      while (app.timings.total === undefined) await new Promise((r) => setTimeout(r, 5));
      return app.timings;
    });
    expect(launches()).toBe(before + 1);
    expect(timings).toMatchObject({ download: 0, verify: 0 });
    const frame = await (
      await page.waitForSelector('#app iframe[data-route]', { state: 'attached' })
    ).contentFrame();
    await frame!.waitForSelector('wx-page', { state: 'attached' });
    // Used once: a second launch resolves with the store again.
    await page.evaluate(() =>
      (window as unknown as { tessera: Sdk }).tessera.launch('wx-pre', {
        container: document.getElementById('app'),
      }),
    );
    expect(launches()).toBe(before + 2);
    await page.close();
  });

  it('a failed preload is not reused: the launch asks the store and reports its error', async () => {
    const page = await host();
    env.ingress.offline = true;
    try {
      const failed = await page.evaluate(() =>
        (window as unknown as { tessera: Sdk }).tessera.preload('wx-pre').then(
          () => 'resolved',
          (e: unknown) => String(e),
        ),
      );
      expect(failed).not.toBe('resolved');
    } finally {
      env.ingress.offline = false;
    }
    const before = launches();
    const version = await page.evaluate(() =>
      (window as unknown as { tessera: Sdk }).tessera
        .launch('wx-pre', { container: document.getElementById('app') })
        .then((a) => a.version),
    );
    expect(version).toBe('1.0.0');
    expect(launches()).toBe(before + 1);
    await page.close();
  });

  it('the pre-warmed page frame becomes the entry page: moved into the launch, not reloaded', async () => {
    const page = await host();
    const result = await page.evaluate(async () => {
      const w = window as unknown as { tessera: Sdk & { ready(): Promise<void> } };
      await w.tessera.ready();
      const warm = document.querySelector<HTMLIFrameElement>(
        '.tessera-realms iframe[title="mini-program page"]',
      );
      let loads = 0;
      warm?.addEventListener('load', () => loads++);
      const app = await w.tessera.launch('wx-pre', { container: document.getElementById('app') });
      while (app.timings.total === undefined) await new Promise((r) => setTimeout(r, 5));
      const entry = document.querySelector('#app iframe[data-route]');
      // after the first render (a timer later) the next launch's page frame is warmed again
      const warmed = () => document.querySelector('.tessera-realms iframe[title="mini-program page"]');
      for (let i = 0; i < 400 && !warmed(); i++) await new Promise((r) => setTimeout(r, 5));
      await w.tessera.ready();
      const next = warmed();
      return {
        warmed: warm !== null,
        moved: entry === warm,
        sandbox: entry?.getAttribute('sandbox'),
        loads,
        rewarmed: next !== null && next !== warm,
      };
    });
    expect(result).toEqual({ warmed: true, moved: true, sandbox: 'allow-scripts', loads: 0, rewarmed: true });
    const frame = await (
      await page.waitForSelector('#app iframe[data-route]', { state: 'attached' })
    ).contentFrame();
    await frame!.waitForSelector('wx-page', { state: 'attached' });
    await page.close();
  });
});
