// The SDK as its users get it: `npm pack` of the built package, installed into an empty project
// from the tarball (offline, from npm's cache), type-checked with the project's own tsconfig, and a
// Node host program (ES module and CommonJS) that launches a real compiled, signed, encrypted
// mini-program from a loopback store and renders it into jsdom.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/harness/paths.ts';
import { type FixtureStore, makeTenant, publish, startFixtureStore, type Tenant } from './fixture-store.ts';
import { sampleSource } from './sample-app.ts';

const run = promisify(execFile);
const node = process.execPath;
const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
const npm = (args: string[], cwd: string) =>
  run('npm', args, {
    cwd,
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
    maxBuffer: 16 << 20,
  });

let work: string;
let project: string;
let tarball: string;
let store: FixtureStore;
let tenant: Tenant;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-npm-'));
  await run(node, [join(REPO_ROOT, 'runtime-sdk', 'scripts', 'pack.ts')], {
    cwd: REPO_ROOT,
    maxBuffer: 16 << 20,
  });
  await npm(['pack', '--pack-destination', work, join(REPO_ROOT, 'runtime-sdk', 'dist', 'npm')], REPO_ROOT);
  const found = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  if (!found) throw new Error(`npm pack wrote no tarball into ${work}`);
  tarball = join(work, found);

  project = join(work, 'host');
  await mkdir(project);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'host', private: true, type: 'module' }),
  );
  // The test reaches nothing but loopback, so the package's dependency (zod) and the host's own
  // jsdom (with its and Node's types) are the workspace's installed copies, linked in; the SDK itself comes from the tarball.
  await npm(
    [
      'install',
      '--offline',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      tarball,
      join(REPO_ROOT, 'node_modules', 'zod'),
      join(REPO_ROOT, 'node_modules', 'jsdom'),
      join(REPO_ROOT, 'node_modules', '@types', 'jsdom'),
      join(REPO_ROOT, 'node_modules', '@types', 'node'),
    ],
    project,
  );

  [store, tenant] = await Promise.all([startFixtureStore(), makeTenant()]);
  store.apps.set(
    'wx-npm',
    await publish(
      tenant,
      'wx-npm',
      '3.1.0',
      sampleSource({ api: 'http://127.0.0.1:9', evil: 'http://127.0.0.1:9', tag: 'P' }),
    ),
  );
}, 180_000);

afterAll(async () => {
  await store?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const HOST_TS = `import { createNodeTessera, type NodeTesseraConfig } from '@tessera/runtime-sdk/node';
import { parseIndex } from '@tessera/runtime-sdk/package';
import { JSDOM } from 'jsdom';

const config: NodeTesseraConfig = {
  storeUrl: process.env.STORE_URL!,
  credentials: { sdkKey: process.env.SDK_KEY!, sdkSecret: process.env.SDK_SECRET! },
  publicKeys: [process.env.PUBLIC_KEY!],
  userId: 'npm-user',
};
const dom = new JSDOM('<!doctype html><body></body>');
const app = await createNodeTessera(config).launch('wx-npm', { document: dom.window.document });
await app.settle();
const version: string = app.version;
const text = app.pages().at(-1)?.root?.querySelector('#count')?.textContent ?? null;
console.log(JSON.stringify({ version, text, parseIndex: typeof parseIndex }));
await app.close();
`;

describe('@tessera/runtime-sdk from npm pack', () => {
  it('ships built JavaScript, types, README, CHANGELOG and LICENSE, and nothing internal', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    for (const f of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'node.js',
      'web.js',
      'tessera-ui.js',
      'tessera-transfers.js',
      'tessera-consent.js',
      'tessera-page-apis.js',
      'tessera-view-swiper.js',
      'tessera-view-rich-text.js',
      'tessera-view-scroll-view.js',
      'tessera-view-pull.js',
      'tessera-view-intersection.js',
      'tessera-view-animation.js',
      'cjs/node.cjs',
    ])
      expect(files).toContain(`package/${f}`);
    expect(files.some((f) => f.startsWith('package/types/') && f.endsWith('.d.ts'))).toBe(true);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /scripts\/|bench\/|\.test\./.test(f))).toEqual([]);
    const manifest = JSON.parse(
      await readFile(join(project, 'node_modules/@tessera/runtime-sdk/package.json'), 'utf8'),
    );
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.exports)).not.toContain('./build');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('type-checks a host program against the installed package', async () => {
    await writeFile(join(project, 'host.ts'), HOST_TS);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          lib: ['es2023', 'dom'],
          types: ['node'],
        },
        files: ['host.ts'],
      }),
    );
    await run(bin('tsc'), ['-p', project], { cwd: project }).catch((e: { stdout?: string }) => {
      throw new Error(`the host program does not type-check against the package:\n${e.stdout}`);
    });
    // A type error in the host's use of the SDK is caught: the types are real, not `any`.
    await writeFile(join(project, 'bad.ts'), `${HOST_TS}\nconst n: number = app.version;\n`);
    await writeFile(
      join(project, 'tsconfig.bad.json'),
      JSON.stringify({ extends: './tsconfig.json', files: ['bad.ts'] }),
    );
    const bad = await run(bin('tsc'), ['-p', join(project, 'tsconfig.bad.json')], { cwd: project }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    expect(bad).toMatch(/bad\.ts.*TS2322/);
  });

  it('runs the host program as an ES module and the CommonJS entry loads', async () => {
    // Node runs the type-checked program directly (type stripping), from the empty project.
    const env = {
      ...process.env,
      STORE_URL: store.url,
      SDK_KEY: store.sdkKey,
      SDK_SECRET: store.sdkSecret,
      PUBLIC_KEY: tenant.signing.publicKeySpki,
    };
    const { stdout } = await run(node, ['host.ts'], { cwd: project, env, timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      version: '3.1.0',
      text: 'count 0',
      parseIndex: 'function',
    });

    await writeFile(
      join(project, 'host.cjs'),
      `const sdk = require('@tessera/runtime-sdk/node');
const pkg = require('@tessera/runtime-sdk/package');
console.log(JSON.stringify({ node: typeof sdk.createNodeTessera, pkg: typeof pkg.parseIndex }));`,
    );
    const cjs = await run(node, ['host.cjs'], { cwd: project });
    expect(JSON.parse(cjs.stdout)).toEqual({ node: 'function', pkg: 'function' });
  });
});
