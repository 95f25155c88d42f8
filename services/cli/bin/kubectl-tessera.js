#!/usr/bin/env node
// Launcher. Runs the bundled CLI (dist/, built by `make cli`) when it is up to date, else the
// TypeScript sources (Node's type stripping), and says clearly when this Node cannot run either.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MINIMUM = [22, 19];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
  process.stderr.write(
    `error: kubectl-tessera needs Node.js ${MINIMUM.join('.')} or newer; this is ${process.versions.node} (${process.execPath}).\n` +
      'Install Node.js 24 LTS, or run it from a checkout where `make deps` has put the pinned Node first: export PATH="$PWD/node_modules/.bin:$PATH"\n',
  );
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'kubectl-tessera.mjs');

/** The newest modification time under dir (the sources the bundle was built from). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// what the bundle is built from (the Makefile's cli target lists the same folders)
const sources = [
  'src',
  '../../operator/runtime/src',
  '../../crds/src',
  '../../runtime-sdk/src/protocol',
  '../../runtime-sdk/src/package',
  '../compiler/src',
]
  .map((d) => join(root, d))
  .filter((d) => existsSync(d));
const useBundle = existsSync(bundle) && sources.every((d) => statSync(bundle).mtimeMs >= newest(d));
const { main } = await import(useBundle ? pathToFileURL(bundle).href : '../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
