import { cp, mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppManifestSchema,
  generateKek,
  generateSigningKeyPair,
  openPackage,
} from '@tessera/runtime-sdk/package';
import { describe, expect, it } from 'vitest';
import { packageArtifacts } from '../package-artifacts.ts';
import { compileFailure } from '../testing/compile-failure.ts';
import { ModuleLoader, textOf } from '../testing/module-loader.ts';
import { CompileCache } from './cache.ts';
import { compileProject } from './compile-project.ts';
import { readSourceDir } from './read-dir.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../test/golden/', import.meta.url));
const demo = await readSourceDir(join(FIXTURES, 'demo'));
const enc = new TextEncoder();
const dec = new TextDecoder();

function withFiles(
  base: ReadonlyMap<string, Uint8Array>,
  files: Record<string, string | null>,
): Map<string, Uint8Array> {
  const tree = new Map(base);
  for (const [k, v] of Object.entries(files)) {
    if (v === null) tree.delete(k);
    else tree.set(k, enc.encode(v));
  }
  return tree;
}

const failure = compileFailure;

describe('compiling the demo mini-program', async () => {
  const result = await compileProject(demo);

  it('produces a main artifact, a subpackage artifact, a manifest and a report', () => {
    expect(result.artifacts.map((a) => a.name)).toEqual(['main', 'sub-packageA']);
    const main = result.artifacts[0]?.files;
    expect([...(main?.keys() ?? [])]).toEqual(
      expect.arrayContaining([
        'app.js',
        'app.css',
        'app.manifest.json',
        'pages/index/index.js',
        'pages/index/index.wxml.js',
        'pages/index/index.css',
        'components/card/card.css',
        'utils/format.wxs.js',
        'images/logo.png',
      ]),
    );
    expect(main?.has('project.config.json')).toBe(false);
    expect([...(result.artifacts[1]?.files.keys() ?? [])]).toEqual([
      'packageA/pages/detail/detail.js',
      'packageA/pages/detail/detail.wxml.js',
    ]);
    const manifest = AppManifestSchema.parse(JSON.parse(dec.decode(main?.get('app.manifest.json'))));
    expect(manifest.pages).toEqual(['pages/index/index', 'pages/list/list']);
    expect(manifest.subpackages).toEqual([
      {
        root: 'packageA',
        name: 'detail',
        pages: ['packageA/pages/detail/detail'],
        independent: false,
        artifact: 'sub-packageA',
      },
    ]);
    expect(manifest.preloadRule).toEqual({
      'pages/list/list': { network: 'all', packages: ['sub-packageA'] },
    });
    const index = manifest.entries.find((e) => e.path === 'pages/index/index');
    expect(index?.usingComponents).toEqual({
      card: 'components/card/card',
      'g-badge': 'components/badge/badge',
    });
    expect(index?.window).toEqual({ navigationBarTitleText: 'Home' });
    expect(result.report.components).toEqual(['components/badge/badge', 'components/card/card']);
    expect(result.report.warnings.map((w) => w.feature)).toEqual(['app.json:workers', 'builtin:video']);
    expect(result.report.source.ignored).toEqual(['project.config.json', 'sitemap.json']);
  });

  it('compiles TypeScript and keeps source maps out of the package', () => {
    const main = result.artifacts[0]?.files;
    const js = dec.decode(main?.get('pages/index/index.js'));
    expect(js).toMatch(
      /^__tesseraDefine\("\/pages\/index\/index.js", function \(module, exports, require\) \{/,
    );
    expect(js).not.toMatch(/interface|: Item\[\]|sourceMappingURL/);
    expect([...(main?.keys() ?? [])].some((p) => p.endsWith('.map'))).toBe(false);
    expect(JSON.parse(result.sourceMaps.get('pages/index/index.js') ?? '{}').sources).toEqual([
      'pages/index/index.ts',
    ]);
  });

  it('renders the compiled page with data (isolation classes, components, slots, injection as text)', () => {
    const loader = new ModuleLoader(result.artifacts[0]?.files ?? new Map());
    const nodes = loader.render('/pages/index/index.wxml', {
      title: '<b>bold</b>',
      items: [{ id: 'a', name: 'Apple', cents: 1250 }],
      tags: ['t1'],
      count: 2,
      dynamic: 'item',
    });
    const text = textOf(nodes);
    expect(text).toContain('<b>bold</b>');
    expect(text).toContain('Apple: ¥12.50');
    expect(text).toContain('some many');
    expect(text).not.toContain('deep 2'); // import is not transitive
    expect(text).not.toContain('hidden template'); // include skips templates
    const card = loader.render('/components/card/card.wxml', { title: 'C' });
    expect(card[0]).toMatchObject({
      t: 'el',
      tag: 'view',
      classes: expect.stringMatching(/^t-[0-9a-f]{8} card$/),
    });
    const css = dec.decode(result.artifacts[0]?.files.get('components/card/card.css'));
    const scope = (card[0] as { classes: string }).classes.split(' ')[0];
    expect(css).toContain(`.card.${scope}{border:0.1333vw solid #ddd}`);
  });

  it('is deterministic across file order, timestamps and cache state', async () => {
    const shuffled = new Map([...demo].reverse());
    const again = await compileProject(shuffled, { cache: new CompileCache() });
    for (const [i, a] of result.artifacts.entries()) {
      const b = again.artifacts[i];
      expect([...(b?.files.keys() ?? [])]).toEqual([...a.files.keys()]);
      for (const [p, bytes] of a.files) expect(b?.files.get(p), p).toEqual(bytes);
    }
    // Re-read the tree from a copy with different mtimes.
    const dir = join(tmpdir(), `tessera-det-${process.pid}`);
    await rm(dir, { recursive: true, force: true });
    await cp(join(FIXTURES, 'demo'), dir, { recursive: true });
    await utimes(join(dir, 'app.json'), new Date(0), new Date(0));
    const fromCopy = await compileProject(await readSourceDir(dir));
    await rm(dir, { recursive: true, force: true });
    const kek = await generateKek();
    const signer = await generateSigningKeyPair();
    const keys = {
      kek: kek.rawBase64,
      kekId: kek.keyId,
      signingKey: signer.privateKeyPkcs8,
      signingKeyId: signer.keyId,
    };
    const [p1, p2] = await Promise.all([packageArtifacts(result, keys), packageArtifacts(fromCopy, keys)]);
    expect(p1.map((p) => p.written.digests.plaintext)).toEqual(p2.map((p) => p.written.digests.plaintext));
    const opened = await openPackage(p1[0]?.written.bytes ?? new Uint8Array(), {
      publicKeys: [signer.publicKeySpki],
      kek: kek.rawBase64,
    });
    expect(await opened.read('app.js')).toEqual(result.artifacts[0]?.files.get('app.js'));
  });

  it('reuses per-file results on a warm compile and invalidates on change', async () => {
    const cache = new CompileCache();
    await compileProject(demo, { cache });
    const missesCold = cache.misses;
    await compileProject(demo, { cache });
    expect(cache.misses).toBe(missesCold);
    expect(cache.hits).toBeGreaterThanOrEqual(20);
    const changed = withFiles(demo, { 'partials/header.wxml': '<view>changed {{title}}</view>' });
    const r = await compileProject(changed, { cache });
    const loader = new ModuleLoader(r.artifacts[0]?.files ?? new Map());
    expect(textOf(loader.render('/pages/index/index.wxml', { title: 'X' }))).toContain('changed X');
  });
});

describe('golden generated code', () => {
  it('matches test/golden for representative templates (UPDATE_GOLDEN=1 rewrites)', async () => {
    const r = await compileProject(demo, { minify: false });
    for (const path of [
      'pages/index/index.wxml.js',
      'components/card/card.wxml.js',
      'templates/item.wxml.js',
      'app.css',
      'pages/index/index.css',
    ]) {
      const actual = dec.decode(r.artifacts[0]?.files.get(path));
      const goldenPath = join(GOLDEN, path.replaceAll('/', '__'));
      if (process.env.UPDATE_GOLDEN === '1') {
        await mkdir(GOLDEN, { recursive: true });
        await writeFile(goldenPath, actual);
      }
      expect(actual, path).toBe(await readFile(goldenPath, 'utf8'));
    }
  });
});

describe('compile errors name file, line and column', () => {
  it('collects errors from several files', async () => {
    const f = await failure(
      withFiles(demo, {
        'pages/list/list.wxml': '<view>\n  <text>{{ a + }}</text>\n</view>',
        'components/card/card.wxss': '.card {\n  color: red;\n',
        'utils/util.js': 'function (',
      }),
    );
    expect(f.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ['components/card/card.wxss', 1, 'WXSS_SYNTAX'],
      ['pages/list/list.wxml', 2, 'WXML_EXPRESSION'],
      ['utils/util.js', 1, 'JS_SYNTAX'],
    ]);
  });
  it('reports app.json problems at the offending key', async () => {
    expect((await failure(withFiles(demo, { 'app.json': '{"pages": []}' }))).errors[0]?.message).toMatch(
      /at least one page/,
    );
    const bad = await failure(withFiles(demo, { 'app.json': '{\n  "pages": ["pages/index/index",]\n}' }));
    expect(bad.errors[0]).toMatchObject({ code: 'JSON_SYNTAX', file: 'app.json', line: 2 });
    const missing = await failure(
      withFiles(demo, { 'app.json': '{\n  "pages": [\n    "pages/nope/nope"\n  ]\n}' }),
    );
    expect(missing.errors[0]).toMatchObject({ code: 'MISSING_FILE', file: 'app.json', line: 3, column: 6 });
    expect(missing.errors[0]?.message).toMatch(/pages\/nope\/nope.wxml/);
    expect((await failure(withFiles(demo, { 'app.json': null }))).errors[0]?.message).toMatch(
      /app.json is missing/,
    );
  });
  it('reports inline and file wxs errors with positions', async () => {
    const f = await failure(
      withFiles(demo, {
        'pages/list/list.wxml': '<view/>\n<wxs module="m">\nvar a = 1;\nvar f = (x) => ;\n</wxs>',
        'utils/math.wxs': 'let x = ;',
      }),
    );
    expect(f.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ['pages/list/list.wxml', 4, 'WXS_SYNTAX'],
      ['utils/math.wxs', 1, 'WXS_SYNTAX'],
    ]);
  });
  it('rejects components without "component": true and missing components', async () => {
    const f = await failure(withFiles(demo, { 'components/card/card.json': '{}' }));
    expect(f.errors[0]?.message).toMatch(/lacks "component": true/);
    const g = await failure(
      withFiles(demo, { 'pages/list/list.json': '{"usingComponents": {"x": "./missing"}}' }),
    );
    expect(g.errors[0]).toMatchObject({ file: 'pages/list/list.json', code: 'MISSING_FILE' });
  });
});
