// Builds the publishable npm package of the SDK into dist/npm: built JavaScript for every public
// entry (ES modules, plus CommonJS for the Node-side entries), .d.ts types, the README, the
// CHANGELOG and the LICENSE, and a package.json whose exports map names only those files.
// The workspace's own package.json points at the TypeScript sources for the monorepo; it refuses
// `npm publish` and says to publish this folder instead:
//
//   npm run pack -w @tessera/runtime-sdk && npm publish runtime-sdk/dist/npm
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildAll } from './build.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, '..');
const out = join(root, 'dist', 'npm');

/** Public entries: export path → source (relative to src/) and whether Node users get CommonJS too. */
const ENTRIES: Record<string, { src: string; file: string; cjs?: boolean }> = {
  '.': { src: 'index.ts', file: 'index' },
  './core': { src: 'core/index.ts', file: 'core', cjs: true },
  './node': { src: 'node/index.ts', file: 'node', cjs: true },
  './logic': { src: 'logic/index.ts', file: 'logic' },
  './view': { src: 'view/index.ts', file: 'view' },
  './render': { src: 'render/index.ts', file: 'render' },
  './render/contract': { src: 'render/contract.ts', file: 'render-contract' },
  './package': { src: 'package/index.ts', file: 'package', cjs: true },
  './package/node': { src: 'package/wrap-node.ts', file: 'package-node', cjs: true },
  './protocol': { src: 'protocol/index.ts', file: 'protocol', cjs: true },
};

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  description: string;
  license: string;
  dependencies: Record<string, string>;
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The web entry embeds its two realm bundles; scripts/build.ts makes exactly what `make sdk` ships.
const web = await buildAll();
writeFileSync(join(out, 'web.js'), web.files['tessera-web.js'] ?? '');
writeFileSync(join(out, 'tessera-web.iife.js'), web.files['tessera-web.iife.js'] ?? '');
// loaded on first use from beside the entry (or from the host's `chunkBase`)
for (const chunk of web.chunkFiles) writeFileSync(join(out, chunk), web.files[chunk]!);

// The Node host's realm script, built once here instead of at run time with esbuild.
const realm = await build({
  entryPoints: [join(root, 'src', 'node', 'realm-entry.ts')],
  bundle: true,
  format: 'iife',
  globalName: '__tesseraRealm',
  platform: 'neutral',
  target: 'es2022',
  write: false,
  minify: true,
  logLevel: 'error',
});
const define = { __TESSERA_NODE_REALM_SOURCE__: JSON.stringify(realm.outputFiles[0]?.text ?? '') };
// esbuild is only imported by the Node host's development fallback, which the define above replaces
const external = [...Object.keys(manifest.dependencies), 'esbuild'];
const common = {
  bundle: true,
  target: 'es2022',
  external,
  define,
  legalComments: 'none' as const,
  logLevel: 'error' as const,
};
const esmEntries = Object.fromEntries(Object.values(ENTRIES).map((e) => [e.file, join(root, 'src', e.src)]));
await build({
  ...common,
  entryPoints: { ...esmEntries, 'node-logic-thread': join(root, 'src', 'node', 'logic-thread.ts') },
  outdir: out,
  format: 'esm',
  platform: 'node',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
for (const e of Object.values(ENTRIES).filter((x) => x.cjs)) {
  await build({
    ...common,
    entryPoints: [join(root, 'src', e.src)],
    outfile: join(out, 'cjs', `${e.file}.cjs`),
    format: 'cjs',
    platform: 'node',
    // CommonJS has no import.meta; the Node host finds its worker next to the ES module build
    ...(e.file === 'node'
      ? {
          banner: {
            js: 'const __tesseraModuleUrl = require("node:url").pathToFileURL(__dirname + "/../node.js").href;',
          },
        }
      : {}),
    ...(e.file === 'node' ? { define: { ...define, 'import.meta.url': '__tesseraModuleUrl' } } : {}),
  });
}

// Types: the declarations tsc -b emitted (under the repository's dist-types/, as tsconfig.base.json
// sets outDir and rootDir), with the sources' .ts import specifiers made .js.
const types = join(repo, 'dist-types', 'runtime-sdk', 'src');
execFileSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-b', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (!existsSync(types))
  throw new Error(`tsc -b emitted no declarations into ${types}: check tsconfig.base.json's outDir`);
const typesOut = join(out, 'types');
cpSync(types, typesOut, { recursive: true, filter: (p) => !p.endsWith('.test.d.ts') });
const rewrite = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) rewrite(p);
    else if (p.endsWith('.d.ts'))
      writeFileSync(
        p,
        readFileSync(p, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2'),
      );
  }
};
rewrite(typesOut);
const typesOf = (src: string) => `./${relative(out, join(typesOut, src.replace(/\.ts$/, '.d.ts')))}`;

const exportsMap: Record<string, unknown> = {};
for (const [path, e] of Object.entries(ENTRIES)) {
  exportsMap[path] = {
    types: typesOf(e.src),
    ...(e.cjs ? { require: `./cjs/${e.file}.cjs` } : {}),
    import: `./${e.file}.js`,
    default: `./${e.file}.js`,
  };
}
exportsMap['./web'] = {
  types: typesOf('web/index.ts'),
  browser: './web.js',
  import: './web.js',
  default: './web.js',
};
exportsMap['./web/iife'] = './tessera-web.iife.js';
for (const chunk of web.chunkFiles) exportsMap[`./web/${chunk}`] = `./${chunk}`;
exportsMap['./package.json'] = './package.json';

const published = {
  name: '@tessera/runtime-sdk',
  version: manifest.version,
  description: manifest.description,
  license: manifest.license,
  type: 'module',
  sideEffects: false,
  engines: { node: '>=22.19' },
  main: './cjs/core.cjs',
  module: './index.js',
  types: typesOf('index.ts'),
  exports: exportsMap,
  files: ['*.js', 'chunks/', 'cjs/', 'types/', 'README.md', 'CHANGELOG.md', 'LICENSE'],
  dependencies: manifest.dependencies,
  keywords: ['mini-program', 'wechat', 'super-app', 'sdk', 'sandbox'],
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
for (const [from, to] of [
  [join(root, 'README.md'), 'README.md'],
  [join(root, 'CHANGELOG.md'), 'CHANGELOG.md'],
  [join(repo, 'LICENSE'), 'LICENSE'],
] as const) {
  cpSync(from, join(out, to));
}
console.log(
  `runtime-sdk/dist/npm: @tessera/runtime-sdk@${manifest.version} (${Object.keys(exportsMap).length} exports)`,
);
