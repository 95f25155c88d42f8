// The zod/mini schemas that validate untrusted input in the browser: the store's launch answer
// and problem documents, the package index and the app manifest.

import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod/mini';
import { LogicMessageSchema, type ViewMessage } from '../core/bridge.ts';
import { utf8 } from '../package/bytes.ts';
import { PackageFormatError } from '../package/errors.ts';
import { parseIndex } from '../package/format.ts';
import { AppManifestSchema } from '../package/manifest.ts';
import { sha256Hex, toBase64Url, toHex } from './encoding.ts';
import { LaunchResponseSchema } from './launch.ts';
import { holdsAll, LaunchRequestSchema } from './launch-request.ts';
import { ProblemSchema } from './problem.ts';
import { byType, count, dict, firstIssue, type OneOf, PathSegmentSchema, text } from './schema-helpers.ts';

const HEX64 = 'a'.repeat(64);

const launchAnswer = () => ({
  tenant: 'acme',
  appId: 'wx-a',
  miniProgram: 'mp-a',
  version: '1.0.0',
  reason: 'stable',
  artifact: { url: `/v1/tenants/acme/artifacts/${HEX64}`, digest: HEX64, size: 1024 },
  signingKeyId: 'k1',
  wrappedKey: { ephemeralPublicKey: 'B', salt: 's', iv: 'i', ciphertext: 'c' },
  domains: {},
  releaseDigest: 'r',
});

const issueOf = (r: { success: boolean; error?: Parameters<typeof firstIssue>[0] }) =>
  r.success ? 'ok' : firstIssue(r.error!);

describe('count()', () => {
  it('accepts non-negative safe integers only', () => {
    for (const ok of [0, 1, 2 ** 53 - 1]) expect(count().safeParse(ok).success).toBe(true);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1', null])
      expect(count().safeParse(bad).success, String(bad)).toBe(false);
    expect(issueOf(count().safeParse(2.5))).toBe('(root): expected an integer');
  });
});

describe('launch answer', () => {
  it('parses a minimal answer and fills the documented defaults', () => {
    const r = LaunchResponseSchema.parse(launchAnswer());
    expect(r.domains).toEqual({ request: [], upload: [], download: [], socket: [], webView: [] });
    expect(r.permissions).toEqual([]);
    expect(r.purge).toEqual([]);
  });

  it('refuses malformed answers and names the field', () => {
    const cases: Array<[(a: ReturnType<typeof launchAnswer>) => void, string]> = [
      [(a) => (a.artifact.size = -1), 'artifact.size'],
      [(a) => (a.artifact.size = 1.5), 'artifact.size: expected an integer'],
      [(a) => (a.artifact.digest = 'A'.repeat(64)), 'artifact.digest: must be 64 lower-case hex'],
      [(a) => (a.tenant = 'Not_A_Label'), 'tenant: must be an RFC 1123 label'],
      [(a) => (a.reason = 'guess'), 'reason'],
      [(a) => Object.assign(a, { extra: 1 }), '(root)'],
      [(a) => Object.assign(a.wrappedKey, { x: 1 }), 'wrappedKey'],
      [(a) => ((a as { version?: string }).version = undefined), 'version: expected string'],
      [(a) => Object.assign(a.domains, { request: 'https://x' }), 'domains.request: expected array'],
    ];
    for (const [mutate, where] of cases) {
      const a = launchAnswer();
      mutate(a);
      const r = LaunchResponseSchema.safeParse(a);
      expect(r.success, where).toBe(false);
      expect(issueOf(r)).toContain(where);
    }
  });
});

