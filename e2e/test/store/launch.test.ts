// Store end to end: real PostgreSQL, Redis, kube-apiserver (TokenReview / SubjectAccessReview),
// real packages and signed release documents. Launch, download, upload, replay and abuse cases.

import { randomUUID } from 'node:crypto';
import {
  deviceKeyFields,
  generateDeviceKeyPair,
  negotiateDeviceKeyPair,
  openPackage,
  unwrapDataKeyFromStore,
  verifyDetached,
} from '@tessera/runtime-sdk/package';
import { LaunchResponseSchema } from '@tessera/runtime-sdk/protocol';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import {
  artifactOf,
  makeIdentities,
  makePackage,
  makeTenant,
  releaseConfigMap,
  releaseDoc,
  signedFetch,
  type TenantFixture,
} from './fixtures.ts';

let pg: PostgresServer;
let redis: RedisServer;
let store: Store;
let state: ReleaseState;
let ns: { name: string; remove: () => Promise<void> };
let nsB: { name: string; remove: () => Promise<void> };
let tokens: { ci: string; reviewer: string; admin: string; outsider: string };
let acme: TenantFixture;
let other: TenantFixture;
let pkgStable: Awaited<ReturnType<typeof makePackage>>;
let pkgGray: Awaited<ReturnType<typeof makePackage>>;

const put = (path: string, body: Uint8Array | string, token?: string, headers: Record<string, string> = {}) =>
  fetch(store.url + path, {
    method: 'PUT',
    body: typeof body === 'string' ? body : Buffer.from(body),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const kc = loadKubeConfig();
  ns = await createTestNamespace('store-a');
  nsB = await createTestNamespace('store-b');
  tokens = await makeIdentities(kc, ns.name);
  state = new ReleaseState();
  store = await startStore({
    databaseUrl: pg.url,
    redisUrl: redis.url,
    kubeConfig: kc,
    state,
    logger: pino({ level: 'silent' }),
  });
  acme = await makeTenant(state, 'acme', ns.name);
  other = await makeTenant(state, 'other', nsB.name);
  pkgStable = await makePackage(acme, {
    'app.json': '{"pages":["pages/index/index"]}',
    'pages/index/index.js': 'Page({})',
  });
  pkgGray = await makePackage(acme, {
    'app.json': '{"pages":["pages/index/index"]}',
    'pages/index/index.js': 'Page({gray:1})',
  });
});

