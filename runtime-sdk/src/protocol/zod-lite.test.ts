// zod-lite must accept and refuse exactly what zod/mini does for every schema the browser
// parses: each schema module is loaded twice, once on zod and once with 'zod/mini' pointing at
// zod-lite (as the web build does), and both parse the same valid samples and thousands of
// mutations of them (each field removed, retyped, oversized; unknown and "__proto__" keys).

import { describe, expect, it, vi } from 'vitest';
import { LogicMessageSchema, ViewMessageSchema } from '../core/bridge.ts';
import { PackageIndexSchema } from '../package/format.ts';
import { AppManifestSchema } from '../package/manifest.ts';
import { LaunchResponseSchema } from './launch.ts';
import { ProblemSchema } from './problem.ts';

type Parser = { safeParse(v: unknown): unknown };
type Parsed = { success: true; data: unknown } | { success: false; error: { issues: { path: unknown[] }[] } };

async function liteSchemas() {
  vi.resetModules();
  vi.doMock('zod/mini', () => import('./zod-lite.ts'));
  const [bridge, format, manifest, launch, problem] = await Promise.all([
    import('../core/bridge.ts'),
    import('../package/format.ts'),
    import('../package/manifest.ts'),
    import('./launch.ts'),
    import('./problem.ts'),
  ]);
  vi.doUnmock('zod/mini');
  return {
    LogicMessageSchema: bridge.LogicMessageSchema as Parser,
    ViewMessageSchema: bridge.ViewMessageSchema as Parser,
    PackageIndexSchema: format.PackageIndexSchema as Parser,
    AppManifestSchema: manifest.AppManifestSchema as Parser,
    LaunchResponseSchema: launch.LaunchResponseSchema as Parser,
    ProblemSchema: problem.ProblemSchema as Parser,
  };
}

const HEX = (n: number) => 'ab'.repeat(n / 2);
const wrapped = { ephemeralPublicKey: 'B', salt: 's', iv: 'i', ciphertext: 'c' };

