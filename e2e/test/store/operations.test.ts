// Store end to end, second part: approvals through RBAC verb `approve`, the hash-chained audit
// log and its tamper detection, events ingest and stats, concurrent migrations, and behaviour
// with PostgreSQL and Redis stopped mid-test.

import { randomUUID } from 'node:crypto';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { ReleaseState, type Store, startStore, tenantSchema } from '@tessera/store';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import {
  artifactOf,
  indexConfigMap,
  makeIdentities,
  makePackage,
  makeTenant,
  releaseConfigMap,
  releaseDoc,
  sha256,
  signedFetch,
  type TenantFixture,
} from './fixtures.ts';

let pgServer: PostgresServer;
let redis: RedisServer;
let store: Store;
let state: ReleaseState;
let ns: { name: string; remove: () => Promise<void> };
let tokens: { ci: string; reviewer: string; admin: string; outsider: string };
let tenant: TenantFixture;

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  const kc = loadKubeConfig();
  ns = await createTestNamespace('store-ops');
  tokens = await makeIdentities(kc, ns.name);
  state = new ReleaseState();
  store = await startStore({
    databaseUrl: pgServer.url,
    redisUrl: redis.url,
    kubeConfig: kc,
    state,
    logger: pino({ level: 'silent' }),
    // Redis restarts below start a new replay epoch: fresh signed requests wait this long
    replayClockAheadSeconds: 2,
    // the receivers below listen on 127.0.0.1; everything else non-public stays refused
    webhookAllowCidrs: '127.0.0.1/32',
    // DNS for the hostile names below (no real DNS in tests)
    webhookResolver: async (host) => {
      const names: Record<string, string[]> = {
        'metadata.test': ['169.254.169.254'],
        'rebind.test': ['127.0.0.1', '10.0.0.5'],
        'receiver.test': ['127.0.0.1'],
      };
      const found = names[host];
      if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
      return found;
    },
  });
  tenant = await makeTenant(state, 'ops', ns.name);
  const pkg = await makePackage(tenant, { 'app.json': '{}' });
  const up = await fetch(`${store.url}/v1/tenants/ops/artifacts/${pkg.digests.ciphertext}`, {
    method: 'PUT',
    headers: bearer(tokens.ci),
    body: Buffer.from(pkg.bytes),
  });
  expect(up.status).toBe(201);
  const doc = releaseDoc(tenant, { stable: { version: '1.0.0', artifact: artifactOf(pkg) } });
  expect((await state.applyConfigMap(await releaseConfigMap(tenant, doc))).ok).toBe(true);
  const index = await indexConfigMap(tenant, { web: { origins: ['https://host.example'] } });
  expect((await state.applyIndexConfigMap(index)).ok).toBe(true);
});

afterAll(async () => {
  await store?.close();
  await Promise.all([pgServer?.destroy(), redis?.destroy(), ns?.remove()]);
});