describe('launch answer for artifacts the device holds (cached)', () => {
  const sub = { name: 's', root: 's/', url: '/x', digest: HEX64, size: 1 };
  const key = { ephemeralPublicKey: 'B', salt: 's', iv: 'i', ciphertext: 'c' };
  const { wrappedKey: _, ...unkeyed } = launchAnswer();

  it('is cached with no key anywhere, or keyed everywhere', () => {
    expect(LaunchResponseSchema.safeParse({ ...unkeyed, cached: true, subpackages: [sub] }).success).toBe(
      true,
    );
    expect(
      LaunchResponseSchema.safeParse({ ...launchAnswer(), subpackages: [{ ...sub, wrappedKey: key }] })
        .success,
    ).toBe(true);
    for (const [what, answer] of [
      ['no key, not cached', unkeyed],
      ['cached with a key', { ...launchAnswer(), cached: true }],
      [
        'cached, a subpackage keyed',
        { ...unkeyed, cached: true, subpackages: [{ ...sub, wrappedKey: key }] },
      ],
      ['keyed, a subpackage without', { ...launchAnswer(), subpackages: [sub] }],
      ['cached: false', { ...launchAnswer(), cached: false }],
    ] as const) {
      const r = LaunchResponseSchema.safeParse(answer);
      expect(r.success, what).toBe(false);
      expect(issueOf(r), what).toMatch(/wrappedKey must be given unless cached|cached/);
    }
  });

  it('holdsAll: every resolved digest must be listed', () => {
    const other = 'b'.repeat(64);
    expect(holdsAll({ cachedDigests: [HEX64, other] }, [HEX64, other])).toBe(true);
    expect(holdsAll({ cachedDigests: [HEX64] }, [HEX64, other])).toBe(false);
    expect(holdsAll({ cachedDigests: [] }, [HEX64])).toBe(false);
    const parsed = LaunchRequestSchema.safeParse({
      appId: 'a',
      devicePublicKey: `B${'A'.repeat(86)}=`,
      cachedDigests: [HEX64.toUpperCase()],
    });
    expect(issueOf(parsed)).toContain('cachedDigests.0: must be 64 lower-case hex');
  });
});

describe('launch request device key (deviceKeyCurve)', () => {
  const p256 = `B${'A'.repeat(86)}=`;
  const x25519 = `${'A'.repeat(43)}=`;
  const parse = (fields: Record<string, unknown>) => LaunchRequestSchema.safeParse({ appId: 'a', ...fields });

  it('takes an X25519 key with deviceKeyCurve X25519, a P-256 key without it or with P-256', () => {
    expect(parse({ devicePublicKey: x25519, deviceKeyCurve: 'X25519' }).success).toBe(true);
    expect(
      parse({ devicePublicKey: { kty: 'OKP', crv: 'X25519', x: 'A'.repeat(43) }, deviceKeyCurve: 'X25519' })
        .success,
    ).toBe(true);
    expect(parse({ devicePublicKey: p256 }).success).toBe(true);
    expect(parse({ devicePublicKey: p256, deviceKeyCurve: 'P-256' }).success).toBe(true);
  });

  it('checks the key length for the curve named, with a message that says what is expected', () => {
    expect(issueOf(parse({ devicePublicKey: x25519 }))).toBe(
      'devicePublicKey: must be a P-256 key (raw uncompressed point in base64, 88 characters, or an EC JWK); an X25519 key needs deviceKeyCurve: "X25519"',
    );
    for (const key of [p256, { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'A'.repeat(43) }]) {
      expect(issueOf(parse({ devicePublicKey: key, deviceKeyCurve: 'X25519' }))).toBe(
        'devicePublicKey: must be an X25519 key (32 bytes raw in base64, 44 characters, or an OKP JWK) when deviceKeyCurve is X25519',
      );
    }
    for (const key of [`${'A'.repeat(42)}=`, `${'A'.repeat(44)}=`, 'A'.repeat(44), `${x25519}=`, 42]) {
      expect(issueOf(parse({ devicePublicKey: key, deviceKeyCurve: 'X25519' })), String(key)).toMatch(
        /^devicePublicKey: must be a P-256 key .* or an X25519 key \(32 bytes raw in base64, 44 characters, or an OKP JWK\)$/,
      );
    }
    expect(issueOf(parse({ devicePublicKey: x25519, deviceKeyCurve: 'X448' }))).toMatch(/^deviceKeyCurve: /);
  });
});