const SAMPLES: Record<string, unknown[]> = {
  LaunchResponseSchema: [
    {
      tenant: 'acme',
      appId: 'wx-a',
      miniProgram: 'mp-a',
      version: '1.0.0',
      reason: 'gray-rule',
      rule: 'beta',
      artifact: {
        url: `/v1/tenants/acme/artifacts/${HEX(64)}`,
        digest: HEX(64),
        size: 1024,
        plaintextDigest: HEX(64),
        indexSignature: 'sig',
      },
      signingKeyId: 'k1',
      wrappedKey: wrapped,
      domains: { request: ['https://api.example.com'], socket: [] },
      privacyScopes: [{ scope: 'scope.userLocation', purpose: 'find stores' }],
      permissions: ['hostApi:scan'],
      purge: ['0.9.0'],
      releaseDigest: 'r',
      subpackages: [
        { name: 'shop', root: 'shop/', url: '/x', digest: HEX(64), size: 2, wrappedKey: wrapped },
      ],
      release: { document: '{}', signature: 's', keyId: 'k1' },
      updatePolicy: { background: true, wifiOnly: false, checkIntervalSeconds: 3600 },
      branding: { primaryColor: '#112233', logo: 'data:x', capsule: { visible: true, style: 'dark' } },
      revokedSigningKeyIds: ['k0'],
    },
    {
      tenant: 'acme',
      appId: 'wx-a',
      miniProgram: 'mp-a',
      version: '1.0.0',
      reason: 'stable',
      artifact: { url: '/a', digest: HEX(64), size: 0 },
      signingKeyId: 'k1',
      cached: true,
      domains: {},
      releaseDigest: 'r',
    },
  ],
  ProblemSchema: [
    {
      type: 'https://tessera.dev/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'd',
      code: 'bad-request',
      errors: [{ path: 'a', message: 'm' }],
      extension: { any: 1 },
    },
  ],
  AppManifestSchema: [
    {
      manifestVersion: 1,
      compilerVersion: '1.2.3',
      entryPagePath: 'pages/a/a',
      pages: ['pages/a/a', 'pages/b/b'],
      subpackages: [{ root: 'shop', name: 'shop', pages: ['shop/p'], independent: false, artifact: 'x' }],
      window: {
        navigationBarTitleText: 'T',
        navigationBarTextStyle: 'white',
        enablePullDownRefresh: true,
        other: 1,
      },
      tabBar: {
        color: '#000',
        list: [
          { pagePath: 'pages/a/a', text: 'A', iconPath: 'a.png' },
          { pagePath: 'pages/b/b', text: 'B' },
        ],
      },
      entries: [
        {
          path: 'pages/a/a',
          kind: 'page',
          usingComponents: { card: 'components/card/card' },
          window: { navigationStyle: 'custom' },
          styleIsolation: 'shared',
        },
      ],
      preloadRule: { 'pages/a/a': { network: 'wifi', packages: ['shop'] } },
    },
  ],
  PackageIndexSchema: [
    {
      format: 'tessera-package',
      version: 1,
      suite: 'aes256gcm-p256',
      packageId: HEX(32),
      kekId: HEX(16),
      signingKeyId: 'k1',
      dataKeyCheck: HEX(32),
      plaintextDigest: HEX(64),
      meta: { compiler: '1' },
      files: [
        { path: 'app.js', size: 10, sha256: HEX(64), nonce: 'AAAAAAAAAAAAAAAA', offset: 0, length: 64 },
      ],
    },
  ],
  LogicMessageSchema: [
    { type: 'ready' },
    { type: 'page:create', pageId: 1, route: 'pages/a/a', query: { q: '1' }, data: { a: [1, { b: 2 }] } },
    {
      type: 'data',
      id: 1,
      pageId: 1,
      seq: 3,
      patches: [{ path: ['a', 0], value: null }],
      externalClasses: ['x'],
    },
    {
      type: 'trigger',
      id: 2,
      pageId: 1,
      name: 'change',
      detail: { v: 1 },
      options: { bubbles: true, composed: false, capturePhase: false },
    },
    { type: 'api', callId: 7, name: 'request', args: { url: 'https://x' } },
    { type: 'storage:set', key: 'k', value: null },
    { type: 'error', message: 'boom', where: 'onLoad' },
  ],
  ViewMessageSchema: [
    {
      type: 'event',
      owner: 1,
      handler: 'onTap',
      event: {
        type: 'tap',
        timeStamp: 12.5,
        target: { id: 't', dataset: { i: 1 } },
        currentTarget: { id: 't', dataset: {} },
        mark: {},
        detail: { x: 1 },
        touches: [{ x: 1 }],
      },
    },
    {
      type: 'comp:attach',
      id: 2,
      pageId: 1,
      parentId: 1,
      path: 'c/c',
      props: {},
      elementId: 'e',
      classes: 'a b',
      dataset: {},
    },
    { type: 'comp:props', id: 2, props: { a: 1 }, elementId: 'e', classes: 'a' },
    { type: 'page:scroll', pageId: 1, scrollTop: 12.5 },
    { type: 'navigate', url: '/pages/b/b?x=1', openType: 'switchTab' },
  ],
};

const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  'a'.repeat(5000),
  '/abs/',
  '#12345g',
  true,
  [],
  ['x', 1],
  {},
  { type: 'ready' },
];

const LIMITS = [1, 2, 5, 16, 32, 63, 64, 128, 256, 512, 1024, 2048, 4096];

type Tree = Record<string | number, unknown> & unknown[];

const valueAt = (v: unknown, at: (string | number)[]) => at.reduce((x, k) => (x as Tree)[k], v);

