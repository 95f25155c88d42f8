// app.json / page json / project.config.json read as WeChat reads them: unknown fields and values
// Tessera cannot use are report entries, never a failed build; only what WeChat refuses fails.
import { describe, expect, it } from 'vitest';
import { compileFailure } from '../testing/compile-failure.ts';
import { compileProject } from './compile-project.ts';

const enc = new TextEncoder();

function tree(app: unknown, files: Record<string, string> = {}): Map<string, Uint8Array> {
  return new Map(
    Object.entries({
      'app.json': typeof app === 'string' ? app : JSON.stringify(app, null, 2),
      'app.js': 'App({})',
      'pages/a/a.wxml': '<view />',
      'pages/a/a.js': 'Page({})',
      'pages/b/b.wxml': '<view />',
      'pages/b/b.js': 'Page({})',
      ...files,
    }).map(([k, v]) => [k, enc.encode(v)]),
  );
}

const failure = compileFailure;

const PAGES = ['pages/a/a', 'pages/b/b'];

describe('configuration fields', () => {
  it('keeps unknown and unusable app.json fields out of the build, with report entries', async () => {
    const result = await compileProject(
      tree({
        pages: PAGES,
        renderer: 'skyline',
        window: {
          navigationBarTitleText: 'T',
          navigationBarTextStyle: '#fff',
          enablePullDownRefresh: 'true',
        },
        tabBar: {
          borderStyle: 'rgba(0,0,0,0.1)',
          list: [
            { pagePath: 'pages/a/a', text: 'A' },
            { pagePath: 'pages/b/b', text: 'B' },
          ],
        },
        subpackages: [],
        preloadRule: { 'pages/a/a': { packages: ['nope'] } },
      }),
    );
    expect(result.manifest.window).toEqual({ navigationBarTitleText: 'T' });
    expect(result.manifest.tabBar?.borderStyle).toBeUndefined();
    expect(result.manifest.tabBar?.list).toHaveLength(2);
    expect(result.manifest.preloadRule).toEqual({ 'pages/a/a': { packages: [] } });
    expect(result.report.warnings.map((w) => [w.feature, w.line])).toEqual([
      ['app.json:renderer', 6],
      ['config:window.navigationBarTextStyle', 9],
      ['config:window.enablePullDownRefresh', 10],
      ['config:tabBar.borderStyle', 13],
      ['config:preloadRule', 29],
    ]);
    expect(result.report.warnings[1]?.message).toContain('window.navigationBarTextStyle: Invalid option');
  });

  it('takes "@" variables from theme.json (light) and says dark mode is not applied', async () => {
    const result = await compileProject(
      tree(
        {
          pages: PAGES,
          darkmode: true,
          themeLocation: 'theme.json',
          window: { navigationBarTextStyle: '@navTxt' },
        },
        {
          'theme.json': JSON.stringify({ light: { navTxt: 'black', bg: '#fff' }, dark: { navTxt: 'white' } }),
          'pages/a/a.json': JSON.stringify({ backgroundColor: '@bg' }),
        },
      ),
    );
    expect(result.manifest.window).toEqual({ navigationBarTextStyle: 'black' });
    expect(result.manifest.entries.find((e) => e.path === 'pages/a/a')?.window).toEqual({
      backgroundColor: '#fff',
    });
    expect(result.report.warnings.map((w) => w.feature)).toEqual(['darkmode']);
  });

  it('reports unknown and unusable page/component json fields', async () => {
    const result = await compileProject(
      tree(
        { pages: PAGES },
        {
          'pages/a/a.json': JSON.stringify({
            navigationBarTitleText: 'A',
            navigationBarTextStyle: 'blue',
            renderer: 'skyline',
            styleIsolation: 'none',
          }),
        },
      ),
    );
    expect(result.manifest.entries.find((e) => e.path === 'pages/a/a')?.window).toEqual({
      navigationBarTitleText: 'A',
    });
    expect(result.report.warnings.map((w) => [w.file, w.feature])).toEqual([
      ['pages/a/a.json', 'config:navigationBarTextStyle'],
      ['pages/a/a.json', 'page json:renderer'],
      ['pages/a/a.json', 'config:styleIsolation'],
    ]);
  });

  it('reports unknown and unreadable project.config.json fields without failing', async () => {
    const ok = await compileProject(
      tree({ pages: PAGES }, { 'project.config.json': JSON.stringify({ appid: 'wx1', newToolOption: 1 }) }),
    );
    expect(ok.report.warnings.map((w) => w.feature)).toEqual(['project.config.json:newToolOption']);
    const broken = await compileProject(tree({ pages: PAGES }, { 'project.config.json': '{ "appid": ' }));
    expect(broken.report.warnings.map((w) => w.feature)).toEqual(['config:project.config.json']);
  });

  it('leaves out what WeChat does not upload: cloudfunctionRoot and packOptions.ignore', async () => {
    const result = await compileProject(
      tree(
        { pages: PAGES },
        {
          'project.config.json': JSON.stringify({
            cloudfunctionRoot: 'cloud/',
            packOptions: {
              ignore: [
                { type: 'folder', value: 'tools' },
                { type: 'file', value: './notes.js' },
                { type: 'suffix', value: '.psd' },
                { type: 'prefix', value: 'draft-' },
                { type: 'glob', value: 'docs/**/*.md' },
                { type: 'glob', value: '**/*.bak' },
                { type: 'regexp', value: '(a+)+$' },
              ],
            },
          }),
          'cloud/login/index.js': 'const cloud = require("wx-server-sdk"); exports.main = () => cloud;',
          'tools/build.js': 'this is not JavaScript',
          'notes.js': 'neither is this',
          'images/logo.psd': 'x',
          'pages/a/draft-a.js': 'broken(',
          'docs/guide/intro.md': '# x',
          'pages/a/a.js.bak': 'x',
          'images/keep.png': 'x',
        },
      ),
    );
    expect(result.report.source.ignored).toEqual([
      'cloud/login/index.js',
      'docs/guide/intro.md',
      'images/logo.psd',
      'notes.js',
      'pages/a/a.js.bak',
      'pages/a/draft-a.js',
      'project.config.json',
      'tools/build.js',
    ]);
    expect(result.artifacts[0]?.files.has('images/keep.png')).toBe(true);
    expect(result.report.warnings.map((w) => [w.feature, w.message.slice(0, 40)])).toEqual([
      ['config:packOptions.ignore', 'regexp rule "(a+)+$" is not applied (pat'],
    ]);
  });

  it('fails where WeChat fails: no pages, an empty list, a listed page that does not exist, a bad tabBar list', async () => {
    const none = await failure(tree({ window: {} }));
    expect(none.errors[0]?.message).toContain('app.json has no "pages" list');
    const empty = await failure(tree({ pages: [] }));
    expect(empty.errors[0]?.message).toContain('"pages" must list at least one page');
    const missing = await failure(tree({ pages: ['pages/a/a', 'pages/zzz/zzz'] }));
    expect(missing.errors.map((e) => [e.code, e.file, e.line])).toEqual([['MISSING_FILE', 'app.json', 4]]);
    const using = await failure(tree({ pages: PAGES, usingComponents: { 'x-a': 1 } }));
    expect(using.errors[0]?.message).toContain('usingComponents.x-a');
    const tab = await failure(
      tree({ pages: PAGES, tabBar: { list: [{ pagePath: 'pages/a/a', text: 'A' }] } }),
    );
    expect(tab.errors[0]?.message).toContain('tabBar.list');
  });
});