describe('approvals', () => {
  it('writes an approval to the version status for a reviewer, refuses duplicates and outsiders', async () => {
    const api = loadKubeConfig().makeApiClient(CustomObjectsApi);
    await api.createNamespacedCustomObject({
      group: 'tessera.dev',
      version: 'v1alpha1',
      namespace: ns.name,
      plural: 'miniprogramversions',
      body: {
        apiVersion: 'tessera.dev/v1alpha1',
        kind: 'MiniProgramVersion',
        metadata: { name: 'bank-1-0-0' },
        spec: {
          miniProgram: 'bank',
          version: '1.0.0',
          source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
        },
      },
    });
    const path = `${store.url}/v1/tenants/ops/versions/bank-1-0-0/approvals`;
    const body = JSON.stringify({ role: 'compliance', comment: '合规通过' });
    const outsider = await fetch(path, { method: 'POST', headers: bearer(tokens.outsider), body });
    expect(outsider.status).toBe(403);
    const ci = await fetch(path, { method: 'POST', headers: bearer(tokens.ci), body });
    expect(ci.status).toBe(403);
    const ok = await fetch(path, { method: 'POST', headers: bearer(tokens.reviewer), body });
    expect(ok.status).toBe(201);
    const dup = await fetch(path, { method: 'POST', headers: bearer(tokens.reviewer), body });
    expect(dup.status).toBe(409);
    const missing = await fetch(`${store.url}/v1/tenants/ops/versions/nope/approvals`, {
      method: 'POST',
      headers: bearer(tokens.reviewer),
      body,
    });
    expect([403, 404]).toContain(missing.status);
    const obj = (await api.getNamespacedCustomObjectStatus({
      group: 'tessera.dev',
      version: 'v1alpha1',
      namespace: ns.name,
      plural: 'miniprogramversions',
      name: 'bank-1-0-0',
    })) as { status?: { approvals?: { role: string; subject: string }[] } };
    expect(obj.status?.approvals).toEqual([
      expect.objectContaining({ role: 'compliance', subject: `system:serviceaccount:${ns.name}:reviewer` }),
    ]);
    const bad = await fetch(path, {
      method: 'POST',
      headers: bearer(tokens.reviewer),
      body: '{"role":"Bad Role"}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('webhooks', () => {
  it('delivers signed lifecycle events with retries and reports the outcome', async () => {
    const { createServer } = await import('node:http');
    const { createHmac } = await import('node:crypto');
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    let calls = 0;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls++;
        received.push({ headers: req.headers, body });
        res.writeHead(calls <= 2 ? 500 : 204);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    try {
      const reg = (payload: unknown, token: string) =>
        fetch(`${store.url}/v1/tenants/ops/webhooks`, {
          method: 'POST',
          headers: bearer(token),
          body: JSON.stringify(payload),
        });
      expect(
        (await reg({ url: `http://127.0.0.1:${port}/hook`, events: ['version.approved'] }, tokens.reviewer))
          .status,
      ).toBe(403);
      expect((await reg({ url: 'ftp://x', events: ['version.approved'] }, tokens.admin)).status).toBe(400);
      // SSRF: non-public targets are refused with a problem saying why and how to allow them
      const refused = await reg({ url: 'https://10.0.0.5/hook', events: ['version.approved'] }, tokens.admin);
      expect(refused.status).toBe(422);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({
        code: 'webhook-url-not-allowed',
        detail:
          'webhook URL https://10.0.0.5 resolves to 10.0.0.5, a private address; deliveries may only go to public addresses unless WEBHOOK_ALLOW_CIDRS allows it',
        errors: [{ path: 'url' }],
      });
      for (const [url, why] of [
        ['http://127.0.0.2/', 'a loopback address'],
        ['http://2130706434/', '127.0.0.2, a loopback address'],
        ['http://0x7f.0.0.3/', '127.0.0.3, a loopback address'],
        ['http://[::1]/', 'a loopback address'],
        ['http://[::ffff:127.0.0.2]/', 'a loopback address in IPv4-mapped IPv6 form'],
        ['http://169.254.169.254/latest/meta-data/', 'a link-local address'],
        ['http://metadata.test/', '169.254.169.254, a link-local address'],
        ['http://rebind.test/', '10.0.0.5, a private address'],
        ['http://100.64.1.1/', 'carrier-grade NAT'],
        ['http://nowhere.test/', 'does not resolve'],
      ]) {
        const r = await reg({ url, events: ['version.approved'] }, tokens.admin);
        expect(r.status, url).toBe(422);
        expect(((await r.json()) as { detail: string }).detail, url).toContain(why);
      }

      expect(
        (await reg({ url: `http://127.0.0.1:${port}/hook`, events: ['nope'] }, tokens.admin)).status,
      ).toBe(400);
      // a name resolving to an allowed address: the delivery connects to the checked address
      const created = await reg(
        { url: `http://receiver.test:${port}/hook`, events: ['version.approved'] },
        tokens.admin,
      );
      expect(created.status, await created.clone().text()).toBe(201);
      const { secret } = (await created.json()) as { secret: string };

      const api = loadKubeConfig().makeApiClient(CustomObjectsApi);
      await api.createNamespacedCustomObject({
        group: 'tessera.dev',
        version: 'v1alpha1',
        namespace: ns.name,
        plural: 'miniprogramversions',
        body: {
          apiVersion: 'tessera.dev/v1alpha1',
          kind: 'MiniProgramVersion',
          metadata: { name: 'bank-2-0-0' },
          spec: {
            miniProgram: 'bank',
            version: '2.0.0',
            source: { upload: { digest: `sha256:${'b'.repeat(64)}` } },
          },
        },
      });
      const approve = await fetch(`${store.url}/v1/tenants/ops/versions/bank-2-0-0/approvals`, {
        method: 'POST',
        headers: bearer(tokens.reviewer),
        body: JSON.stringify({ role: 'legal' }),
      });
      expect(approve.status).toBe(201);
      for (let i = 0; i < 100 && calls < 3; i++) await new Promise((r) => setTimeout(r, 100));
      expect(calls).toBe(3);
      const last = received[2];
      expect(last?.headers.host).toBe(`receiver.test:${port}`);
      const ts = String(last?.headers['x-tessera-webhook-timestamp']);
      const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${last?.body}`).digest('hex')}`;
      expect(last?.headers['x-tessera-webhook-signature']).toBe(expected);
      expect(JSON.parse(last?.body ?? '{}')).toMatchObject({
        event: 'version.approved',
        version: 'bank-2-0-0',
        role: 'legal',
      });
      let deliveries: { status: string; attempts: number }[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${store.url}/v1/tenants/ops/webhooks/deliveries`, {
          headers: bearer(tokens.admin),
        });
        deliveries = ((await r.json()) as { deliveries: typeof deliveries }).deliveries;
        if (deliveries[0]?.status === 'delivered') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    } finally {
      receiver.close();
    }
  });
});

describe('catalog', () => {
  it('searches names, descriptions and tags, Chinese included', async () => {
    const pkg = await makePackage(tenant, { 'app.json': '{"x":1}' });
    const doc = releaseDoc(tenant, {
      miniProgram: 'cmb',
      appId: 'cmb-app',
      displayName: '招商银行小程序',
      description: 'Mobile banking for everyone',
      tags: ['理财', 'finance'],
      category: 'finance',
      privacyScopes: [{ scope: 'userLocation', purpose: '查找附近网点' }],
      stable: { version: '1.0.0', artifact: artifactOf(pkg) },
    });
    expect((await state.applyConfigMap(await releaseConfigMap(tenant, doc))).ok).toBe(true);
    // catalog rows are written asynchronously after the release is applied: poll for the answer
    const search = async (q: string, want: string[]) => {
      let got: string[] = [];
      for (let i = 0; i < 50; i++) {
        const r = await signedFetch(store.url, tenant, 'GET', `/v1/catalog?q=${encodeURIComponent(q)}`);
        expect(r.response.status).toBe(200);
        const body = (await r.response.json()) as { items: { appId: string }[] };
        got = body.items.map((x) => x.appId).sort();
        if (JSON.stringify(got) === JSON.stringify(want)) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      return got;
    };
    expect(await search('银行', ['bank-app', 'cmb-app'])).toEqual(['bank-app', 'cmb-app']);
    expect(await search('小程序', ['cmb-app'])).toEqual(['cmb-app']);
    expect(await search('理财', ['cmb-app'])).toEqual(['cmb-app']);
    expect(await search('mob', ['cmb-app'])).toEqual(['cmb-app']);
    const none = await signedFetch(
      store.url,
      tenant,
      'GET',
      `/v1/catalog?q=${encodeURIComponent("') or 1=1 --")}`,
    );
    expect(none.response.status).toBe(200);
    expect(((await none.response.json()) as { items: unknown[] }).items).toEqual([]);
    const all = await signedFetch(store.url, tenant, 'GET', '/v1/catalog?category=finance');
    const items = ((await all.response.json()) as { items: { appId: string; privacyScopes: unknown }[] })
      .items;
    expect(items.map((x) => x.appId)).toEqual(['cmb-app']);
    // what the mini-program may ask users for, with its purpose
    expect(items[0]?.privacyScopes).toEqual([{ scope: 'userLocation', purpose: '查找附近网点' }]);
    const bad = await signedFetch(store.url, tenant, 'GET', '/v1/catalog?limit=100000');
    expect(bad.response.status).toBe(400);
  });
});

describe('audit log', () => {
  it('records state-changing calls and detects edited and deleted rows', async () => {
    const list = await fetch(`${store.url}/v1/tenants/ops/audit`, { headers: bearer(tokens.reviewer) });
    expect(list.status).toBe(200);
    const { entries } = (await list.json()) as { entries: { action: string; actor: string }[] };
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['artifact.upload', 'version.approve']),
    );
    expect(
      (await fetch(`${store.url}/v1/tenants/ops/audit`, { headers: bearer(tokens.outsider) })).status,
    ).toBe(403);

    const verify = () =>
      fetch(`${store.url}/v1/tenants/ops/audit/verify`, { headers: bearer(tokens.reviewer) });
    const good = await verify();
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ ok: true, entries: entries.length });

    const db = new pg.Client({ connectionString: pgServer.url });
    await db.connect();
    const s = tenantSchema('ops');
    try {
      // the trigger refuses edits outright
      await expect(db.query(`update ${s}.audit set actor = 'mallory' where seq = 1`)).rejects.toThrow(
        /append-only/,
      );
      // an owner who disables the trigger is caught by the chain
      await db.query(`alter table ${s}.audit disable trigger audit_append_only`);
      await db.query(`update ${s}.audit set actor = 'mallory' where seq = 1`);
      const edited = await verify();
      expect(edited.status).toBe(409);
      expect(await edited.json()).toMatchObject({ ok: false, brokenAt: 1 });
      await db.query(`update ${s}.audit set actor = $1 where seq = 1`, [entries[0]?.actor]);
      expect((await verify()).status).toBe(200);
      await db.query(`delete from ${s}.audit where seq = 1`);
      expect(await (await verify()).json()).toMatchObject({ ok: false, brokenAt: 1 });
    } finally {
      await db.end();
    }
  });
});

function event(type: string, extra: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    appId: 'bank-app',
    version: '1.0.0',
    userId: 'u1',
    at: new Date().toISOString(),
    type,
    ...extra,
  };
}

describe('events', () => {
  it('ingests batches idempotently and answers stats', async () => {
    const batch = {
      events: [
        event('launch', { timings: { total: 800 } }),
        event('launch', { userId: 'u2', timings: { total: 1200 } }),
        event('page-view', { page: 'pages/index/index' }),
        event('error', { message: 'TypeError: x is undefined' }),
      ],
    };
    const first = await signedFetch(store.url, tenant, 'POST', '/v1/events', batch);
    expect(first.response.status).toBe(202);
    expect(await first.response.json()).toEqual({ accepted: 4, duplicates: 0 });
    const retry = await signedFetch(store.url, tenant, 'POST', '/v1/events', batch);
    expect(await retry.response.json()).toEqual({ accepted: 0, duplicates: 4 });
    const stats = await fetch(`${store.url}/v1/tenants/ops/stats?appId=bank-app`, {
      headers: bearer(tokens.reviewer),
    });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { versions: unknown[] }).versions).toEqual([
      {
        version: '1.0.0',
        launches: 2,
        dailyActiveUsers: 2,
        coldStartP50: 1000,
        coldStartP95: 1180,
        errors: 1,
        errorRate: 0.5,
      },
    ]);
  });

  it('accepts feedback and refuses unknown categories', async () => {
    const ok = await signedFetch(store.url, tenant, 'POST', '/v1/feedback', {
      appId: 'bank-app',
      category: 'bug',
      text: '转账页面打不开',
    });
    expect(ok.response.status).toBe(201);
    expect(((await ok.response.json()) as { id: number }).id).toBeGreaterThan(0);
    const bad = await signedFetch(store.url, tenant, 'POST', '/v1/feedback', {
      appId: 'bank-app',
      category: 'spam',
      text: 'x',
    });
    expect(bad.response.status).toBe(400);
    const empty = await signedFetch(store.url, tenant, 'POST', '/v1/feedback', {
      appId: 'bank-app',
      category: 'bug',
      text: '',
    });
    expect(empty.response.status).toBe(400);
  });

  it('refuses invalid events with the path of the problem', async () => {
    const r = await signedFetch(store.url, tenant, 'POST', '/v1/events', {
      events: [event('launch', { timings: { total: -1 } })],
    });
    expect(r.response.status).toBe(400);
    expect(((await r.response.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      'events.0.timings.total',
    );
    const old = await signedFetch(store.url, tenant, 'POST', '/v1/events', {
      events: [event('launch', { at: '2020-01-01T00:00:00Z' })],
    });
    expect(old.response.status).toBe(400);
    const tooMany = await signedFetch(store.url, tenant, 'POST', '/v1/events', {
      events: Array.from({ length: 1001 }, () => event('launch')),
    });
    expect(tooMany.response.status).toBe(400);
  });
});

describe('operations', () => {
  it('serves health, readiness, metrics and OpenAPI', async () => {
    expect((await fetch(`${store.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${store.url}/readyz`)).json()).toMatchObject({ ok: true });
    const metrics = await (await fetch(`${store.url}/metrics`)).text();
    expect(metrics).toContain(
      'tessera_store_http_request_duration_seconds_bucket{le="0.005",route="/v1/events"',
    );
    const doc = (await (await fetch(`${store.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/launch', '/v1/tenants/{tenant}/artifacts/{sha256}']),
    );
    expect(doc.paths['/v1/launch']?.post).toHaveProperty('requestBody');
    const launchPost = doc.paths['/v1/launch']?.post as
      | { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }
      | undefined;
    const launchRequest = launchPost?.requestBody.content['application/json']?.schema;
    expect(launchRequest?.properties.wantRelease).toMatchObject({
      type: 'boolean',
      default: false,
      description: expect.stringContaining('signed release document'),
    });
    const preflight = await fetch(`${store.url}/v1/launch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://host.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    // the origin the HostApp lists, never `*`
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://host.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const unlisted = await fetch(`${store.url}/v1/launch`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(unlisted.status).toBe(403);
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${store.url}/v1/tenants/ops/audit`, { method: 'OPTIONS' })).status).toBe(405);
    const nope = await fetch(`${store.url}/v2/whatever`);
    expect(nope.status).toBe(404);
    expect(nope.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(`${store.url}/v1/launch`)).status).toBe(405);
  });

  it('several replicas migrating at once converge on one schema', async () => {
    const replicas = await Promise.all(
      Array.from({ length: 3 }, () =>
        startStore({
          databaseUrl: pgServer.url,
          state: new ReleaseState(),
          logger: pino({ level: 'silent' }),
        }),
      ),
    );
    try {
      await Promise.all(replicas.map((r) => r.context.schema('fresh-tenant')));
      const db = new pg.Client({ connectionString: pgServer.url });
      await db.connect();
      const n = await db.query(
        `select version from ${tenantSchema('fresh-tenant')}.migrations order by version`,
      );
      await db.end();
      // every migration applied exactly once
      expect(n.rows.map((r) => r.version)).toEqual([1, 2, 3]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });
});

describe('failures', () => {
  it('PostgreSQL down: launch keeps working from memory, ingest answers 503 + Retry-After, nothing half-written', async () => {
    const device = await generateDeviceKeyPair();
    const launch = () =>
      signedFetch(store.url, tenant, 'POST', '/v1/launch', {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
      });
    expect((await launch()).response.status).toBe(200); // warms the key cache
    const pending = { events: [event('launch', { timings: { total: 500 } })] };
    await pgServer.stop();
    try {
      expect((await launch()).response.status).toBe(200);
      const ingest = await signedFetch(store.url, tenant, 'POST', '/v1/events', pending);
      expect(ingest.response.status).toBe(503);
      expect(ingest.response.headers.get('retry-after')).toBeTruthy();
      expect((await fetch(`${store.url}/readyz`)).status).toBe(503);
    } finally {
      await pgServer.start();
    }
    // the client retries the same batch: it is stored exactly once
    let accepted: unknown;
    for (let i = 0; i < 20; i++) {
      const r = await signedFetch(store.url, tenant, 'POST', '/v1/events', pending);
      if (r.response.status === 202) {
        accepted = await r.response.json();
        break;
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(accepted).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('Redis down: signed launches fail closed with 503, recover when Redis is back', async () => {
    const device = await generateDeviceKeyPair();
    const launch = () =>
      signedFetch(store.url, tenant, 'POST', '/v1/launch', {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
      });
    await redis.stop();
    try {
      const r = await launch();
      expect(r.response.status).toBe(503);
      expect(((await r.response.json()) as { code: string }).code).toBe('replay-protection-unavailable');
    } finally {
      await redis.start();
    }
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await launch()).response.status;
      if (status !== 200) await new Promise((res) => setTimeout(res, 250));
    }
    expect(status).toBe(200);
  });

  it('rate limits per host app: shared through Redis, per replica while Redis is down', async () => {
    const limited = await startStore({
      databaseUrl: pgServer.url,
      redisUrl: redis.url,
      state,
      rateLimitPerSecond: 3,
      replayClockAheadSeconds: 2,
      webhookIntervalMs: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const device = await generateDeviceKeyPair();
      const body = { appId: 'bank-app', devicePublicKey: device.publicKeyRaw };
      const minted = await signedFetch(limited.url, tenant, 'POST', '/v1/sessions', { userId: 'u9' });
      const { token } = (await minted.response.json()) as { token: string };
      // wait for the start of a fresh one-second window so the burst falls inside one window
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await signedFetch(limited.url, tenant, 'POST', '/v1/launch', body)).response.status);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      await redis.stop();
      try {
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
        const degraded: number[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await fetch(`${limited.url}/v1/launch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
            body: JSON.stringify(body),
          });
          degraded.push(r.status);
        }
        // session-token launches keep working without Redis, still limited (per replica)
        expect(degraded.filter((s) => s === 200).length, JSON.stringify(degraded)).toBeGreaterThanOrEqual(1);
        expect(degraded.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
      } finally {
        await redis.start();
        for (let i = 0; i < 50 && (await fetch(`${limited.url}/readyz`)).status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await limited.close();
    }
  });

  it('digest path tricks on downloads are refused without touching the database', async () => {
    for (const d of [
      '..%2F..%2Fetc%2Fpasswd',
      `${'A'.repeat(64)}`,
      `${'a'.repeat(63)}`,
      sha256('x').toUpperCase(),
    ]) {
      const r = await signedFetch(store.url, tenant, 'GET', `/v1/tenants/ops/artifacts/${d}`);
      expect(r.response.status).toBe(400);
    }
  });
});
