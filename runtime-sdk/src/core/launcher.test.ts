// The launch pipeline against a real loopback HTTP server speaking the launch protocol, with
// real packages (writePackage), real HMAC verification and the real device key re-wrap.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../package/bytes.ts';
import { generateKek, generateSigningKeyPair } from '../package/keys.ts';
import { MANIFEST_FILE } from '../package/manifest.ts';
import { generateDeviceKeyPair, rewrapDataKeyForDevice, unwrapDataKey } from '../package/wrap.ts';
import { writePackage } from '../package/write.ts';
import { EventsBatchSchema } from '../protocol/events.ts';
import { LaunchRequestSchema } from '../protocol/launch-request.ts';
import { importHmacKey, parseSignatureHeaders, verifyRequestSignature } from '../protocol/signing.ts';
import { Analytics } from './analytics.ts';
import { MemoryOfflineCache, type OpenOptions, openMiniProgram } from './launcher.ts';
import { ArtifactIntegrityError, StoreClient, StoreError, StoreUnreachableError } from './store-client.ts';
import { startTestStore, type TestStore } from './test-store.ts';

const enc = new TextEncoder();
const manifest = {
  manifestVersion: 1,
  compilerVersion: 'test',
  entryPagePath: 'pages/index/index',
  pages: ['pages/index/index'],
  subpackages: [],
  window: {},
  entries: [{ path: 'pages/index/index', kind: 'page', usingComponents: {} }],
  preloadRule: {},
};

let server: Server;
let url = '';
let signing: Awaited<ReturnType<typeof generateSigningKeyPair>>;
let pkg: Awaited<ReturnType<typeof writePackage>>;
let dataKey: Uint8Array;
const mode = { wrongDigest: false, forbidden: false, purge: [] as string[], version: '1.0.0' };
let launches = 0;
let lastDevicePublicKey: unknown;
const received: Array<{ type: string }> = [];