/** Every path to a value inside `v` (the root included). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function edit(
  sample: unknown,
  at: (string | number)[],
  change: (parent: Tree, key: string | number) => void,
) {
  const copy = structuredClone(sample);
  if (!at.length) return copy;
  change(valueAt(copy, at.slice(0, -1)) as Tree, at[at.length - 1]!);
  return copy;
}

function mutations(sample: unknown): unknown[] {
  const out: unknown[] = [sample];
  for (const at of paths(sample)) {
    const holder = edit(sample, at, () => {});
    if (!at.length) {
      out.push(...REPLACEMENTS);
      continue;
    }
    out.push(
      edit(holder, at, (p, k) => {
        if (Array.isArray(p)) p.splice(Number(k), 1);
        else delete p[k];
      }),
    );
    for (const r of REPLACEMENTS) out.push(edit(holder, at, (p, k) => (p[k] = r)));
    // each side of every length limit the schemas set
    const value = valueAt(holder, at);
    for (const n of LIMITS)
      for (const len of [n, n + 1]) {
        if (typeof value === 'string') out.push(edit(holder, at, (p, k) => (p[k] = 'a'.repeat(len))));
        if (Array.isArray(value) && value.length)
          out.push(edit(holder, at, (p, k) => (p[k] = Array.from({ length: len }, () => value[0]))));
      }
  }
  for (const at of paths(sample)) {
    const target = edit(sample, at, () => {});
    const value = valueAt(target, at);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      out.push(edit(sample, [...at, 'zzUnknown'], (p, k) => (p[k] = 1)));
      // an own "__proto__" key, as JSON.parse makes it
      const rest = JSON.stringify(value).slice(1);
      const json = `{"__proto__":{"polluted":1}${rest === '}' ? '' : ','}${rest}`;
      out.push(at.length ? edit(sample, at, (p, k) => (p[k] = JSON.parse(json))) : JSON.parse(json));
    }
  }
  return out;
}

// toStrictEqual tells a key holding undefined from an absent one, as zod's output does
const verdict = (r: Parsed) =>
  r.success ? { ok: true, data: r.data } : { ok: false, firstPath: r.error.issues[0]!.path };

describe('zod-lite parses as zod/mini does', async () => {
  const lite = await liteSchemas();
  const real: Record<string, Parser> = {
    LogicMessageSchema,
    ViewMessageSchema,
    PackageIndexSchema,
    AppManifestSchema,
    LaunchResponseSchema,
    ProblemSchema,
  };

  it('loads a distinct copy of each schema module on zod-lite', () => {
    expect(lite.LaunchResponseSchema).not.toBe(LaunchResponseSchema);
    expect(LaunchResponseSchema).toHaveProperty('_zod.def');
    expect(lite.LaunchResponseSchema).not.toHaveProperty('_zod.def');
  });

  for (const [name, samples] of Object.entries(SAMPLES)) {
    it(`${name}: the same verdict, data and first issue path on every mutation`, () => {
      let accepted = 0;
      let refused = 0;
      for (const sample of samples) {
        expect((real[name]!.safeParse(sample) as Parsed).success, 'the sample is valid').toBe(true);
        for (const input of mutations(sample)) {
          const want = verdict(real[name]!.safeParse(input) as Parsed);
          const got = verdict(lite[name as keyof typeof lite].safeParse(input) as Parsed);
          expect(got, JSON.stringify(input)?.slice(0, 300)).toStrictEqual(want);
          if (want.ok) accepted++;
          else refused++;
        }
      }
      // both kinds of input were exercised
      expect(accepted).toBeGreaterThan(samples.length);
      expect(refused).toBeGreaterThan(20);
    });
  }

  it('never lets a "__proto__" key set the prototype of what it returns', () => {
    const input = JSON.parse(
      '{"type":"page:create","pageId":1,"route":"r","query":{},"data":{"__proto__":{"polluted":1}}}',
    );
    const r = lite.LogicMessageSchema.safeParse(input) as { success: true; data: { data: object } };
    expect(r.success).toBe(true);
    expect(Object.getPrototypeOf(r.data.data)).toBe(Object.prototype);
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

  it('says what was wrong and where', () => {
    const r = lite.LaunchResponseSchema.safeParse({
      ...SAMPLES.LaunchResponseSchema![1]!,
      extra: 1,
    }) as Parsed;
    expect(r.success).toBe(false);
    if (!r.success)
      expect(r.error.issues[0]).toMatchObject({ path: [], message: 'unrecognized key: "extra"' });
  });
});
