// Bundles the CLI into one JavaScript file, dist/kubectl-tessera.mjs, which bin/kubectl-tessera.js
// runs: one file to read and compile instead of a few hundred modules resolved at start-up, and
// no reliance on Node's TypeScript type stripping. Commands stay lazily loaded chunks.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { 'kubectl-tessera': join(root, 'src', 'main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minifySyntax: true,
  legalComments: 'none',
  // CommonJS dependencies inside an ES module bundle still call require()
  banner: {
    js: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);",
  },
  // only reached when a caller hands the shared KubeClient a client-node KubeConfig; the CLI never does
  // esbuild (the compiler's, for compat) ships a native binary: resolved from node_modules at run time
  external: ['@kubernetes/client-node', 'esbuild'],
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `services/cli/dist: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB`,
);
