import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../test-io.ts';
import type { CompatDocument } from './compat.ts';

const base = await mkdtemp(join(tmpdir(), 'tessera-compat-'));
afterAll(() => rm(base, { recursive: true, force: true }));

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(base, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

const run = runMain;

const APP = {
  'app.json': JSON.stringify({ pages: ['pages/ok/ok', 'pages/bad/bad'], workers: 'w' }),
  'app.js': 'App({})',
  'pages/ok/ok.wxml': '<view><video src="a.mp4" /></view>',
  'pages/ok/ok.js': 'Page({})',
  'pages/bad/bad.wxml': '<view>hi</view>',
  'pages/bad/bad.js': 'const lib = require("some-lib");\nPage({})',
  'scripts/release.js': 'require("shelljs")',
};

describe('kubectl tessera compat', () => {
  it('prints per page compiled/failed with file:line and why, warnings, features and a summary; exit 2', async () => {
    const dir = await project('mixed', APP);
    const r = await run(['compat', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^pages\/ok\/ok +compiled +0 +1$/m);
    expect(r.stdout).toMatch(/^pages\/bad\/bad +failed +1 +0$/m);
    expect(r.stdout).toContain(
      'pages/bad/bad: failed\n  error: pages/bad/bad.js:1:21: NPM_RESOLVE: require("some-lib"): no file',
    );
    expect(r.stdout).toContain('run "Build npm" in WeChat DevTools');
    expect(r.stdout).toContain('app (every page):\n  warning: app.json:1:');
    expect(r.stdout).toMatch(
      /reported features \(count\):\n {2}app\.json:workers {2}1\n {2}builtin:video {2}1/,
    );
    expect(r.stdout).toContain('pages compiled: 1/2 (50%)');
    expect(r.stdout).toContain('files no page uses:\n  1 warning (-o wide lists them)');
    expect(r.stderr).toBe('error: 1 compile error; pages compiled: 1/2 (50%)\n');
  });

  it('-o wide lists the warnings of compiled pages; -o json is one document for machines', async () => {
    const dir = await project('json', APP);
    const wide = await run(['compat', dir, '-o', 'wide']);
    expect(wide.stdout).toContain('pages/ok/ok: compiled\n  warning: pages/ok/ok.wxml:1:7: builtin:video:');
    const r = await run(['compat', dir, '-o', 'json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as CompatDocument;
    expect(doc.summary).toEqual({ pages: 2, compiled: 1, failed: 1, percent: 50 });
    expect(doc.pages.map((p) => [p.page, p.status, p.errors.map((e) => [e.code, e.file, e.line])])).toEqual([
      ['pages/ok/ok', 'compiled', []],
      ['pages/bad/bad', 'failed', [['NPM_RESOLVE', 'pages/bad/bad.js', 1]]],
    ]);
    expect(doc.unsupported).toEqual([
      { feature: 'app.json:workers', count: 1 },
      { feature: 'builtin:video', count: 1 },
      { feature: 'require:unresolved', count: 1 },
    ]);
    expect(doc.otherWarnings.map((w) => w.file)).toEqual(['scripts/release.js']);
  });

  it('exits 0 when everything compiles, compiling the miniprogramRoot of project.config.json', async () => {
    const dir = await project('good', {
      'project.config.json': JSON.stringify({ miniprogramRoot: 'miniprogram/' }),
      'miniprogram/app.json': JSON.stringify({ pages: ['pages/ok/ok'] }),
      'miniprogram/app.js': 'App({})',
      'miniprogram/pages/ok/ok.wxml': '<view />',
      'miniprogram/pages/ok/ok.js': 'Page({})',
      'miniprogram/pages/ok/ok.json': JSON.stringify({ usingComponents: { 'x-a': 'lib-a/a' } }),
      'miniprogram/miniprogram_npm/lib-a/a.json': '{"component": true}',
      'miniprogram/miniprogram_npm/lib-a/a.wxml': '<view />',
      'miniprogram/miniprogram_npm/lib-a/a.js': 'Component({})',
    });
    const r = await run(['compat', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(miniprogramRoot miniprogram/)');
    expect(r.stdout).toContain('pages compiled: 1/1 (100%)');
  });

  it('--recursive checks every mini-program under a folder: a line per app and a total', async () => {
    const root = join(base, 'corpus');
    await project('corpus/team-a/mixed', APP);
    await project('corpus/team-b/good', {
      'project.config.json': JSON.stringify({ miniprogramRoot: 'src/' }),
      'src/app.json': JSON.stringify({ pages: ['p/p'] }),
      'src/app.js': 'App({})',
      'src/p/p.wxml': '<view />',
      'src/p/p.js': 'Page({})',
      // an app.json inside a found app or a package is not another app
      'src/miniprogram_npm/x/app.json': '{}',
    });
    const r = await run(['compat', '-r', root]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^team-a\/mixed +2 +1 \(50%\) +1 errors +NPM_RESOLVE: require\("…"\): no file/m);
    expect(r.stdout).toMatch(/^team-b\/good +1 +1 \(100%\) +ok +<none>$/m);
    expect(r.stdout).toContain('pages compiled: 2/3 (66.7%), apps that build: 1/2');
    expect(r.stderr).toContain('error: 1 of 2 apps do not build');
    const json = JSON.parse((await run(['compat', '-r', root, '-o', 'json'])).stdout);
    expect(json.apps.map((a: { app: string; ok: boolean }) => [a.app, a.ok])).toEqual([
      ['team-a/mixed', false],
      ['team-b/good', true],
    ]);
  });

  it('says what is wrong with the argument', async () => {
    const r = await run(['compat', join(base, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a directory');
    expect((await run(['compat'])).code).toBe(1);
  });
});
