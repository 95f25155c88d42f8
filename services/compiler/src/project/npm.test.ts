// npm as WeChat's "build npm" lays it out: miniprogram_npm/ folders up the tree, package.json
// main and miniprogram fields, relative specifiers without "./", and what happens when nothing
// matches. Each fixture is a few files written for the behaviour under test.
import { runInNewContext } from 'node:vm';
import { LogicRuntime } from '@tessera/runtime-sdk/logic';
import { describe, expect, it } from 'vitest';
import { compileFailure } from '../testing/compile-failure.ts';
import { type CompileResult, compileProject } from './compile-project.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

const PAGE = {
  'pages/index/index.wxml': '<view>hi</view>',
  'pages/index/index.js': 'Page({})',
};

function tree(files: Record<string, string>): Map<string, Uint8Array> {
  const app = { 'app.json': JSON.stringify({ pages: ['pages/index/index'] }), 'app.js': 'App({})' };
  return new Map(Object.entries({ ...app, ...PAGE, ...files }).map(([k, v]) => [k, enc.encode(v)]));
}

const failure = (files: Record<string, string>) => compileFailure(tree(files));

/** Runs a compiled logic module in the SDK's own logic runtime and returns its exports. */
function run(result: CompileResult, id: string): unknown {
  const files = new Map(result.artifacts.flatMap((a) => [...a.files]));
  const runtime: LogicRuntime = new LogicRuntime({
    boot: {
      appId: 'wxtest',
      pages: ['pages/index/index'],
      subpackageRoots: [],
      tabBarPages: [],
      entryPagePath: 'pages/index/index',
      storage: {},
      storageLimitBytes: 1024,
      systemInfo: {} as never,
      launchQuery: {},
    },
    post: () => {},
    load: (path) => {
      const bytes = files.get(path.replace(/^\//, ''));
      if (!bytes) return false;
      runInNewContext(dec.decode(bytes), {
        __tesseraDefine: (p: string, f: Parameters<LogicRuntime['define']>[1]) => runtime.define(p, f),
      });
      return true;
    },
  });
  return runtime.require(id);
}

describe('npm packages in miniprogram_npm/', () => {
  it('resolves usingComponents through miniprogram_npm, scoped and not, with index and the miniprogram field', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.json': JSON.stringify({
          usingComponents: {
            'x-button': '@acme/ui/button/index',
            'x-cell': 'cells/cell',
            'x-card': 'cards',
          },
        }),
        'miniprogram_npm/@acme/ui/button/index.json': '{"component": true}',
        'miniprogram_npm/@acme/ui/button/index.wxml': '<view><slot /></view>',
        'miniprogram_npm/@acme/ui/button/index.js': 'Component({})',
        // "miniprogram": the folder of the package that holds the mini-program files
        'miniprogram_npm/cells/package.json': JSON.stringify({ name: 'cells', miniprogram: 'dist' }),
        'miniprogram_npm/cells/dist/cell.json': '{"component": true}',
        'miniprogram_npm/cells/dist/cell.wxml': '<view />',
        'miniprogram_npm/cells/dist/cell.js': 'Component({})',
        // the package name alone: its index
        'miniprogram_npm/cards/index.json': '{"component": true}',
        'miniprogram_npm/cards/index.wxml': '<view />',
        'miniprogram_npm/cards/index.js': 'Component({})',
      }),
    );
    const page = result.manifest.entries.find((e) => e.path === 'pages/index/index');
    expect(page?.usingComponents).toEqual({
      'x-button': 'miniprogram_npm/@acme/ui/button/index',
      'x-card': 'miniprogram_npm/cards/index',
      'x-cell': 'miniprogram_npm/cells/dist/cell',
    });
    expect(result.report.components).toContain('miniprogram_npm/cells/dist/cell');
  });

  it('links bare require/import to the package file found up the tree, with package.json main', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js':
          'import dayjs from "dayjs"; const { add } = require("mathlib/add"); module.exports = { v: dayjs() + add(1, 2) };',
        'miniprogram_npm/dayjs/package.json': JSON.stringify({ main: 'dayjs.min.js' }),
        'miniprogram_npm/dayjs/dayjs.min.js': 'module.exports = function () { return "d"; };',
        'miniprogram_npm/mathlib/add.js': 'exports.add = (a, b) => require("mathlib-core").sum(a, b);',
        // a package's own dependency: nested miniprogram_npm first, then further up
        'miniprogram_npm/mathlib-core/index.js': 'exports.sum = (a, b) => a + b + 100;',
      }),
    );
    const js = dec.decode(result.artifacts[0]?.files.get('pages/index/index.js'));
    expect(js).toContain('"dayjs":"/miniprogram_npm/dayjs/dayjs.min.js"');
    expect(js).toContain('"mathlib/add":"/miniprogram_npm/mathlib/add.js"');
    expect(run(result, '/pages/index/index.js')).toEqual({ v: 'd103' });
    expect(result.graph.get('pages/index/index.js')).toEqual(
      new Set(['miniprogram_npm/dayjs/dayjs.min.js', 'miniprogram_npm/mathlib/add.js']),
    );
  });

  it('keeps package.json main/miniprogram inside the package (hostile fields are ignored)', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js': 'module.exports = [require("evil"), require("evil2")];',
        'secret.js': 'module.exports = "secret";',
        'miniprogram_npm/evil/package.json': JSON.stringify({
          main: '../../secret.js',
          miniprogram: '../..',
        }),
        'miniprogram_npm/evil/index.js': 'module.exports = "index";',
        'miniprogram_npm/evil2/package.json': '{ not json',
        'miniprogram_npm/evil2/index.js': 'module.exports = "index2";',
      }),
    );
    expect(run(result, '/pages/index/index.js')).toEqual(['index', 'index2']);
  });

  it('prefers a nested miniprogram_npm over the root one', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js': 'module.exports = require("lib");',
        'pages/miniprogram_npm/lib/index.js': 'module.exports = "near";',
        'miniprogram_npm/lib/index.js': 'module.exports = "root";',
      }),
    );
    expect(run(result, '/pages/index/index.js')).toBe('near');
  });

  it('resolves "x.js" and "dir/x" next to the file first, as WeChat does', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js':
          'module.exports = [require("util.js"), require("helpers/fmt"), require("lib")];',
        'pages/index/util.js': 'module.exports = 1;',
        'pages/index/helpers/fmt.js': 'module.exports = 2;',
        'pages/index/lib.js': 'module.exports = 3;',
        'miniprogram_npm/lib/index.js': 'module.exports = "package";',
      }),
    );
    expect(result.report.warnings).toEqual([]);
    expect(run(result, '/pages/index/index.js')).toEqual([1, 2, 3]);
  });

  it('fails on a bare require that matches nothing, with file:line and what to do', async () => {
    const f = await failure({
      'pages/index/index.js': 'const a = 1;\nconst x = require("left-pad");\nPage({})',
    });
    expect(f.errors.map((e) => e.toJSON())).toEqual([
      {
        code: 'NPM_RESOLVE',
        file: 'pages/index/index.js',
        line: 2,
        column: 19,
        message: expect.stringContaining(
          'require("left-pad"): no file "pages/index/left-pad(.js)" next to pages/index/index.js and no package "left-pad" in pages/index/miniprogram_npm, pages/miniprogram_npm, miniprogram_npm — run "Build npm" in WeChat DevTools',
        ),
      },
    ]);
  });

  it('names the package when it exists but lacks the file', async () => {
    const f = await failure({
      'pages/index/index.js': 'require("lib/missing")',
      'miniprogram_npm/lib/index.js': '',
    });
    expect(f.errors[0]?.message).toContain(
      'require("lib/missing"): package "lib" (miniprogram_npm/lib) has no file "missing"',
    );
  });

  it('only reports a bare require in a file nothing loads (build scripts, cloud functions)', async () => {
    const result = await compileProject(
      tree({ 'cloudfunctions/login/index.js': 'const cloud = require("wx-server-sdk");' }),
    );
    expect(result.report.warnings).toEqual([
      expect.objectContaining({
        file: 'cloudfunctions/login/index.js',
        line: 1,
        feature: 'require:unresolved',
        message: expect.stringContaining('nothing in the app loads cloudfunctions/login/index.js'),
      }),
    ]);
  });

  it("leaves a package's own unresolved require to the package (optional dependencies), with a report entry", async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js': 'module.exports = require("hashing").name;',
        'miniprogram_npm/hashing/index.js':
          'var c; try { c = require("crypto"); } catch (e) { c = null; } module.exports = { name: c ? "node" : "mini" };',
      }),
    );
    expect(run(result, '/pages/index/index.js')).toBe('mini');
    expect(result.report.warnings).toEqual([
      expect.objectContaining({
        file: 'miniprogram_npm/hashing/index.js',
        feature: 'require:unresolved',
        message: expect.stringContaining('inside package "hashing"'),
      }),
    ]);
  });

  it('fails on a usingComponents package that is not there, at its line in the json', async () => {
    const f = await failure({
      'pages/index/index.json':
        '{\n  "usingComponents": {\n    "mp-cell": "weui-miniprogram/cell/cell"\n  }\n}',
    });
    expect(f.errors.map((e) => [e.code, e.file, e.line, e.column])).toEqual([
      ['NPM_RESOLVE', 'pages/index/index.json', 3, 16],
    ]);
    expect(f.errors[0]?.message).toContain('no package "weui-miniprogram" in pages/index/miniprogram_npm');
    expect(f.errors[0]?.hint).toContain('Build npm');
  });
});