/** tessera_store_launch_answers_total by key delivery, from the store's /metrics. */
async function launchAnswers(): Promise<{ wrapped: number; cached: number }> {
  const text = await (await fetch(`${store.url}/metrics`)).text();
  const count = (keys: string) =>
    Number(
      new RegExp(`^tessera_store_launch_answers_total\\{keys="${keys}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { wrapped: count('wrapped'), cached: count('cached') };
}

afterAll(async () => {
  await store?.close();
  await Promise.all([pg?.destroy(), redis?.destroy(), ns?.remove(), nsB?.remove()]);
});

describe('artifact upload (TokenReview + SubjectAccessReview)', () => {
  it('accepts the CI service account, refuses others, checks the digest', async () => {
    const path = `/v1/tenants/acme/artifacts/${pkgStable.digests.ciphertext}`;
    expect((await put(path, pkgStable.bytes)).status).toBe(401);
    expect((await put(path, pkgStable.bytes, 'not-a-real-token-xxxx')).status).toBe(401);
    const outsider = await put(path, pkgStable.bytes, tokens.outsider);
    expect(outsider.status).toBe(403);
    expect(outsider.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await put(`/v1/tenants/acme/artifacts/${'0'.repeat(64)}`, pkgStable.bytes, tokens.ci);
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { code: string }).code).toBe('digest-mismatch');
    expect((await put(path, pkgStable.bytes, tokens.ci)).status).toBe(201);
    expect((await put(path, pkgStable.bytes, tokens.ci)).status).toBe(200);
    const gray = `/v1/tenants/acme/artifacts/${pkgGray.digests.ciphertext}`;
    expect((await put(gray, pkgGray.bytes, tokens.ci)).status).toBe(201);
  });

  it('refuses path tricks, garbage packages and other tenants', async () => {
    expect((await put('/v1/tenants/acme/artifacts/..%2F..%2Fetc', 'x', tokens.ci)).status).toBe(400);
    expect((await put('/v1/tenants/acme/artifacts/ABC', 'x', tokens.ci)).status).toBe(400);
    const junk = 'definitely not a package';
    const { sha256 } = await import('./fixtures.ts');
    const r = await put(`/v1/tenants/acme/artifacts/${sha256(junk)}`, junk, tokens.ci);
    expect(r.status).toBe(422);
    // the CI account has no rights in the other tenant's namespace
    expect(
      (await put(`/v1/tenants/other/artifacts/${pkgStable.digests.ciphertext}`, pkgStable.bytes, tokens.ci))
        .status,
    ).toBe(403);
    expect(
      (await put(`/v1/tenants/nope/artifacts/${pkgStable.digests.ciphertext}`, pkgStable.bytes, tokens.ci))
        .status,
    ).toBe(404);
  });

  it('uploads and fetches sources, streamed and size-limited', async () => {
    const { sha256 } = await import('./fixtures.ts');
    const src = Buffer.alloc(3 * 256 * 1024 + 123, 7);
    const path = `/v1/tenants/acme/sources/${sha256(src)}`;
    expect((await put(path, src, tokens.ci)).status).toBe(201);
    const back = await fetch(store.url + path, { headers: { authorization: `Bearer ${tokens.ci}` } });
    expect(back.status).toBe(200);
    expect(Buffer.from(await back.arrayBuffer()).equals(src)).toBe(true);
    // a streamed (chunked, no content-length) body over the 50 MiB limit is cut off with 413
    // and leaves nothing behind
    const { request } = await import('node:http');
    const bigDigest = 'b'.repeat(64);
    const status = await new Promise<number>((resolve) => {
      const req = request(`${store.url}/v1/tenants/acme/sources/${bigDigest}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.ci}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(-1));
      const chunk = Buffer.alloc(1024 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 51) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    // -1: the server closed the connection before the client finished sending
    expect([413, -1]).toContain(status);
    const after = await fetch(`${store.url}/v1/tenants/acme/sources/${bigDigest}`, {
      headers: { authorization: `Bearer ${tokens.ci}` },
    });
    expect(after.status).toBe(404);
    const declared = await fetch(`${store.url}/v1/tenants/acme/sources/${bigDigest}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.ci}`, 'content-length': String(60 * 1024 * 1024) },
      body: new ReadableStream({ start: (c) => c.close() }),
      duplex: 'half',
    } as RequestInit).catch(() => null);
    if (declared) expect(declared.status).toBe(413);
  });
});