describe('problem documents', () => {
  it('keeps unknown members and requires an integer status', () => {
    const p = { type: 'https://tessera.dev/problems/x', title: 'X', status: 404, code: 'x', more: 1 };
    expect(ProblemSchema.parse(p)).toMatchObject({ status: 404, more: 1 });
    expect(ProblemSchema.safeParse({ ...p, status: 404.5 }).success).toBe(false);
  });
});

describe('package index', () => {
  const file = { path: 'app.js', size: 1, sha256: HEX64, nonce: 'A'.repeat(16), offset: 0, length: 40 };
  const index = (files: unknown[]) => ({
    format: 'tessera-package',
    version: 1,
    suite: 'aes256gcm-p256',
    packageId: 'b'.repeat(32),
    kekId: 'c'.repeat(16),
    signingKeyId: 'k1',
    dataKeyCheck: 'd'.repeat(32),
    plaintextDigest: HEX64,
    meta: {},
    files,
  });
  const parse = (v: unknown) => parseIndex(utf8(JSON.stringify(v)));

  it('accepts a well-formed index', () => {
    expect(parse(index([file])).files[0]?.path).toBe('app.js');
  });

  it('refuses bad offsets, lengths, paths and duplicates with the field in the message', () => {
    const bad: Array<[unknown, RegExp]> = [
      [index([{ ...file, length: 40.5 }]), /files\.0\.length: expected an integer/],
      [index([{ ...file, length: 31 }]), /files\.0\.length/],
      [index([{ ...file, offset: -1 }]), /files\.0\.offset/],
      [index([{ ...file, path: '../etc/passwd' }]), /files\.0\.path: must be a relative path/],
      [index([{ ...file, sha256: 'x' }]), /files\.0\.sha256/],
      [index([file, file]), /lists "app.js" twice/],
      [{ ...index([file]), suite: 'rot13' }, /suite/],
    ];
    for (const [v, msg] of bad) expect(() => parse(v)).toThrow(msg);
    expect(() => parseIndex(utf8('{'))).toThrow(PackageFormatError);
  });
});

describe('app manifest', () => {
  const manifest = () => ({
    manifestVersion: 1,
    compilerVersion: '0.1.0',
    entryPagePath: 'pages/index/index',
    pages: ['pages/index/index'],
    subpackages: [],
    window: { navigationBarTitleText: 'Hi', anythingElse: true },
    entries: [{ path: 'pages/index/index', kind: 'page', usingComponents: {} }],
    preloadRule: {},
  });

  it('accepts a compiled manifest, keeping unknown window keys', () => {
    expect(AppManifestSchema.parse(manifest()).window).toMatchObject({ anythingElse: true });
  });

  it('refuses bad preloadRule keys and usingComponents targets', () => {
    const rule = { network: 'all', packages: ['shop'] };
    expect(AppManifestSchema.safeParse({ ...manifest(), preloadRule: { 'pages/a/a': rule } }).success).toBe(
      true,
    );
    expect(issueOf(AppManifestSchema.safeParse({ ...manifest(), preloadRule: { '/abs': rule } }))).toBe(
      'preloadRule: keys must be page paths',
    );
    const entries = [{ path: 'pages/index/index', kind: 'page', usingComponents: { x: '' } }];
    expect(issueOf(AppManifestSchema.safeParse({ ...manifest(), entries }))).toMatch(
      /^entries\.0\.usingComponents\.x: /,
    );
  });

  it('refuses missing pages, absolute page paths and bad tab bars', () => {
    expect(issueOf(AppManifestSchema.safeParse({ ...manifest(), pages: [] }))).toContain('pages');
    expect(issueOf(AppManifestSchema.safeParse({ ...manifest(), entryPagePath: '/abs' }))).toContain(
      'entryPagePath',
    );
    const oneTab = { list: [{ pagePath: 'pages/index/index', text: 'Home' }] };
    expect(issueOf(AppManifestSchema.safeParse({ ...manifest(), tabBar: oneTab }))).toContain('tabBar.list');
  });
});

