// The store's informers against the real API server: imported gray-rule user lists (published
// list ConfigMaps verified against the digest in the signed release), and a watch that breaks
// (connections to the API server dropped) with readiness tied to the informers' sync.

import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { LABEL_USER_LIST, parseUserList, USER_LIST_DATA_KEY, userListDigest } from '@tessera/crds';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { LaunchResponseSchema } from '@tessera/runtime-sdk/protocol';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import {
  artifactOf,
  eventually,
  makeIdentities,
  makePackage,
  makeTenant,
  publishTenant,
  releaseConfigMap,
  releaseDoc,
  signedFetch,
  type TenantFixture,
} from './fixtures.ts';

let pgServer: PostgresServer;
let redis: RedisServer;
const kc = loadKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await Promise.all([pgServer?.destroy(), redis?.destroy()]);
});

/** A tenant in its own namespace, published to the cluster, with a stable and a candidate package uploaded. */
async function tenantWithPackages(store: Store, prefix: string) {
  const ns = await createTestNamespace(prefix);
  cleanup.push(ns.remove);
  const t = await makeTenant(new ReleaseState(), `${prefix}-${randomBytes(3).toString('hex')}`, ns.name);
  cleanup.push(await publishTenant(kc, t));
  const tokens = await makeIdentities(kc, ns.name);
  const stable = await makePackage(t, { 'app.json': '{"v":1}' });
  const candidate = await makePackage(t, { 'app.json': '{"v":2}' });
  for (const pkg of [stable, candidate]) {
    const up = await eventually(
      () =>
        fetch(`${store.url}/v1/tenants/${t.name}/artifacts/${pkg.digests.ciphertext}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${tokens.ci}` },
          body: Buffer.from(pkg.bytes),
        }),
      (r) => r.status !== 404,
    );
    expect(up.status).toBe(201);
  }
  return { t, ns: ns.name, stable: artifactOf(stable), candidate: artifactOf(candidate) };
}

async function launcher(store: Store, t: TenantFixture) {
  const device = await generateDeviceKeyPair();
  return async (userId: string, appId = 'bank-app') => {
    const { response } = await signedFetch(store.url, t, 'POST', '/v1/launch', {
      appId,
      devicePublicKey: device.publicKeyRaw,
      userId,
    });
    if (response.status !== 200) return { status: response.status, version: '', reason: '' };
    const body = LaunchResponseSchema.parse(await response.json());
    return { status: 200, version: body.version, reason: body.reason };
  };
}

describe('imported user lists', () => {
  let store: Store;
  afterAll(() => store?.close());

  it('serves a 100,000-id list to listed users only, after it verifies against the signed digest', async () => {
    store = await startStore({
      databaseUrl: pgServer.url,
      redisUrl: redis.url,
      kubeConfig: kc,
      logger: pino({ level: 'silent' }),
      webhookIntervalMs: 0,
    });
    const { t, ns, stable, candidate } = await tenantWithPackages(store, 'ul');
    const ids = Array.from({ length: 100_000 }, (_, i) => `u${i.toString(36)}`);
    const parsed = parseUserList(ids.join('\n'));
    if (!parsed.ok) throw new Error(parsed.message);
    const digest = await userListDigest(parsed.text);
    const listName = `tessera-users-beta-${digest.slice(7, 19)}`;
    const rule = {
      name: 'beta',
      version: '1.1.0',
      priority: 1,
      paused: false,
      users: { list: { configMap: listName, key: USER_LIST_DATA_KEY, digest, count: ids.length } },
    };
    const doc = releaseDoc(t, {
      stable: { version: '1.0.0', artifact: stable },
      candidates: [{ version: '1.1.0', artifact: candidate }],
      grayRules: [rule],
    });
    const launch = await launcher(store, t);

    // the release arrives before its list: it is served, without the rule
    await core.createNamespacedConfigMap({ namespace: ns, body: await releaseConfigMap(t, doc) });
    expect(
      await eventually(
        () => launch('u1ekf'),
        (r) => r.status === 200,
      ),
    ).toMatchObject({
      version: '1.0.0',
      reason: 'stable',
    });

    // the published list arrives: the rule is compiled with it
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: listName, labels: { [LABEL_USER_LIST]: 'beta' } },
        data: { [USER_LIST_DATA_KEY]: parsed.text },
      },
    });
    expect(
      await eventually(
        () => launch('u1ekf'),
        (r) => r.version === '1.1.0',
      ),
    ).toMatchObject({
      version: '1.1.0',
      reason: 'user-list',
    });
    for (const listed of ['u0', 'u2s', `u${(99_999).toString(36)}`])
      expect((await launch(listed)).version, listed).toBe('1.1.0');
    for (const unlisted of ['stranger', `u${(100_000).toString(36)}`, 'U0'])
      expect(await launch(unlisted), unlisted).toMatchObject({ version: '1.0.0', reason: 'stable' });

    // a second mini-program naming the same list shares the verified ids
    const other = releaseDoc(t, {
      miniProgram: 'shop',
      appId: 'shop-app',
      stable: { version: '1.0.0', artifact: stable },
      candidates: [{ version: '1.1.0', artifact: candidate }],
      grayRules: [rule],
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: await releaseConfigMap(t, other) });
    expect(
      await eventually(
        () => launch('u1ekf', 'shop-app'),
        (r) => r.version === '1.1.0',
      ),
    ).toMatchObject({
      reason: 'user-list',
    });
    expect(store.context.state.userListStats()).toMatchObject({ lists: 1, ids: 100_000, waitingReleases: 0 });

    // the list ConfigMap is edited behind the release's back: the signed digest no longer
    // matches, so a release that has to load it again refuses the rule (listed users get stable)
    await core.replaceNamespacedConfigMap({
      name: listName,
      namespace: ns,
      body: {
        metadata: { name: listName, labels: { [LABEL_USER_LIST]: 'beta' } },
        data: { [USER_LIST_DATA_KEY]: `attacker\n${parsed.text}` },
      },
    });
    await core.deleteNamespacedConfigMap({ name: `tessera-release-${t.hostApp}-shop`, namespace: ns });
    await core.deleteNamespacedConfigMap({ name: `tessera-release-${t.hostApp}-bank`, namespace: ns });
    await eventually(
      () => launch('u0'),
      (r) => r.status === 404,
    );
    expect(store.context.state.userListStats().lists).toBe(0);
    await core.createNamespacedConfigMap({ namespace: ns, body: await releaseConfigMap(t, doc) });
    expect(
      await eventually(
        () => launch('u0'),
        (r) => r.status === 200,
      ),
    ).toMatchObject({ version: '1.0.0' });
    expect((await launch('attacker')).version).toBe('1.0.0');
    expect(store.context.state.userListStats()).toMatchObject({ lists: 0, waitingReleases: 1 });
  });
});