describe('launch', () => {
  beforeAll(async () => {
    const doc = releaseDoc(acme, {
      stable: { version: '1.0.0', artifact: artifactOf(pkgStable) },
      candidates: [{ version: '1.1.0', artifact: artifactOf(pkgGray) }],
      grayRules: [
        {
          name: 'shanghai',
          version: '1.1.0',
          priority: 10,
          match: {
            all: [
              {
                attribute: 'city',
                operator: 'Eq',
                values: ['上海'],
                caseInsensitive: false,
                inverted: false,
              },
            ],
          },
          paused: false,
          users: { ids: ['tester-1'] },
        },
      ],
      revokedVersions: ['0.9.0'],
    });
    expect(await state.applyConfigMap(await releaseConfigMap(acme, doc))).toEqual({
      ok: true,
      refusedRules: [],
    });
  });

  it('refuses a release document whose signature does not verify', async () => {
    const bad = await releaseConfigMap(
      acme,
      releaseDoc(acme, { miniProgram: 'evil', appId: 'evil-app' }),
      true,
    );
    const r = await state.applyConfigMap(bad);
    expect(r.ok).toBe(false);
  });

  it('resolves stable, gray and user-list versions and the device can decrypt what it downloads', async () => {
    const device = await generateDeviceKeyPair();
    const launch = async (body: Record<string, unknown>) => {
      const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
        ...body,
      });
      expect(response.status).toBe(200);
      return LaunchResponseSchema.parse(await response.json());
    };
    const stable = await launch({ userId: 'u1', cachedVersions: ['0.9.0', '1.0.0'] });
    expect(stable).toMatchObject({
      version: '1.0.0',
      reason: 'stable',
      purge: ['0.9.0'],
      permissions: ['hostApi:getUserToken'],
    });
    expect((await launch({ userId: 'u2', attributes: { city: '上海' } })).reason).toBe('gray-rule');
    expect(await launch({ userId: 'tester-1' })).toMatchObject({
      version: '1.1.0',
      reason: 'user-list',
      rule: 'shanghai',
    });

    const dl = await signedFetch(store.url, acme, 'GET', stable.artifact.url);
    expect(dl.response.status).toBe(200);
    expect(dl.response.headers.get('etag')).toBe(`"${stable.artifact.digest}"`);
    expect(dl.response.headers.get('cache-control')).toContain('immutable');
    const bytes = new Uint8Array(await dl.response.arrayBuffer());
    const dataKey = await unwrapDataKeyFromStore(stable.wrappedKey!, device.privateKey);
    const publicKeys = [{ keyId: acme.signing.keyId, key: acme.signing.publicKeySpki }];
    const opened = await openPackage(bytes, {
      publicKeys,
      dataKey,
      expect: { plaintextDigest: stable.artifact.plaintextDigest ?? '' },
    });
    expect(new TextDecoder().decode(await opened.read('pages/index/index.js'))).toBe('Page({})');

    // the signed release document comes only when asked for (wantRelease): a client that
    // verifies the store checks the answer against it; the SDK does not ask
    expect(stable.release).toBeUndefined();
    const verifying = await launch({ userId: 'u1', wantRelease: true });
    expect(verifying.version).toBe(stable.version);
    const release = verifying.release;
    if (!release) throw new Error('launch response with wantRelease has no signed release document');
    expect(
      await verifyDetached(
        new TextEncoder().encode(release.document),
        release.signature,
        publicKeys,
        release.keyId,
      ),
    ).toBe(acme.signing.keyId);
    const signedDoc = JSON.parse(release.document) as {
      stable: { version: string; artifact: { digest: string } };
    };
    expect(signedDoc.stable.version).toBe(stable.version);
    expect(signedDoc.stable.artifact.digest).toBe(`sha256:${stable.artifact.digest}`);
    // a client that already holds this document gets it omitted
    const again = await launch({ userId: 'u1', wantRelease: true, releaseDigest: stable.releaseDigest });
    expect(again.release).toBeUndefined();
    expect((await launch({ userId: 'u1', wantRelease: true, releaseDigest: 'stale' })).release).toEqual(
      release,
    );

    // another device cannot use this wrapped key
    const thief = await generateDeviceKeyPair();
    await expect(unwrapDataKeyFromStore(stable.wrappedKey!, thief.privateKey)).rejects.toThrow();
  });

  it('wraps the main package and subpackage keys for the device from one ECDH (fresh salt and iv each)', async () => {
    const doc = releaseDoc(acme, {
      miniProgram: 'bank-sub',
      appId: 'bank-sub-app',
      stable: {
        version: '2.0.0',
        artifact: {
          ...artifactOf(pkgStable),
          subpackages: [
            {
              name: 'extra',
              root: 'packageA/',
              digest: `sha256:${pkgGray.digests.ciphertext}`,
              size: pkgGray.bytes.length,
            },
          ],
        },
      },
    });
    expect((await state.applyConfigMap(await releaseConfigMap(acme, doc))).ok).toBe(true);
    const device = await generateDeviceKeyPair();
    const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
      appId: 'bank-sub-app',
      devicePublicKey: device.publicKeyRaw,
    });
    expect(response.status).toBe(200);
    const answer = LaunchResponseSchema.parse(await response.json());
    const sub = answer.subpackages?.[0];
    if (!sub) throw new Error('launch response has no subpackage');
    expect(sub).toMatchObject({ name: 'extra', root: 'packageA/', digest: pkgGray.digests.ciphertext });
    // one store key per launch: the same ephemeralPublicKey (the ECDH input) on both keys,
    // each with its own salt and iv
    expect(sub.wrappedKey!.ephemeralPublicKey).toBe(answer.wrappedKey!.ephemeralPublicKey);
    expect(sub.wrappedKey!.salt).not.toBe(answer.wrappedKey!.salt);
    expect(sub.wrappedKey!.iv).not.toBe(answer.wrappedKey!.iv);
    const publicKeys = [{ keyId: acme.signing.keyId, key: acme.signing.publicKeySpki }];
    const main = await openPackage(pkgStable.bytes, {
      publicKeys,
      dataKey: await unwrapDataKeyFromStore(answer.wrappedKey!, device.privateKey),
    });
    expect(new TextDecoder().decode(await main.read('pages/index/index.js'))).toBe('Page({})');
    const extra = await openPackage(pkgGray.bytes, {
      publicKeys,
      dataKey: await unwrapDataKeyFromStore(sub.wrappedKey!, device.privateKey),
    });
    expect(new TextDecoder().decode(await extra.read('pages/index/index.js'))).toBe('Page({gray:1})');
    const thief = await generateDeviceKeyPair();
    await expect(unwrapDataKeyFromStore(sub.wrappedKey!, thief.privateKey)).rejects.toThrow();
  });

  it('negotiated device key agreement: X25519 when the device asks for it, P-256 otherwise; each opens only on its device', async () => {
    const publicKeys = [{ keyId: acme.signing.keyId, key: acme.signing.publicKeySpki }];
    const launchWith = async (device: Awaited<ReturnType<typeof generateDeviceKeyPair>>) => {
      const { response, headers } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId: 'bank-app',
        userId: 'u1',
        ...deviceKeyFields(device),
      });
      expect(response.status).toBe(200);
      return { answer: LaunchResponseSchema.parse(await response.json()), headers };
    };
    const x = await negotiateDeviceKeyPair();
    expect(x.curve).toBe('X25519');
    const p = await generateDeviceKeyPair('P-256');
    const { answer: viaX, headers } = await launchWith(x);
    const { answer: viaP } = await launchWith(p);
    // the store answers on the device's curve, from its semi-static key for that curve
    expect(Buffer.from(viaX.wrappedKey!.ephemeralPublicKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(viaP.wrappedKey!.ephemeralPublicKey, 'base64')).toHaveLength(65);
    // the same version, artifact and signed release either way
    expect({ ...viaX, wrappedKey: undefined }).toEqual({ ...viaP, wrappedKey: undefined });
    for (const [answer, device, other] of [
      [viaX, x, p],
      [viaP, p, x],
    ] as const) {
      const pkg = await openPackage(pkgStable.bytes, {
        publicKeys,
        dataKey: await unwrapDataKeyFromStore(answer.wrappedKey!, device.privateKey),
        expect: { plaintextDigest: answer.artifact.plaintextDigest ?? '' },
      });
      expect(new TextDecoder().decode(await pkg.read('pages/index/index.js'))).toBe('Page({})');
      // another device on either curve cannot use the key
      await expect(unwrapDataKeyFromStore(answer.wrappedKey!, other.privateKey)).rejects.toThrow();
      const thief = await generateDeviceKeyPair(device.curve);
      await expect(unwrapDataKeyFromStore(answer.wrappedKey!, thief.privateKey)).rejects.toThrow();
    }
    // two X25519 launches under the same store key still get different wrap keys (fresh device key)
    const x2 = await negotiateDeviceKeyPair();
    const { answer: again } = await launchWith(x2);
    expect(again.wrappedKey!.ephemeralPublicKey).toBe(viaX.wrappedKey!.ephemeralPublicKey);
    await expect(unwrapDataKeyFromStore(again.wrappedKey!, x.privateKey)).rejects.toThrow();
    // replay protection is the same for an X25519 launch
    const replay = await fetch(`${store.url}/v1/launch`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ appId: 'bank-app', userId: 'u1', ...deviceKeyFields(x) }),
    });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('nonce-replayed');
  });

  it('hostile device keys: small-order and non-canonical X25519 keys, keys on the wrong curve, off-curve points are a 400 that says why', async () => {
    const x = await negotiateDeviceKeyPair();
    const p = await generateDeviceKeyPair('P-256');
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const refused = async (fields: Record<string, unknown>) => {
      const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId: 'bank-app',
        ...fields,
      });
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.code).toBe('invalid-request');
      return problem.detail;
    };
    for (const hex of [
      '0000000000000000000000000000000000000000000000000000000000000000',
      '0100000000000000000000000000000000000000000000000000000000000000',
      'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
      '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ]) {
      expect(await refused({ devicePublicKey: b64(hex), deviceKeyCurve: 'X25519' }), hex).toBe(
        'devicePublicKey is a small-order X25519 point (the shared secret would be all zeros)',
      );
    }
    for (const hex of [
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000080',
    ]) {
      expect(await refused({ devicePublicKey: b64(hex), deviceKeyCurve: 'X25519' }), hex).toBe(
        'devicePublicKey is not a valid X25519 key (32 bytes raw, base64, or an OKP JWK)',
      );
    }
    expect(await refused({ devicePublicKey: x.publicKeyRaw })).toContain(
      'an X25519 key needs deviceKeyCurve: "X25519"',
    );
    expect(await refused({ devicePublicKey: p.publicKeyRaw, deviceKeyCurve: 'X25519' })).toContain(
      'must be an X25519 key (32 bytes raw in base64, 44 characters, or an OKP JWK) when deviceKeyCurve is X25519',
    );
    expect(await refused({ devicePublicKey: x.publicKeyRaw, deviceKeyCurve: 'X448' })).toContain(
      'deviceKeyCurve',
    );
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64');
    expect(await refused({ devicePublicKey: offCurve })).toBe(
      'devicePublicKey is not a valid ECDH P-256 key (JWK or raw uncompressed point)',
    );
  });

  it('minSdkVersion: an SDK older than the stable version gets the newest fallback it can run, or a 426', async () => {
    const doc = releaseDoc(acme, {
      miniProgram: 'bank-min',
      appId: 'bank-min-app',
      stable: { version: '2.0.0', minSdkVersion: '2.0.0', artifact: artifactOf(pkgStable) },
      fallbacks: [{ version: '1.4.0', artifact: artifactOf(pkgGray) }],
    });
    expect((await state.applyConfigMap(await releaseConfigMap(acme, doc))).ok).toBe(true);
    const launch = async (appId: string, sdkVersion: string | undefined) => {
      const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId,
        devicePublicKey: (await generateDeviceKeyPair()).publicKeyRaw,
        ...(sdkVersion ? { sdkVersion } : {}),
      });
      return {
        status: response.status,
        body: (await response.json()) as { version?: string; detail?: string },
      };
    };
    expect(await launch('bank-min-app', '2.1.0')).toMatchObject({ status: 200, body: { version: '2.0.0' } });
    expect(await launch('bank-min-app', '2.0.0')).toMatchObject({ status: 200, body: { version: '2.0.0' } });
    expect(await launch('bank-min-app', '1.9.9')).toMatchObject({ status: 200, body: { version: '1.4.0' } });
    // an SDK that does not say its version only runs versions without a minimum
    expect(await launch('bank-min-app', undefined)).toMatchObject({
      status: 200,
      body: { version: '1.4.0' },
    });

    const strict = releaseDoc(acme, {
      miniProgram: 'bank-min2',
      appId: 'bank-min2-app',
      stable: { version: '3.0.0', minSdkVersion: '3.0.0', artifact: artifactOf(pkgStable) },
    });
    expect((await state.applyConfigMap(await releaseConfigMap(acme, strict))).ok).toBe(true);
    const old = await launch('bank-min2-app', '2.5.0');
    expect(old.status).toBe(426);
    expect(old.body.detail).toBe(
      "mini-program bank-min2-app 3.0.0 needs runtime SDK 3.0.0 or newer, and this device runs 2.5.0; update the host app's SDK",
    );
  });

  it('wraps no key when the device holds the resolved artifacts (by digest, not version string)', async () => {
    const device = await generateDeviceKeyPair();
    const launch = async (appId: string, body: Record<string, unknown>) => {
      const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId,
        devicePublicKey: device.publicKeyRaw,
        ...body,
      });
      expect(response.status).toBe(200);
      return LaunchResponseSchema.parse(await response.json());
    };
    const before = await launchAnswers();
    const stableDigest = pkgStable.digests.ciphertext;
    const grayDigest = pkgGray.digests.ciphertext;

    const held = await launch('bank-app', {
      userId: 'u1',
      cachedVersions: ['0.9.0', '1.0.0'],
      cachedDigests: [grayDigest, stableDigest],
    });
    expect(held).toMatchObject({ cached: true, version: '1.0.0', purge: ['0.9.0'] });
    expect(held.wrappedKey).toBeUndefined();
    // everything but the key is the answer a device without the artifact gets
    const { wrappedKey, ...rest } = await launch('bank-app', {
      userId: 'u1',
      cachedVersions: ['0.9.0', '1.0.0'],
    });
    expect(wrappedKey).toBeDefined();
    expect(held).toEqual({ ...rest, cached: true });

    // the same version string with other content (a re-release) is not skipped: key wrapped
    const rereleased = await launch('bank-app', {
      userId: 'u1',
      cachedVersions: ['1.0.0'],
      cachedDigests: [grayDigest],
    });
    expect(rereleased.cached).toBeUndefined();
    const opened = await openPackage(pkgStable.bytes, {
      publicKeys: [{ keyId: acme.signing.keyId, key: acme.signing.publicKeySpki }],
      dataKey: await unwrapDataKeyFromStore(rereleased.wrappedKey!, device.privateKey),
    });
    expect(new TextDecoder().decode(await opened.read('pages/index/index.js'))).toBe('Page({})');

    // gray resolution still runs per request: the user-list version is the one matched
    expect(await launch('bank-app', { userId: 'tester-1', cachedDigests: [grayDigest] })).toMatchObject({
      version: '1.1.0',
      reason: 'user-list',
      rule: 'shanghai',
      cached: true,
    });
    expect(
      (await launch('bank-app', { userId: 'tester-1', cachedDigests: [stableDigest] })).wrappedKey,
    ).toBeDefined();

    // with subpackages: skipped only when the main package and every subpackage are held
    const mainOnly = await launch('bank-sub-app', { cachedDigests: [stableDigest] });
    expect(mainOnly.cached).toBeUndefined();
    expect(mainOnly.wrappedKey && mainOnly.subpackages?.[0]?.wrappedKey).toBeDefined();
    const all = await launch('bank-sub-app', { cachedDigests: [stableDigest, grayDigest] });
    expect(all).toMatchObject({ cached: true, version: '2.0.0' });
    expect(all.wrappedKey).toBeUndefined();
    expect(all.subpackages).toEqual([
      {
        name: 'extra',
        root: 'packageA/',
        url: `/v1/tenants/acme/artifacts/${grayDigest}`,
        digest: grayDigest,
        size: pkgGray.bytes.length,
      },
    ]);

    // the host app is still authenticated: a bad signature is refused whatever the device holds
    const forged = await signedFetch(
      store.url,
      { sdkKey: acme.sdkKey, sdkSecret: 'guess' },
      'POST',
      '/v1/launch',
      {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
        cachedDigests: [stableDigest],
      },
    );
    expect(forged.response.status).toBe(401);

    const after = await launchAnswers();
    expect(after.cached - before.cached).toBe(3);
    expect(after.wrapped - before.wrapped).toBe(4);

    // the OpenAPI document served by the store describes both sides
    type Body = {
      content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }>;
    };
    const doc = (await (await fetch(`${store.url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { requestBody: Body; responses: Record<string, Body> } }>;
    };
    const op = doc.paths['/v1/launch']!.post;
    const reqProps = op.requestBody.content['application/json']!.schema.properties;
    const resProps = op.responses['200']!.content['application/json']!.schema.properties;
    expect(reqProps.cachedDigests).toMatchObject({
      type: 'array',
      maxItems: 128,
      description: expect.stringContaining('cached'),
    });
    expect(reqProps.cachedDigests?.items).toEqual({ type: 'string', pattern: '^[0-9a-f]{64}$' });
    expect(reqProps.deviceKeyCurve).toMatchObject({
      enum: ['X25519', 'P-256'],
      description: expect.stringContaining('small-order X25519 keys are refused'),
    });
    expect(reqProps.devicePublicKey).toMatchObject({
      description: expect.stringContaining(
        'X25519 key (32 bytes raw in base64, 44 characters, or an OKP JWK)',
      ),
    });
    expect(JSON.stringify(reqProps.devicePublicKey)).toContain('^[A-Za-z0-9+/]{43}=$');
    expect(resProps.cached).toMatchObject({
      const: true,
      description: expect.stringContaining('no wrappedKey'),
    });
  });

  it('refuses oversized and malformed cachedDigests with a 400 that names the field, and counts no answer', async () => {
    const device = await generateDeviceKeyPair();
    const before = await launchAnswers();
    const digest = pkgStable.digests.ciphertext;
    for (const cachedDigests of [
      Array.from({ length: 129 }, (_, i) => i.toString(16).padStart(64, '0')),
      [digest.toUpperCase()],
      [`sha256:${digest}`],
      [digest.slice(1)],
      ['../../etc/passwd'],
      digest,
      [{ digest }],
    ]) {
      const { response } = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
        cachedDigests,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.detail).toContain('cachedDigests');
    }
    expect(await launchAnswers()).toEqual(before);
  });

  it('serves ranges and conditional requests', async () => {
    const url = `/v1/tenants/acme/artifacts/${pkgStable.digests.ciphertext}`;
    const r = await signedFetch(store.url, acme, 'GET', url, undefined, { headers: { range: 'bytes=4-9' } });
    expect(r.response.status).toBe(206);
    expect(r.response.headers.get('content-range')).toBe(`bytes 4-9/${pkgStable.bytes.length}`);
    expect(
      Buffer.from(await r.response.arrayBuffer()).equals(Buffer.from(pkgStable.bytes.subarray(4, 10))),
    ).toBe(true);
    const tail = await signedFetch(store.url, acme, 'GET', url, undefined, {
      headers: { range: 'bytes=-3' },
    });
    expect(
      Buffer.from(await tail.response.arrayBuffer()).equals(Buffer.from(pkgStable.bytes.subarray(-3))),
    ).toBe(true);
    const bad = await signedFetch(store.url, acme, 'GET', url, undefined, {
      headers: { range: `bytes=${pkgStable.bytes.length}-` },
    });
    expect(bad.response.status).toBe(416);
    const cond = await signedFetch(store.url, acme, 'GET', url, undefined, {
      headers: { 'if-none-match': `"${pkgStable.digests.ciphertext}"` },
    });
    expect(cond.response.status).toBe(304);
  });

  it("Kubernetes identities of one tenant cannot read another tenant's audit, stats or sources", async () => {
    for (const path of [
      '/v1/tenants/other/audit',
      '/v1/tenants/other/audit/verify',
      '/v1/tenants/other/stats?appId=bank-app',
    ]) {
      for (const token of [tokens.ci, tokens.reviewer]) {
        const r = await fetch(store.url + path, { headers: { authorization: `Bearer ${token}` } });
        expect(r.status).toBe(403);
      }
    }
    // events posted by the other tenant's host app never show up in this tenant's stats
    const { randomUUID: uuid } = await import('node:crypto');
    const events = Array.from({ length: 3 }, () => ({
      id: uuid(),
      type: 'launch',
      appId: 'bank-app',
      version: '1.0.0',
      userId: 'x',
      at: new Date().toISOString(),
    }));
    expect((await signedFetch(store.url, other, 'POST', '/v1/events', { events })).response.status).toBe(202);
    const stats = await fetch(`${store.url}/v1/tenants/acme/stats?appId=bank-app`, {
      headers: { authorization: `Bearer ${tokens.reviewer}` },
    });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { versions: unknown[] }).versions).toEqual([]);
    const src = await fetch(`${store.url}/v1/tenants/other/sources/${'a'.repeat(64)}`, {
      headers: { authorization: `Bearer ${tokens.ci}` },
    });
    expect(src.status).toBe(403);
  });

  it("another tenant cannot read this tenant's artifacts or launch its mini-programs", async () => {
    const url = `/v1/tenants/acme/artifacts/${pkgStable.digests.ciphertext}`;
    expect((await signedFetch(store.url, other, 'GET', url)).response.status).toBe(404);
    const device = await generateDeviceKeyPair();
    const r = await signedFetch(store.url, other, 'POST', '/v1/launch', {
      appId: 'bank-app',
      devicePublicKey: device.publicKeyRaw,
    });
    expect(r.response.status).toBe(404);
  });

  it('refuses replayed nonces, stale timestamps, bad signatures, malformed and oversized bodies', async () => {
    const device = await generateDeviceKeyPair();
    const body = { appId: 'bank-app', devicePublicKey: device.publicKeyRaw };
    const first = await signedFetch(store.url, acme, 'POST', '/v1/launch', body);
    expect(first.response.status).toBe(200);
    const replay = await fetch(`${store.url}/v1/launch`, {
      method: 'POST',
      headers: first.headers,
      body: JSON.stringify(body),
    });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('nonce-replayed');
    const stale = await signedFetch(store.url, acme, 'POST', '/v1/launch', body, {
      timestamp: Math.floor(Date.now() / 1000) - 301,
    });
    expect(stale.response.status).toBe(401);
    const wrongSecret = await signedFetch(
      store.url,
      { sdkKey: acme.sdkKey, sdkSecret: 'guess' },
      'POST',
      '/v1/launch',
      body,
    );
    expect(wrongSecret.response.status).toBe(401);
    const tampered = await signedFetch(store.url, acme, 'POST', '/v1/launch', body);
    void tampered;
    const h = (await signedFetch(store.url, acme, 'POST', '/v1/launch', body)).headers;
    const swapped = await fetch(`${store.url}/v1/launch`, {
      method: 'POST',
      headers: { ...h, 'x-tessera-nonce': randomUUID().replaceAll('-', '') },
      body: JSON.stringify(body),
    });
    expect(swapped.status).toBe(401);
    const malformed = await signedFetch(store.url, acme, 'POST', '/v1/launch', undefined, {
      rawBody: '{"appId":',
    });
    expect(malformed.response.status).toBe(400);
    expect(((await malformed.response.json()) as { code: string }).code).toBe('malformed-json');
    const huge = await signedFetch(store.url, acme, 'POST', '/v1/launch', undefined, {
      rawBody: JSON.stringify({ appId: 'x'.repeat(100_000) }),
    });
    expect(huge.response.status).toBe(413);
    const unknown = await signedFetch(store.url, acme, 'POST', '/v1/launch', { ...body, appId: 'nope' });
    expect(unknown.response.status).toBe(404);
    const hostile = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
      ...body,
      attributes: { ['__proto__']: 1 },
    });
    expect([200, 400]).toContain(hostile.response.status);
  });

  it('a second replica shares replay protection and gives the same answers', async () => {
    // a replica has its own release state, fed from the same (signed) documents
    const state2 = new ReleaseState();
    const keys = state.tenantKeys('acme');
    if (!keys) throw new Error('no keys');
    state2.setTenantKeys('acme', keys);
    await state2.setCredentials({
      tenant: 'acme',
      namespace: ns.name,
      hostApp: acme.hostApp,
      sdkKey: acme.sdkKey,
      sdkSecret: acme.sdkSecret,
    });
    const entry = state.host(ns.name, acme.hostApp)?.byAppId.get('bank-app');
    if (!entry) throw new Error('no release');
    expect(
      await state2.applyConfigMap({
        metadata: {
          name: entry.configMap,
          namespace: ns.name,
          labels: { 'tessera.dev/release': 'mini-program' },
          annotations: { 'tessera.dev/key-id': entry.signed.keyId ?? '' },
        },
        data: { 'release.json': entry.signed.document, 'release.sig': entry.signed.signature },
      }),
    ).toEqual({ ok: true, refusedRules: [] });
    const replica = await startStore({
      databaseUrl: pg.url,
      redisUrl: redis.url,
      state: state2,
      webhookIntervalMs: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const device = await generateDeviceKeyPair();
      for (let i = 0; i < 20; i++) {
        const body = {
          appId: 'bank-app',
          devicePublicKey: device.publicKeyRaw,
          userId: `user-${i}`,
          attributes: { city: i % 2 ? '上海' : '北京' },
        };
        const a = await signedFetch(store.url, acme, 'POST', '/v1/launch', body);
        const b = await signedFetch(replica.url, acme, 'POST', '/v1/launch', body);
        const ra = (await a.response.json()) as { version: string; reason: string };
        const rb = (await b.response.json()) as { version: string; reason: string };
        expect([rb.version, rb.reason]).toEqual([ra.version, ra.reason]);
      }
      // a request accepted by one replica is a replay on the other
      const body = { appId: 'bank-app', devicePublicKey: device.publicKeyRaw };
      const first = await signedFetch(store.url, acme, 'POST', '/v1/launch', body);
      expect(first.response.status).toBe(200);
      const replayed = await fetch(`${replica.url}/v1/launch`, {
        method: 'POST',
        headers: first.headers,
        body: JSON.stringify(body),
      });
      expect(replayed.status).toBe(401);
    } finally {
      await replica.close();
    }
  });

  it('session tokens: minted server-to-server, accepted for launch, not for minting', async () => {
    const minted = await signedFetch(store.url, acme, 'POST', '/v1/sessions', {
      userId: 'tester-1',
      ttlSeconds: 60,
    });
    expect(minted.response.status).toBe(201);
    const { token } = (await minted.response.json()) as { token: string };
    const device = await generateDeviceKeyPair();
    const launch = await fetch(`${store.url}/v1/launch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
        userId: 'someone-else',
      }),
    });
    expect(launch.status).toBe(200);
    // the user bound in the token wins over the body
    expect(((await launch.json()) as { reason: string }).reason).toBe('user-list');
    const again = await fetch(`${store.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{}',
    });
    expect(again.status).toBe(401);
    const forged = await fetch(`${store.url}/v1/launch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.slice(0, -2)}00` },
      body: JSON.stringify({ appId: 'bank-app', devicePublicKey: device.publicKeyRaw }),
    });
    expect(forged.status).toBe(401);
  });

  it('take-down answers 410 with the versions to purge', async () => {
    const doc = releaseDoc(acme, {
      miniProgram: 'gone',
      appId: 'gone-app',
      suspended: true,
      stable: { version: '1.0.0', artifact: artifactOf(pkgStable) },
    });
    expect((await state.applyConfigMap(await releaseConfigMap(acme, doc))).ok).toBe(true);
    const device = await generateDeviceKeyPair();
    const r = await signedFetch(store.url, acme, 'POST', '/v1/launch', {
      appId: 'gone-app',
      devicePublicKey: device.publicKeyRaw,
      cachedVersions: ['1.0.0'],
    });
    expect(r.response.status).toBe(410);
    expect(((await r.response.json()) as { purge: string[] }).purge).toEqual(['1.0.0']);
  });
});
