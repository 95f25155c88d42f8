// SDK benchmarks in real headless Chromium against the real store over loopback
// (@tessera/store on PostgreSQL and Redis, e2e/test/sdk/real-env.ts, behind the same-origin
// loopback ingress) with a real compiled, encrypted, signed 20-page sample. Needs the harness
// control plane: TESSERA_KUBECONFIG, or one is started here. Each figure has a baseline
// measured in the same run. Bounded: fixed iteration counts, loopback only, stops by itself.
import { loadavg as osLoadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { type Cluster, startCluster } from '@tessera/e2e/harness';
import { build } from 'esbuild';
import type { Frame, Page } from 'playwright-core';
import { buildAll } from '../../runtime-sdk/scripts/build.ts';
import { launchBrowser } from '../src/infra/browser.ts';
import { startRealEnv } from '../test/sdk/real-env.ts';
import { sampleSource } from '../test/sdk/sample-app.ts';

const COLD_RUNS = 9;
const ROUND_TRIPS = 15;
const PAGES_FOR_MEMORY = 6;

const loadavg = () =>
  osLoadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f1 = (x: number) => x.toFixed(1);

let cluster: Cluster | undefined;
const deadline = setTimeout(() => {
  console.error('benchmark exceeded 12 minutes; aborting');
  void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(2));
}, 720_000);
if (!process.env.TESSERA_KUBECONFIG) {
  cluster = await startCluster();
  process.env.TESSERA_KUBECONFIG = cluster.kubeconfigPath;
}
const built = await buildAll();
const [browser, env] = await Promise.all([launchBrowser({ ignoreHttpsErrors: true }), startRealEnv()]);
const store = env.ingress;
const api = env.api;