/** A TCP proxy to the API server that can drop every connection and refuse new ones. */
async function apiProxy(target: URL) {
  const sockets = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ port: Number(target.port || 443), host: target.hostname });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    block() {
      blocked = true;
      for (const s of sockets) s.destroy();
    },
    unblock() {
      blocked = false;
    },
    close: () =>
      new Promise<void>((r) => {
        blocked = true;
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('watch recovery and readiness', () => {
  let store: Store | undefined;
  let proxy: Awaited<ReturnType<typeof apiProxy>>;
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
  });

  it('is not ready until the informers have listed, and catches up after dropped connections', async () => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('kubeconfig has no current cluster');
    proxy = await apiProxy(new URL(server));
    const viaProxy = new KubeConfig();
    viaProxy.loadFromOptions({
      clusters: kc.clusters.map((c) =>
        c.name === kc.getCurrentCluster()?.name ? { ...c, server: proxy.url } : c,
      ),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });

    proxy.block();
    store = await startStore({
      databaseUrl: pgServer.url,
      redisUrl: redis.url,
      kubeConfig: viaProxy,
      logger: pino({ level: 'silent' }),
      webhookIntervalMs: 0,
      watch: { backoff: { initialMs: 50, maxMs: 500 } },
    });
    const url = store.url;
    const readyz = async () => {
      const r = await fetch(`${url}/readyz`);
      return { status: r.status, body: (await r.json()) as { checks?: { informer?: boolean } } };
    };
    // the API server is unreachable: nothing has been listed, the replica must not get traffic
    await new Promise((r) => setTimeout(r, 1000));
    expect(await readyz()).toMatchObject({ status: 503, body: { checks: { informer: false } } });
    proxy.unblock();
    expect((await eventually(readyz, (r) => r.status === 200)).status).toBe(200);

    const { t, ns, stable } = await tenantWithPackages(store, 'wr');
    const launch = await launcher(store, t);
    const cm = await releaseConfigMap(t, releaseDoc(t, { stable: { version: '1.0.0', artifact: stable } }));
    await core.createNamespacedConfigMap({ namespace: ns, body: cm });
    expect(
      (
        await eventually(
          () => launch('u1'),
          (r) => r.status === 200,
        )
      ).status,
    ).toBe(200);

    // every connection to the API server is dropped (watches included) and new ones refused
    // while the release is taken down and a second mini-program is released
    proxy.block();
    const suspended = await releaseConfigMap(
      t,
      releaseDoc(t, { suspended: true, stable: { version: '1.0.0', artifact: stable } }),
    );
    await core.replaceNamespacedConfigMap({ name: cm.metadata.name, namespace: ns, body: suspended });
    const shop = releaseDoc(t, {
      miniProgram: 'shop',
      appId: 'shop-app',
      stable: { version: '1.0.0', artifact: stable },
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: await releaseConfigMap(t, shop) });
    await new Promise((r) => setTimeout(r, 1500));
    // meanwhile the replica keeps serving what it last saw, and stays ready (client-go semantics:
    // synced once means the cache is usable)
    expect((await launch('u1')).status).toBe(200);
    expect((await launch('u1', 'shop-app')).status).toBe(404);
    expect((await readyz()).status).toBe(200);

    proxy.unblock();
    expect(
      (
        await eventually(
          () => launch('u1'),
          (r) => r.status === 410,
        )
      ).status,
    ).toBe(410);
    expect(
      (
        await eventually(
          () => launch('u1', 'shop-app'),
          (r) => r.status === 200,
        )
      ).status,
    ).toBe(200);
  });
});
