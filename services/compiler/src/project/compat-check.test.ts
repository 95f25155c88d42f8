import { describe, expect, it } from 'vitest';
import { checkCompat } from './compat-check.ts';

const enc = new TextEncoder();
const tree = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([k, v]) => [k, enc.encode(v)]));

const page = (name: string, wxml = '<view />') => ({
  [`pages/${name}/${name}.wxml`]: wxml,
  [`pages/${name}/${name}.js`]: 'Page({})',
});

describe('checkCompat', () => {
  it('says per page what failed, through its components and templates, and which errors are outside pages', async () => {
    const res = await checkCompat(
      tree({
        'app.json': JSON.stringify({ pages: ['pages/a/a', 'pages/b/b', 'pages/c/c', 'pages/gone/gone'] }),
        'app.js': 'App({})',
        ...page('a'),
        ...page('b'),
        'pages/b/b.json': JSON.stringify({ usingComponents: { card: '/components/card/card' } }),
        ...page('c', '<import src="/tpl/t.wxml" /><template is="t" />'),
        'tpl/t.wxml': '<template name="t"><view>{{ a + }}</view></template>',
        'components/card/card.json': '{"component": true}',
        'components/card/card.wxml': '<view>{{ broken( }}</view>',
        'components/card/card.js': 'Component({})',
        'scripts/build.js': 'const = 1',
      }),
    );
    expect(res.ok).toBe(false);
    expect(res.summary).toEqual({ pages: 4, compiled: 1 });
    const byPage = Object.fromEntries(res.pages.map((p) => [p.page, p.errors.map((e) => e.file)]));
    expect(byPage).toEqual({
      'pages/a/a': [],
      'pages/b/b': ['components/card/card.wxml'],
      'pages/c/c': ['tpl/t.wxml'],
      'pages/gone/gone': ['app.json'],
    });
    expect(res.otherErrors.map((e) => e.file)).toEqual(['scripts/build.js']);
    expect(res.appErrors).toEqual([]);
  });

  it('fails every page for an error in app files, and compiles project.config.json miniprogramRoot', async () => {
    const res = await checkCompat(
      tree({
        'project.config.json': JSON.stringify({ miniprogramRoot: 'miniprogram/' }),
        'miniprogram/app.json': JSON.stringify({ pages: ['pages/a/a', 'pages/b/b'] }),
        'miniprogram/app.js': 'App({',
        ...Object.fromEntries(
          Object.entries({ ...page('a'), ...page('b') }).map(([k, v]) => [`miniprogram/${k}`, v]),
        ),
      }),
    );
    expect(res.root).toBe('miniprogram');
    expect(res.summary).toEqual({ pages: 2, compiled: 0 });
    expect(res.appErrors.map((e) => [e.code, e.file])).toEqual([['JS_SYNTAX', 'app.js']]);
  });
});