try {
  const source = sampleSource({
    api: api.url,
    evil: env.evil.url,
    tag: 'bench',
    pages: 20,
    bigList: 1000,
  });
  const app = await env.pack(await env.compile(source));
  await env.release('mp-bench', 'wx-bench', '1.0.0', app, app.bytes, { request: [api.url] });
  const renderBundle = await build({
    entryPoints: [new URL('../../runtime-sdk/bench/render-cases.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    globalName: 'RenderBench',
    write: false,
    minify: true,
    logLevel: 'error',
  });
  store.pages.set('/sdk.js', { type: 'text/javascript', body: built.files['tessera-web.iife.js']! });
  store.pages.set('/render-bench.js', { type: 'text/javascript', body: renderBundle.outputFiles[0]!.text });
  store.pages.set('/host.html', {
    type: 'text/html',
    body: '<!doctype html><meta charset="utf-8"><body style="margin:0"><div id="app" style="width:375px;height:667px"></div><script src="/sdk.js"></script><script src="/render-bench.js"></script>',
  });

  console.log(`sample: 20 pages + 1,000-row page, package ${f1(app.bytes.length / 1024)} KB ciphertext`);
  const sdkGzip = gzipSync(built.files['tessera-web.js']!, { level: 9 }).length;
  console.log(
    `SDK web entry (core + web + both realms): ${f1(sdkGzip / 1024)} KB gzip (${sdkGzip} B; target ≤ ${40 * 1024} B)`,
  );

  const newHost = async (offline = false, prewarm = true): Promise<Page> => {
    const page = await browser.context.newPage();
    await page.goto(`${store.url}/host.html`);
    await page.evaluate(
      async ({ sdkKey, sdkSecret, key, offline, prewarm }) => {
        const w = window as unknown as Record<string, unknown> & {
          Tessera: { createTessera(c: unknown): unknown };
        };
        w.tessera = w.Tessera.createTessera({
          storeUrl: location.origin,
          credentials: { sdkKey, sdkSecret },
          publicKeys: [key],
          userId: 'bench',
          offline: offline ? undefined : false,
          prewarm,
        });
        await (w.tessera as { ready(): Promise<void> }).ready();
      },
      {
        sdkKey: env.tenant.sdkKey,
        sdkSecret: env.tenant.sdkSecret,
        key: env.tenant.signing.publicKeySpki,
        offline,
        prewarm,
      },
    );
    return page;
  };
  const frameOf = async (page: Page, route: string): Promise<Frame> => {
    const h = await page.waitForSelector(`iframe[data-route="${route}"]`, { state: 'attached' });
    const f = (await h.contentFrame())!;
    await f.waitForSelector('wx-page', { state: 'attached' });
    return f;
  };

  // ---- cold start: launch() → first page rendered --------------------------------------
  const coldStart = async (label: string, o: { prewarm: boolean; preload?: boolean; offline?: boolean }) => {
    const { prewarm } = o;
    const phases: Record<string, number[]> = {
      setup: [],
      resolve: [],
      download: [],
      verify: [],
      logicBoot: [],
      firstRender: [],
      total: [],
    };
    const baseline: number[] = [];
    const staticPage: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const page = await newHost(o.offline === true, prewarm);
      const t = await page.evaluate(async (preload) => {
        const w = window as unknown as {
          tessera: {
            launch(id: string, o: unknown): Promise<{ timings: Record<string, number> }>;
            preload(id: string): Promise<unknown>;
          };
        };
        if (preload) await w.tessera.preload('wx-bench');
        const app = await w.tessera.launch('wx-bench', { container: document.getElementById('app') });
        while (app.timings.total === undefined) await new Promise((r) => setTimeout(r, 1));
        return app.timings;
      }, o.preload === true);
      for (const k of Object.keys(phases)) phases[k]!.push(t[k] ?? 0);
      // Baseline: the platform floor — a sandboxed srcdoc frame that starts a blob worker and
      // gets one message back (no SDK, no crypto, no rendering).
      baseline.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              const f = document.createElement('iframe');
              f.setAttribute('sandbox', 'allow-scripts');
              f.srcdoc = `<script>var w=new Worker(URL.createObjectURL(new Blob(['postMessage(1)'])));w.onmessage=function(){parent.postMessage('up','*')}</script>`;
              addEventListener('message', function m(e) {
                if (e.data === 'up') {
                  removeEventListener('message', m);
                  resolve(performance.now() - t0);
                }
              });
              document.body.appendChild(f);
            }),
        ),
      );
      staticPage.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const t0 = performance.now();
              const f = document.createElement('iframe');
              f.style.cssText = 'width:375px;height:667px;border:0';
              f.onload = () => requestAnimationFrame(() => resolve(performance.now() - t0));
              f.src = `/static-entry.html?${Math.random()}`;
              document.body.appendChild(f);
            }),
        ),
      );
      await page.close();
    }
    console.log(
      `cold start, 20-page sample, launch() → first page rendered, ${label} (median of ${COLD_RUNS}, ms; load average ${loadavg()}):`,
    );
    for (const [k, v] of Object.entries(phases))
      console.log(`  ${k.padEnd(12)} ${f1(median(v)).padStart(7)}`);
    console.log(`  baseline: empty sandboxed frame + worker round trip ${f1(median(baseline))} ms`);
    console.log(
      `  baseline: the same entry page as plain static HTML, loaded into a frame ${f1(median(staticPage))} ms`,
    );
  };
  // The static-page baseline: the entry page exactly as the SDK rendered it (markup and
  // styles, no scripts), served by the same loopback ingress. This first launch also warms the
  // store (connection pools, caches) the way a running production store is warm.
  {
    const page = await newHost();
    await page.evaluate(() =>
      (window as unknown as { tessera: { launch(id: string, o: unknown): Promise<unknown> } }).tessera.launch(
        'wx-bench',
        { container: document.getElementById('app') },
      ),
    );
    const h = await page.waitForSelector('iframe[data-route]', { state: 'attached' });
    const f = (await h.contentFrame())!;
    await f.waitForSelector('wx-page', { state: 'attached' });
    const html = await f.evaluate(() => {
      const styles = [...document.querySelectorAll('style')].map((s) => s.textContent).join('\n');
      const body = document.body.cloneNode(true) as HTMLElement;
      for (const s of body.querySelectorAll('script')) s.remove();
      return `<!doctype html><html><head><meta charset="utf-8"><style>${styles}</style></head><body>${body.innerHTML}</body></html>`;
    });
    store.pages.set('/static-entry.html', { type: 'text/html; charset=utf-8', body: html });
    await page.close();
  }
  await coldStart('nothing pre-warmed (prewarm: false), no offline cache', { prewarm: false });
  await coldStart('logic realm pre-warmed (default), no offline cache', { prewarm: true });
  await coldStart('logic realm pre-warmed, IndexedDB offline cache on (defaults)', {
    prewarm: true,
    offline: true,
  });
  await coldStart('sdk.preload(appId) before launch() + logic realm pre-warmed', {
    prewarm: true,
    preload: true,
  });

  // ---- setData round trip: tap → logic → setData → view patched ---------------------
  {
    const page = await newHost();
    await page.evaluate(() =>
      (window as unknown as { tessera: { launch(id: string, o: unknown): Promise<unknown> } }).tessera.launch(
        'wx-bench',
        {
          container: document.getElementById('app'),
          path: 'pages/big/big',
        },
      ),
    );
    const f = await frameOf(page, 'pages/big/big');
    await f.waitForSelector('.row');
    const roundTrip = (button: string) =>
      f.evaluate(
        (sel) =>
          new Promise<number>((resolve) => {
            const list = document.querySelector('.list')!;
            const t0 = performance.now();
            const mo = new MutationObserver(() => {
              mo.disconnect();
              resolve(performance.now() - t0);
            });
            mo.observe(list, { childList: true, subtree: true, characterData: true });
            (document.querySelector(sel) as HTMLElement).click();
          }),
        button,
      );
    const all: number[] = [];
    const one: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      all.push(await roundTrip('#all'));
      one.push(await roundTrip('#one'));
    }
    console.log(
      `setData round trip, tap → DOM patched (median of ${ROUND_TRIPS}, ms; load average ${loadavg()}):`,
    );
    console.log(`  1,000-row list replaced (reverse)  ${f1(median(all))}`);
    console.log(`  baseline: one row by path list[500].label  ${f1(median(one))}`);
    await page.close();
  }

  // ---- renderer alone in Chromium --------------------------------------------------------
  {
    const page = await newHost();
    const results = await page.evaluate(() => {
      const rb = (
        window as unknown as {
          RenderBench: {
            runRenderCases(d: Document, n: () => number, i: number): unknown;
            formatCases(r: unknown, w: string): string;
          };
        }
      ).RenderBench;
      return rb.formatCases(
        rb.runRenderCases(document, () => performance.now(), 9),
        'Chromium',
      );
    });
    console.log(results);
    await page.close();
  }

  // ---- memory per open page -------------------------------------------------------------
  {
    const page = await newHost();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const m = (await cdp.send('Performance.getMetrics')) as {
        metrics: Array<{ name: string; value: number }>;
      };
      const get = (n: string) => m.metrics.find((x) => x.name === n)?.value ?? 0;
      return { heap: get('JSHeapUsedSize'), nodes: get('Nodes') };
    };
    await page.evaluate(() =>
      (window as unknown as { tessera: { launch(id: string, o: unknown): Promise<unknown> } }).tessera.launch(
        'wx-bench',
        {
          container: document.getElementById('app'),
          path: 'pages/p1/p1',
        },
      ),
    );
    let f = await frameOf(page, 'pages/p1/p1');
    await f.waitForSelector('.row');
    const before = await heap();
    for (let i = 2; i <= PAGES_FOR_MEMORY; i++) {
      await f.locator('#next').click();
      f = await frameOf(page, `pages/p${i}/p${i}`);
      await f.waitForSelector('.row');
    }
    const after = await heap();
    const n = PAGES_FOR_MEMORY - 1;
    // Baseline: the same number of bare sandboxed srcdoc frames.
    const base0 = await heap();
    await page.evaluate(async (count) => {
      for (let i = 0; i < count; i++) {
        const fr = document.createElement('iframe');
        fr.setAttribute('sandbox', 'allow-scripts');
        fr.srcdoc = '<p>x</p>';
        const loaded = new Promise((r) => fr.addEventListener('load', r, { once: true }));
        document.body.appendChild(fr);
        await loaded;
      }
    }, n);
    const base1 = await heap();
    console.log(
      `memory per open page (${n} pages opened by navigateTo, after GC; host-process JS heap; load average ${loadavg()}):`,
    );
    console.log(
      `  tessera page  ${f1((after.heap - before.heap) / n / 1024)} KB JS heap, ${f1((after.nodes - before.nodes) / n)} DOM nodes`,
    );
    console.log(
      `  baseline: bare sandboxed frame  ${f1((base1.heap - base0.heap) / n / 1024)} KB JS heap, ${f1((base1.nodes - base0.nodes) / n)} DOM nodes`,
    );
    await page.close();
  }
} finally {
  clearTimeout(deadline);
  await browser.close();
  await env.close();
  await cluster?.stop();
}
