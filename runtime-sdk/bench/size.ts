// SDK size per platform entry, bundled by esbuild, minified by terser (as scripts/build.ts ships
// it) and gzip -9, with what each contains.
// What counts toward the 45 KB target is tessera-web.js as shipped: the web host code (core +
// web) with both realm bundles embedded, i.e. every byte a host downloads before the first
// launch of an app that uses none of the chunks. The parts are listed below it, then each chunk
// that loads on first use; the baseline is the same web host code unminified.
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { browserPlugins, buildAll, minifyBundle } from '../scripts/build.ts';

const TARGET_GZIP = 45 * 1024;
const kb = (n: number) => (n / 1024).toFixed(1).padStart(6);
const gz = (text: string) => gzipSync(text, { level: 9 }).length;
const src = (p: string) => new URL(`../src/${p}`, import.meta.url).pathname;

async function bundle(
  entry: string,
  options: { minify: boolean; platform: 'browser' | 'node'; plugins?: Plugin[] },
) {
  const r = await build({
    plugins: options.plugins ?? (options.platform === 'browser' ? browserPlugins : []),
    entryPoints: [src(entry)],
    bundle: true,
    // module sizes below are as esbuild minifies them; the totals are terser's, as shipped
    minify: options.minify,
    format: 'esm',
    target: 'es2022',
    platform: options.platform,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'error',
    // esbuild itself: the Node host bundles its realm with it at run time, it is not shipped
    external: ['esbuild'],
    // host code only: the realm bundles are reported on their own
    define: { __TESSERA_WORKER_SOURCE__: '""', __TESSERA_VIEW_SOURCE__: '""' },
  });
  const esbuilt = r.outputFiles[0]!.text;
  const text = options.minify ? await minifyBundle(esbuilt, true) : esbuilt;
  return { text, inputs: Object.values(r.metafile.outputs)[0]!.inputs };
}

/** The browser build without zod-lite: the schemas parsed by zod/mini itself. */
const onZodMini = browserPlugins.filter((p) => p.name !== 'browser-schemas');

type Inputs = Metafile['outputs'][string]['inputs'];

function largest(inputs: Inputs, n: number): string[] {
  return Object.entries(inputs)
    .map(([path, i]) => ({ path: path.replace(/^.*node_modules\//, ''), bytes: i.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, n)
    .map((m) => `      ${kb(m.bytes)} KB min  ${m.path.replace(/^src\//, 'runtime-sdk/src/')}`);
}

const bytesOf = (inputs: Inputs, test: (path: string) => boolean) =>
  Object.entries(inputs)
    .filter(([p]) => test(p))
    .reduce((s, [, i]) => s + i.bytesInOutput, 0);

export async function sizeReport(): Promise<string> {
  const { sizes } = await buildAll();
  const size = (file: string) => sizes.find((s) => s.file === file)!;
  const lines = ['SDK size (esbuild bundle, terser-minified; gzip -9):'];
  const row = (label: string, bytes: number, gzip: number, note = '') =>
    lines.push(`  ${label.padEnd(50)} ${kb(bytes)} KB min ${kb(gzip)} KB gzip${note}`);
  const web = size('tessera-web.js');
  const verdict =
    web.gzip <= TARGET_GZIP ? 'within' : `OVER by ${((web.gzip - TARGET_GZIP) / 1024).toFixed(1)} KB`;
  row(
    'web entry as shipped (tessera-web.js, ESM)',
    web.bytes,
    web.gzip,
    `   ← counts: target ≤ 45 KB gzip, ${verdict}`,
  );
  row(
    '  same as a classic script (tessera-web.iife.js)',
    size('tessera-web.iife.js').bytes,
    size('tessera-web.iife.js').gzip,
  );
  const host = await bundle('web/index.ts', { minify: true, platform: 'browser' });
  row('  part: web host code (core + web)', host.text.length, gz(host.text));
  const liteBytes = bytesOf(host.inputs, (p) => p.endsWith('protocol/zod-lite.ts'));
  const ownBytes = bytesOf(host.inputs, (p) => p.startsWith('src/'));
  lines.push(
    `      of which zod-lite ${kb(liteBytes)} KB min, all SDK code ${kb(ownBytes)} KB min; largest modules:`,
  );
  lines.push(...largest(host.inputs, 8));
  const worker = size('tessera-worker.js');
  const view = size('tessera-view.js');
  row('  part: logic realm, embedded (tessera-worker.js)', worker.bytes, worker.gzip);
  row('  part: page view realm, embedded (tessera-view.js)', view.bytes, view.gzip);
  lines.push('  chunks, each loaded on first use and checked against its digest in the entry:');
  const ui = size('tessera-ui.js');
  row('  tab bar, action sheets, dialogs (tessera-ui.js)', ui.bytes, ui.gzip);
  const transfers = size('tessera-transfers.js');
  row('  downloadFile, uploadFile, sockets (tessera-transfers.js)', transfers.bytes, transfers.gzip);
  const consent = size('tessera-consent.js');
  row('  privacy scope flows (tessera-consent.js)', consent.bytes, consent.gzip);
  const pageApis = size('tessera-page-apis.js');
  row('  APIs of the page view and host UI (tessera-page-apis.js)', pageApis.bytes, pageApis.gzip);
  lines.push('  page-frame chunks, fetched by the host with the same pin, run in the frame that needs them:');
  for (const [file, what] of [
    ['tessera-view-swiper.js', 'swiper'],
    ['tessera-view-rich-text.js', 'rich-text and its sanitizer'],
    ['tessera-view-scroll-view.js', 'scroll-view (events, scroll-into-view, refresher)'],
    ['tessera-view-pull.js', 'pull-down refresh'],
    ['tessera-view-intersection.js', 'intersection observers'],
    ['tessera-view-animation.js', 'the animation attribute (wx.createAnimation)'],
  ] as const)
    row(`  ${what} (${file})`, size(file).bytes, size(file).gzip);
  lines.push('  other entries (not loaded by a web host):');
  // as a bundler builds the package's core entry: on zod/mini itself
  const core = await bundle('core/index.ts', { minify: true, platform: 'browser', plugins: onZodMini });
  row('  core alone (@tessera/runtime-sdk/core)', core.text.length, gz(core.text));
  const node = await bundle('node/index.ts', { minify: true, platform: 'node' });
  row(
    '  node entry (core + node host + view)',
    node.text.length,
    gz(node.text),
    '   (its realm is built at run time)',
  );
  const onZod = await bundle('web/index.ts', { minify: true, platform: 'browser', plugins: onZodMini });
  row('baseline: web host code on zod/mini, not zod-lite', onZod.text.length, gz(onZod.text));
  const raw = await bundle('web/index.ts', { minify: false, platform: 'browser' });
  row('baseline: web host code unminified', raw.text.length, gz(raw.text));
  return lines.join('\n');
}
