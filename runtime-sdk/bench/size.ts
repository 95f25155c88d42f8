// SDK size per platform entry, minified and gzip. Also splits the web entry into the SDK's own
// code and the zod schemas it shares with the store and compiler; the baseline is the same
// code unminified.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildAll } from '../scripts/build.ts';

const kb = (n: number) => (n / 1024).toFixed(1).padStart(6);

export async function sizeReport(): Promise<string> {
  const { files, sizes } = await buildAll();
  const lines = ['SDK size (esbuild, minified; gzip -9):'];
  for (const s of sizes) lines.push(`  ${s.file.padEnd(22)} ${kb(s.bytes)} KB min ${kb(s.gzip)} KB gzip`);
  const entry = new URL('../src/web/index.ts', import.meta.url).pathname;
  const define = {
    __TESSERA_WORKER_SOURCE__: JSON.stringify(files['tessera-worker.js']),
    __TESSERA_VIEW_SOURCE__: JSON.stringify(files['tessera-view.js']),
  };
  const variant = async (minify: boolean) => {
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      minify,
      format: 'esm',
      write: false,
      logLevel: 'error',
      external: ['zod'],
      define,
    });
    const text = r.outputFiles[0]!.text;
    return { bytes: Buffer.byteLength(text), gzip: gzipSync(text, { level: 9 }).length };
  };
  const own = await variant(true);
  const raw = await variant(false);
  const whole = sizes.find((s) => s.file === 'tessera-web.js')!;
  lines.push(
    `  core + web + both realms, zod excluded: ${kb(own.bytes)} KB min ${kb(own.gzip)} KB gzip (target 40 KB gzip)`,
  );
  lines.push(
    `  zod share of tessera-web.js:            ${kb(whole.bytes - own.bytes)} KB min ${kb(whole.gzip - own.gzip)} KB gzip`,
  );
  lines.push(`  baseline, same code unminified:         ${kb(raw.bytes)} KB     ${kb(raw.gzip)} KB gzip`);
  return lines.join('\n');
}