describe('componentGenerics', () => {
  it("makes each generic a component tag of the component's template, with its default in usingComponents", async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.json': JSON.stringify({
          usingComponents: { list: '/components/list/list', 'my-cell': '/components/cell/cell' },
        }),
        'pages/index/index.wxml': '<list generic:cell="my-cell" />',
        'components/list/list.json': JSON.stringify({
          component: true,
          componentGenerics: { cell: true, footer: { default: '../footer/footer' } },
        }),
        'components/list/list.wxml': '<cell /><footer />',
        'components/list/list.js': 'Component({})',
        'components/cell/cell.json': '{"component": true}',
        'components/cell/cell.wxml': '<view>cell</view>',
        'components/cell/cell.js': 'Component({})',
        'components/footer/footer.json': '{"component": true}',
        'components/footer/footer.wxml': '<view>footer</view>',
        'components/footer/footer.js': 'Component({})',
      }),
      { minify: false },
    );
    const list = result.manifest.entries.find((e) => e.path === 'components/list/list');
    expect(list?.usingComponents).toEqual({ footer: 'components/footer/footer' });
    expect(result.report.warnings).toEqual([]);
    const wxml = dec.decode(result.artifacts[0]?.files.get('components/list/list.wxml.js'));
    expect(wxml).toContain('t: "comp", tag: "cell"');
    expect(wxml).toContain('t: "comp", tag: "footer"');
  });
});

describe('require of .json and style sources', () => {
  it('require("./x.json") and a package json load the parsed file', async () => {
    const result = await compileProject(
      tree({
        'pages/index/index.js':
          'module.exports = [require("./data.json").n, require("cfg/settings.json").on];',
        'pages/index/data.json': '{"n": 7}',
        'miniprogram_npm/cfg/settings.json': '{"on": true}',
      }),
    );
    expect(run(result, '/pages/index/index.js')).toEqual([7, true]);
  });

  it('reports Less/Sass sources that have no .wxss (compiled by WeChat DevTools, not here)', async () => {
    const result = await compileProject(tree({ 'pages/index/index.less': '.a { .b { color: red; } }' }));
    expect(result.report.warnings.map((w) => [w.file, w.feature])).toEqual([
      ['pages/index/index.less', 'wxss:preprocessor'],
    ]);
  });

  it('says "Build npm" for a relative require into a missing miniprogram_npm package', async () => {
    const result = await compileProject(
      tree({ 'pages/index/index.js': 'require("../../miniprogram_npm/ui/dialog")' }),
    );
    expect(result.report.warnings[0]?.message).toContain('miniprogram_npm/ui exists');
  });
});
