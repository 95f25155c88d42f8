// Builds the browser bundles into dist/: the two realm bundles (logic worker, page view) are
// built first and embedded as strings into the web entry, which is emitted as ESM and as an
// IIFE (global `Tessera`). The chunks (UI: tab bar, sheets, dialogs; transfers: downloads,
// uploads, sockets) are files of their own that the entry loads on first use, pinned by their
// SHA-384 digests. Prints raw, minified and gzip sizes.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { minify } from 'terser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

/**
 * esbuild bundles and tree-shakes; terser minifies (default, safe compress options, two
 * passes): the web entry comes out 4% smaller in gzip than with esbuild's own minifier
 * (39.3 against 40.9 KB), which is what keeps the SDK inside its 40 KB budget.
 */
export async function minifyBundle(code: string, module: boolean): Promise<string> {
  const r = await minify(code, {
    module,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  if (r.code === undefined) throw new Error('terser produced no code');
  return r.code;
}

/** The chunks: each a file of its own, loaded on first use instead of bundled into the entry. */
const CHUNKS = {
  ui: 'src/web/chunks/ui.ts',
  transfers: 'src/web/chunks/transfers.ts',
  consent: 'src/web/chunks/consent.ts',
  'page-apis': 'src/web/chunks/page-apis.ts',
  // run in page frames: the host fetches them with the same pin and hands them over
  'view-swiper': 'src/web/chunks/view-swiper.ts',
  'view-rich-text': 'src/web/chunks/view-rich-text.ts',
  'view-scroll-view': 'src/web/chunks/view-scroll-view.ts',
  'view-pull': 'src/web/chunks/view-pull.ts',
  'view-intersection': 'src/web/chunks/view-intersection.ts',
  'view-animation': 'src/web/chunks/view-animation.ts',
};

/** In the browser build the modules that load chunks from the sources become their script loaders. */
const LOADERS: Record<string, string> = {
  'src/web/ui-chunk.ts': 'src/web/ui-chunk.bundled.ts',
  'src/core/chunks.ts': 'src/web/core-chunks.bundled.ts',
  'src/view/view-chunks.ts': 'src/web/view-chunks.bundled.ts',
};
const chunkLoaders: Plugin = {
  name: 'chunk-loaders',
  setup(b) {
    b.onResolve({ filter: /\/(ui-chunk|chunks|view-chunks)\.ts$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      const bundled = LOADERS[path.slice(root.length + 1)];
      return bundled ? { path: join(root, bundled) } : undefined;
    });
  },
};

/**
 * The browser parses the shared schemas with zod-lite, not zod (~5 KB gzip less in the web
 * entry; zod-lite.test.ts holds the two to the same verdicts). A schema calling something
 * zod-lite lacks would be undefined at run time: that is a build error instead.
 */
const browserSchemas: Plugin = {
  name: 'browser-schemas',
  setup(b) {
    b.onResolve({ filter: /^zod\/mini$/ }, () => ({ path: join(root, 'src/protocol/zod-lite.ts') }));
    b.onEnd((r) => {
      const missing = r.warnings.filter((w) => w.id === 'import-is-undefined');
      if (missing.length)
        throw new Error(
          `zod-lite lacks what a browser schema calls: ${missing.map((w) => `${w.location?.file}:${w.location?.line} ${w.text}`).join('; ')}. Add it to src/protocol/zod-lite.ts with a parity case in zod-lite.test.ts.`,
        );
    });
  },
};

/** The plugins of every browser bundle. */
export const browserPlugins: Plugin[] = [chunkLoaders, browserSchemas];

async function bundle(
  entry: string,
  format: 'iife' | 'esm',
  define: Record<string, string> = {},
  globalName?: string,
  banner?: string,
) {
  const r = await build({
    plugins: browserPlugins,
    entryPoints: [join(root, entry)],
    bundle: true,
    format,
    target: 'es2022',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    logLevel: 'error',
    define,
    ...(globalName ? { globalName } : {}),
  });
  const code = await minifyBundle(r.outputFiles[0]!.text, format === 'esm');
  return banner ? `${banner}\n${code}` : code;
}

export interface BuildResult {
  files: Record<string, string>;
  /** the chunk files among them: served beside the entry, which loads each on first use */
  chunkFiles: string[];
  sizes: Array<{ file: string; bytes: number; gzip: number }>;
}

export async function buildAll(): Promise<BuildResult> {
  // The realms compile all their functions when they start (V8 compile hint), i.e. while they
  // wait pre-warmed, not lazily on the launch path.
  const eager = '//# allFunctionsCalledOnLoad';
  const worker = await bundle('src/web/worker-entry.ts', 'iife', {}, undefined, eager);
  const view = await bundle('src/web/view-entry.ts', 'iife', {}, undefined, eager);
  const chunks: Record<string, string> = {};
  const pins: Record<string, { file: string; integrity: string }> = {};
  for (const [name, entry] of Object.entries(CHUNKS)) {
    const file = `tessera-${name}.js`;
    chunks[file] = await bundle(entry, 'iife');
    pins[name] = { file, integrity: `sha384-${createHash('sha384').update(chunks[file]).digest('base64')}` };
  }
  const define = {
    __TESSERA_WORKER_SOURCE__: JSON.stringify(worker),
    __TESSERA_VIEW_SOURCE__: JSON.stringify(view),
    __TESSERA_CHUNKS__: JSON.stringify(pins),
  };
  const web = await bundle('src/web/index.ts', 'esm', define);
  const webIife = await bundle('src/web/index.ts', 'iife', define, 'Tessera');
  const files: Record<string, string> = {
    'tessera-worker.js': worker,
    'tessera-view.js': view,
    'tessera-web.js': web,
    'tessera-web.iife.js': webIife,
    ...chunks,
  };
  const sizes = Object.entries(files).map(([file, text]) => ({
    file,
    bytes: Buffer.byteLength(text),
    gzip: gzipSync(text, { level: 9 }).length,
  }));
  return { files, sizes, chunkFiles: Object.keys(chunks) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, sizes } = await buildAll();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dist, name), text);
  for (const s of sizes)
    console.log(
      `${s.file.padEnd(22)} ${String(s.bytes).padStart(8)} B min  ${String(s.gzip).padStart(7)} B gzip`,
    );
}