beforeAll(async () => {
  const kek = await generateKek();
  signing = await generateSigningKeyPair();
  pkg = await writePackage(
    { [MANIFEST_FILE]: enc.encode(JSON.stringify(manifest)), 'pages/index/index.js': enc.encode('Page({})') },
    {
      kek: kek.rawBase64,
      kekId: kek.keyId,
      signingKey: signing.privateKeyPkcs8,
      signingKeyId: signing.keyId,
    },
  );
  dataKey = await unwrapDataKey(pkg.wrappedDataKey, kek.rawBase64);
  const hmac = await importHmacKey('s3cret-s3cret');
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const h = parseSignatureHeaders((n) => req.headers[n] as string | undefined);
    const ok =
      h.ok &&
      (
        await verifyRequestSignature({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: h.value,
          bodySha256: await sha256Hex(body),
          key: hmac,
        })
      ).ok;
    if (!ok || mode.forbidden) {
      res.writeHead(403, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'x/forbidden',
          title: 'Forbidden',
          status: 403,
          code: 'forbidden',
          detail: 'host app may not list this',
        }),
      );
      return;
    }
    if (req.url === '/v1/events') {
      const batch = EventsBatchSchema.parse(JSON.parse(body.toString()));
      received.push(...batch.events);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: batch.events.length, duplicates: 0 }));
      return;
    }
    if (req.url === '/v1/launch') {
      launches++;
      const r = LaunchRequestSchema.parse(JSON.parse(body.toString()));
      lastDevicePublicKey = r.devicePublicKey;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          tenant: 'acme',
          appId: r.appId,
          miniProgram: 'mp',
          version: mode.version,
          reason: 'stable',
          artifact: {
            url: `/v1/tenants/acme/artifacts/${pkg.digests.ciphertext}`,
            digest: mode.wrongDigest ? '0'.repeat(64) : pkg.digests.ciphertext,
            size: pkg.bytes.length,
          },
          signingKeyId: signing.keyId,
          wrappedKey: await rewrapDataKeyForDevice(dataKey, r.devicePublicKey as string, r.deviceKeyCurve),
          domains: {
            request: ['https://api.example.com'],
            upload: [],
            download: [],
            socket: [],
            webView: [],
          },
          permissions: [],
          purge: mode.purge,
          releaseDigest: 'd',
        }),
      );
      return;
    }
    res.writeHead(200);
    res.end(pkg.bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (secret = 's3cret-s3cret', storeUrl = url) =>
  new StoreClient({ storeUrl, credentials: { sdkKey: 'k', sdkSecret: secret } });

describe('openMiniProgram', () => {
  it('resolves, downloads, verifies and decrypts; caches ciphertext for offline use', async () => {
    const cache = new MemoryOfflineCache();
    const o = await openMiniProgram({
      client: client(),
      cache,
      publicKeys: [signing.publicKeySpki],
      appId: 'wx-1',
    });
    expect(o).toMatchObject({
      version: '1.0.0',
      source: 'network',
      domains: { request: ['https://api.example.com'] },
    });
    expect(o.manifest.entryPagePath).toBe('pages/index/index');
    expect(new TextDecoder().decode(await o.pkg.read('pages/index/index.js'))).toBe('Page({})');
    const cached = await cache.get('wx-1');
    expect(cached?.bytes).toEqual(pkg.bytes);
    expect(cached?.devicePrivateKey.extractable).toBe(false);

    // The store is gone: the same package opens from the cache, verified again.
    const offline = await openMiniProgram({
      client: client('s3cret-s3cret', 'http://127.0.0.1:1'),
      cache,
      publicKeys: [signing.publicKeySpki],
      appId: 'wx-1',
    });
    expect(offline.source).toBe('offline');
    expect(new TextDecoder().decode(await offline.pkg.read('pages/index/index.js'))).toBe('Page({})');
    await expect(
      openMiniProgram({
        client: client('x', 'http://127.0.0.1:1'),
        cache,
        publicKeys: [signing.publicKeySpki],
        appId: 'wx-none',
      }),
    ).rejects.toBeInstanceOf(StoreUnreachableError);
  });

  it('asks the host for the device key pair of each store request (pre-generated ones)', async () => {
    const pairs = [await generateDeviceKeyPair(), await generateDeviceKeyPair()];
    let taken = 0;
    const cache = new MemoryOfflineCache();
    const opts = {
      client: client(),
      cache,
      publicKeys: [signing.publicKeySpki],
      appId: 'wx-keys',
      policy: 'network-first',
      deviceKey: async () => pairs[taken++]!,
    } as const;
    for (const pair of pairs) {
      const o = await openMiniProgram(opts);
      expect(new TextDecoder().decode(await o.pkg.read('pages/index/index.js'))).toBe('Page({})');
      // The data key came wrapped for exactly this pair, which the offline copy keeps.
      expect(lastDevicePublicKey).toBe(pair.publicKeyRaw);
      expect((await cache.get('wx-keys'))?.devicePrivateKey).toBe(pair.privateKey);
    }
    expect(taken).toBe(2);
  });

  it('purges revoked cached versions when the store says so', async () => {
    const cache = new MemoryOfflineCache();
    await openMiniProgram({ client: client(), cache, publicKeys: [signing.publicKeySpki], appId: 'wx-2' });
    mode.purge = ['1.0.0'];
    mode.version = '1.0.1';
    try {
      await openMiniProgram({ client: client(), cache, publicKeys: [signing.publicKeySpki], appId: 'wx-2' });
      expect(await cache.versions('wx-2')).toEqual(['1.0.1']);
    } finally {
      mode.purge = [];
      mode.version = '1.0.0';
    }
  });

  it('cache-first runs the cached version at once and updates the cache in the background', async () => {
    const cache = new MemoryOfflineCache();
    const opts = { client: client(), cache, publicKeys: [signing.publicKeySpki], appId: 'wx-cf' } as const;
    // Nothing cached yet: cache-first behaves like network-first.
    expect((await openMiniProgram({ ...opts, policy: 'cache-first' })).source).toBe('network');
    mode.version = '1.0.2';
    try {
      const before = launches;
      const o = await openMiniProgram({ ...opts, policy: 'cache-first' });
      expect(o).toMatchObject({ source: 'cache', version: '1.0.0' });
      expect(new TextDecoder().decode(await o.pkg.read('pages/index/index.js'))).toBe('Page({})');
      expect(await o.update).toBe('1.0.2');
      expect(launches).toBe(before + 1);
      expect(await cache.versions('wx-cf')).toEqual(['1.0.2']);
      expect((await openMiniProgram({ ...opts, policy: 'cache-first' })).version).toBe('1.0.2');
    } finally {
      mode.version = '1.0.0';
    }
  });

  it('refuses a download whose digest does not match', async () => {
    mode.wrongDigest = true;
    try {
      await expect(
        openMiniProgram({ client: client(), publicKeys: [signing.publicKeySpki], appId: 'wx-3' }),
      ).rejects.toBeInstanceOf(ArtifactIntegrityError);
    } finally {
      mode.wrongDigest = false;
    }
  });

  it('refuses a package signed by an untrusted key', async () => {
    const other = await generateSigningKeyPair();
    await expect(
      openMiniProgram({ client: client(), publicKeys: [other.publicKeySpki], appId: 'wx-4' }),
    ).rejects.toThrow(/sign/i);
  });

  it('maps store problems (and a wrong secret) to StoreError with the stable code', async () => {
    const err = await openMiniProgram({
      client: client('wrong-secret'),
      publicKeys: [signing.publicKeySpki],
      appId: 'wx-5',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({
      code: 'forbidden',
      status: 403,
      message: 'launch failed: host app may not list this',
    });
    expect(launches).toBeGreaterThan(0);
  });
});

describe('analytics', () => {
  it('batches signed events to the store and keeps them while the store is unreachable', async () => {
    const down = new Analytics(
      client('s3cret-s3cret', 'http://127.0.0.1:1'),
      { appId: 'wx-9', version: '1.0.0' },
      60_000,
    );
    down.launch({ resolve: 1.4, download: 2, verify: 3, firstRender: 4, total: 12.6 }, true);
    down.pageView('pages/index/index');
    down.custom('clicked', { button: 'buy', n: 2, bad: { nested: true }, nan: Number.NaN });
    down.custom('bad name!', {});
    down.error('x'.repeat(5000));
    expect(down.queued).toBe(4);
    expect(await down.flush()).toBe(false);
    expect(down.queued).toBe(4);

    const up = new Analytics(client(), { appId: 'wx-9', version: '1.0.0', userId: 'u1' }, 60_000);
    up.launch({ resolve: 1.4, download: 2, verify: 3, firstRender: 4, total: 12.6 }, true);
    up.custom('clicked', { button: 'buy', n: 2, bad: { nested: true }, nan: Number.NaN });
    expect(await up.flush()).toBe(true);
    expect(up.queued).toBe(0);
    expect(received.slice(-2)).toMatchObject([
      {
        type: 'launch',
        appId: 'wx-9',
        userId: 'u1',
        timings: { total: 13, resolve: 1, decrypt: 3 },
        cold: true,
      },
      { type: 'custom', name: 'clicked', props: { button: 'buy', n: 2 } },
    ]);
  });
});

describe('relaunch of a version the device holds (the store answers "cached")', () => {
  let store: TestStore;
  const spManifest = {
    ...manifest,
    pages: ['pages/index/index'],
    subpackages: [{ root: 'shop', pages: ['shop/list/list'], independent: false, artifact: 'sub-shop' }],
    entries: [...manifest.entries, { path: 'shop/list/list', kind: 'page', usingComponents: {} }],
  };
  beforeAll(async () => {
    store = await startTestStore(spManifest, {
      main: { files: { 'pages/index/index.js': 'Page({ main: 1 })' } },
      'sub-shop': { root: 'shop', files: { 'shop/list/list.js': 'Page({ shop: 1 })' } },
    });
  });
  afterAll(() => store.close());
  const opts = (cache: MemoryOfflineCache, over: Partial<OpenOptions> = {}): OpenOptions => ({
    client: store.client(),
    cache,
    publicKeys: [store.publicKey],
    appId: 'wx-held',
    policy: 'network-first',
    ...over,
  });
  const read = async (o: { pkg: { read(p: string): Promise<Uint8Array> } }, path: string) =>
    new TextDecoder().decode(await o.pkg.read(path));

  it('sends the held digests, opens the cached copy verified, downloads nothing, keeps the answer', async () => {
    const cache = new MemoryOfflineCache();
    const first = await openMiniProgram(opts(cache));
    await first.subpackages.load('shop');
    const held = (await cache.get('wx-held'))!;
    expect(store.lastLaunch).toMatchObject({ cachedVersions: [], cachedDigests: [] });
    store.hits.clear();

    const again = await openMiniProgram(opts(cache));
    expect(store.lastLaunch?.cachedVersions).toEqual(['1.0.0']);
    expect(store.lastLaunch?.cachedDigests).toEqual([held.digest, ...held.subpackages!.map((s) => s.digest)]);
    expect([again.source, again.version, again.timings.download]).toEqual(['cache', '1.0.0', 0]);
    // asked the store once, downloaded neither the main package nor the subpackage
    expect(Object.fromEntries(store.hits)).toEqual({ launch: 1 });
    expect(await read(again, 'pages/index/index.js')).toBe('Page({ main: 1 })');
    await again.subpackages.load('shop');
    expect(await read(again, 'shop/list/list.js')).toBe('Page({ shop: 1 })');
    expect(Object.fromEntries(store.hits)).toEqual({ launch: 1 });
    // the entry is the same artifact and keys, re-stored with the answer's time
    const after = (await cache.get('wx-held'))!;
    expect(after.bytes).toBe(held.bytes);
    expect(after.wrappedKey).toBe(held.wrappedKey);
    expect(after.cachedAt).toBeGreaterThanOrEqual(held.cachedAt);
  });

  it('negotiates X25519 and records the curve in the cache; P-256 keys, and entries cached before X25519, keep working', async () => {
    const cache = new MemoryOfflineCache();
    const first = await openMiniProgram(opts(cache));
    expect(first.source).toBe('network');
    expect(store.lastLaunch?.deviceKeyCurve).toBe('X25519');
    expect(Buffer.from(store.lastLaunch?.devicePublicKey as string, 'base64')).toHaveLength(32);
    await first.subpackages.load('shop');
    expect((await cache.get('wx-held'))?.deviceKeyCurve).toBe('X25519');

    // a host that hands out P-256 keys (an engine without X25519): no deviceKeyCurve sent
    const p256 = new MemoryOfflineCache();
    const fallback = await openMiniProgram(opts(p256, { deviceKey: () => generateDeviceKeyPair('P-256') }));
    expect(fallback.source).toBe('network');
    expect(store.lastLaunch?.deviceKeyCurve).toBeUndefined();
    expect(Buffer.from(store.lastLaunch?.devicePublicKey as string, 'base64')).toHaveLength(65);
    await fallback.subpackages.load('shop');
    const entry = (await p256.get('wx-held'))!;
    expect(entry.deviceKeyCurve).toBe('P-256');
    // as written before X25519: no curve; it opens offline, main package and subpackage
    const { deviceKeyCurve: _, ...legacy } = entry;
    await p256.put(legacy);
    store.state.offline = true;
    try {
      const offline = await openMiniProgram(opts(p256));
      expect(offline.source).toBe('offline');
      expect(await read(offline, 'pages/index/index.js')).toBe('Page({ main: 1 })');
      await offline.subpackages.load('shop');
      expect(await read(offline, 'shop/list/list.js')).toBe('Page({ shop: 1 })');
    } finally {
      store.state.offline = false;
    }
  });

  it('an entry with another digest for the same version string is downloaded afresh', async () => {
    const cache = new MemoryOfflineCache();
    await openMiniProgram(opts(cache));
    const held = (await cache.get('wx-held'))!;
    // same version string, different content (re-released): the store must wrap and the SDK download
    await cache.put({ ...held, digest: 'f'.repeat(64) });
    store.hits.clear();
    const o = await openMiniProgram(opts(cache));
    expect([o.source, o.version]).toEqual(['network', '1.0.0']);
    expect(store.hits.get('main')).toBe(1);
    expect((await cache.get('wx-held'))?.digest).toBe(held.digest);
  });

  it('a tampered cached copy refuses to run even though the store says it is current', async () => {
    const cache = new MemoryOfflineCache();
    await openMiniProgram(opts(cache));
    const held = (await cache.get('wx-held'))!;
    const bytes = new Uint8Array(held.bytes);
    bytes[20]! ^= 0x01; // inside the signed index
    await cache.put({ ...held, bytes });
    store.hits.clear();
    await expect(openMiniProgram(opts(cache))).rejects.toThrow(/package index is invalid/);
    expect(Object.fromEntries(store.hits)).toEqual({ launch: 1 });
  });

  it('a background check answered "cached" does nothing further than record the answer', async () => {
    const cache = new MemoryOfflineCache();
    store.state.updatePolicy = { background: true, wifiOnly: false, checkIntervalSeconds: 60 };
    try {
      await openMiniProgram(opts(cache));
      const held = (await cache.get('wx-held'))!;
      await cache.put({ ...held, cachedAt: held.cachedAt - 61_000 });
      store.hits.clear();
      const o = await openMiniProgram(opts(cache, { policy: 'cache-first' }));
      expect(o.source).toBe('cache');
      expect(await o.update).toBe('1.0.0');
      expect(Object.fromEntries(store.hits)).toEqual({ launch: 1 });
      expect((await cache.get('wx-held'))!.cachedAt).toBeGreaterThan(held.cachedAt - 61_000);
    } finally {
      delete store.state.updatePolicy;
    }
  });
});