describe('encoding helpers', () => {
  it('hashes strings and bytes alike, hex and base64url encode', async () => {
    expect(await sha256Hex('abc')).toBe(await sha256Hex(utf8('abc')));
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});

describe('byType()', () => {
  const Msg = byType([
    z.strictObject({ type: z.literal('a'), n: count() }),
    z.strictObject({ type: z.literal('b'), s: z.string() }),
  ]);

  it('parses each kind with its own schema and names the wrong field', () => {
    expect(Msg.safeParse({ type: 'a', n: 1 })).toEqual({ success: true, data: { type: 'a', n: 1 } });
    expect(Msg.safeParse({ type: 'b', s: 'x' }).success).toBe(true);
    expect(issueOf(Msg.safeParse({ type: 'a', n: -1 }))).toMatch(/^n: /);
    expect(issueOf(Msg.safeParse({ type: 'b', s: 'x', n: 1 }))).toMatch(/^\(root\)/);
    expect(issueOf(Msg.safeParse({ type: 'c' }))).toMatch(/^type: /);
    expect(issueOf(Msg.safeParse({ type: 'toString' }))).toMatch(/^type: /);
    for (const bad of [null, 'a', 1, [], {}]) expect(Msg.safeParse(bad).success).toBe(false);
  });

  it('types the result as the union of the kinds', () => {
    expectTypeOf<OneOf<typeof Msg>>().toEqualTypeOf<{ type: 'a'; n: number } | { type: 'b'; s: string }>();
    expectTypeOf<ViewMessage['type']>().toExtend<string>();
    expect(LogicMessageSchema.safeParse({ type: 'ready' }).success).toBe(true);
    expect(issueOf(LogicMessageSchema.safeParse({ type: 'page:show', pageId: 1.5 }))).toBe(
      'pageId: expected an integer',
    );
  });
});

describe('dict() and path segments', () => {
  it('checks every value and, when asked, every key', () => {
    const d = dict(count(), text(3), 'keys must be at most 3 characters');
    expect(d.parse({ a: 1, bcd: 2 })).toEqual({ a: 1, bcd: 2 });
    expect(issueOf(d.safeParse({ a: -1 }))).toMatch(/^a: /);
    expect(issueOf(d.safeParse({ abcd: 1 }))).toBe('(root): keys must be at most 3 characters');
    for (const bad of [null, [], 'x', 1]) expect(d.safeParse(bad).success).toBe(false);
  });

  it('drops a __proto__ key instead of letting it replace the prototype', () => {
    const out = dict(z.unknown()).parse(JSON.parse('{"__proto__":{"polluted":true},"a":1}')) as Record<
      string,
      unknown
    >;
    expect(out).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('a data path step is a bounded key or an array index', () => {
    for (const ok of ['a', '', 'x'.repeat(1024), 0, 7])
      expect(PathSegmentSchema.safeParse(ok).success).toBe(true);
    for (const bad of ['x'.repeat(1025), -1, 1.5, null, {}, true])
      expect(PathSegmentSchema.safeParse(bad).success, String(bad)).toBe(false);
  });

  it('bridge and manifest maps use them', () => {
    const page = { type: 'page:create', pageId: 1, route: 'p', data: {} };
    expect(LogicMessageSchema.safeParse({ ...page, query: { q: 'x' } }).success).toBe(true);
    expect(issueOf(LogicMessageSchema.safeParse({ ...page, query: { ['k'.repeat(257)]: 'x' } }))).toBe(
      'query: keys must be at most 256 characters',
    );
    expect(issueOf(LogicMessageSchema.safeParse({ ...page, query: { q: 1 } }))).toMatch(/^query\.q: /);
  });
});
