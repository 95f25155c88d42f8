// The complete audit trail: a kube-apiserver of its own, started with the chart's audit policy and
// a batch webhook to the store under test. Changes made with kubectl and kubectl-tessera (gray
// rule patch, promote/rollback/suspend, host app, tenant members) land in the tenant's hash chain
// with who/what/when/where; `kubectl tessera audit` reads it; a tampered row fails --verify by
// number; malformed, unauthenticated and oversized webhook posts are refused whole.

import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../../src/harness/cluster.ts';
import { createTestNamespace, kubectl, loadKubeConfig } from '../../src/harness/testing.ts';
import { freePort, sleep } from '../../src/infra/ports.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { createMiniProgram, createVersion, json, serviceAccountKubeconfig, tessera } from '../cli/helpers.ts';
import { makeTenant } from './fixtures.ts';

interface Entry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  remote: string;
  details: Record<string, unknown>;
}

const TENANT = 'audited';
const token = randomBytes(24).toString('hex');
let pgServer: PostgresServer;
let cluster: Cluster;
let store: Store;
let ns: string;
let releaser: { path: string; token: string; dir: string };
let platformAdmin: { path: string; token: string; dir: string };
let outsider: { path: string; token: string; dir: string };
const previousKubeconfig = process.env.TESSERA_KUBECONFIG;
const started = Date.now();

const webhookUrl = () => `${store.url}/v1/audit/kube-events`;
const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
  fetch(webhookUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function tenantEntries(): Promise<Entry[]> {
  const r = await fetch(`${store.url}/v1/tenants/${TENANT}/audit?limit=1000`, {
    headers: { authorization: `Bearer ${releaser.token}` },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { entries: Entry[] }).entries;
}

/** The API server flushes a batch every second; wait until `found` holds. */
async function waitForEntries(found: (entries: Entry[]) => boolean): Promise<Entry[]> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const entries = await tenantEntries();
    if (found(entries)) return entries;
    if (Date.now() > deadline)
      throw new Error(
        `audit entries not found; have:\n${entries.map((e) => `${e.action} ${e.target}`).join('\n')}`,
      );
    await sleep(500);
  }
}

beforeAll(async () => {
  pgServer = await startPostgres();
  const port = await freePort();
  cluster = await startCluster({
    controllerManager: false,
    auditWebhook: { url: `http://127.0.0.1:${port}/v1/audit/kube-events`, token },
  });
  // the CLI and kubectl helpers follow this cluster, not the shared one
  process.env.TESSERA_KUBECONFIG = cluster.kubeconfigPath;
  const kc = loadKubeConfig();
  ns = (await createTestNamespace('audit')).name;
  const state = new ReleaseState();
  store = await startStore({
    databaseUrl: pgServer.url,
    kubeConfig: kc,
    state,
    port,
    auditWebhookToken: token,
    logger: pino({ level: 'silent' }),
  });
  await makeTenant(state, TENANT, ns);
  releaser = await serviceAccountKubeconfig(ns, 'releaser', [
    {
      apiGroups: ['tessera.dev'],
      resources: ['*'],
      verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'],
    },
  ]);
  outsider = await serviceAccountKubeconfig(ns, 'outsider', []);
  platformAdmin = await serviceAccountKubeconfig(ns, 'platform-admin', []);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({
    body: {
      metadata: { name: 'audit-platform-reader' },
      rules: [{ apiGroups: ['tessera.dev'], resources: ['tenants'], verbs: ['list'] }],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: 'audit-platform-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'audit-platform-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'platform-admin', namespace: ns }],
    },
  });
  // alice edits gray rules; the admin acts as her through impersonation
  await rbac.createNamespacedRole({
    namespace: ns,
    body: {
      metadata: { name: 'gray-editor' },
      rules: [{ apiGroups: ['tessera.dev'], resources: ['grayrules'], verbs: ['get', 'create', 'patch'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'gray-editor' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gray-editor' },
      subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
    },
  });
}, 180_000);

afterAll(async () => {
  if (previousKubeconfig === undefined) delete process.env.TESSERA_KUBECONFIG;
  else process.env.TESSERA_KUBECONFIG = previousKubeconfig;
  await store?.close();
  await cluster?.stop();
  await pgServer?.destroy();
  await Promise.all(
    [releaser, outsider, platformAdmin].map((k) => k && rm(k.dir, { recursive: true, force: true })),
  );
});

async function create(doc: object, as: string[] = []): Promise<void> {
  const r = await kubectl([...as, 'create', '-f', '-'], JSON.stringify(doc));
  expect(r.code, r.stderr).toBe(0);
}

const cli = (args: string[], kubeconfig = releaser.path) =>
  tessera([...args, '--store-url', store.url], { kubeconfig });

describe('the audit trail of Tessera resources changed through the Kubernetes API', () => {
  it('records gray rule, release, host app and tenant member changes with who, what, when and where', async () => {
    const rule = {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'GrayRule',
      metadata: { name: 'beta', namespace: ns },
      spec: { miniProgram: 'shop', version: '1.1.0', priority: 10, rollout: { percentage: 5 } },
    };
    const asAlice = ['--as', 'alice', '--as-group', 'shop-devs'];
    await create(rule, asAlice);
    const patched = await kubectl([
      ...asAlice,
      '-n',
      ns,
      'patch',
      'grayrule',
      'beta',
      '--type=merge',
      '-p',
      '{"spec":{"rollout":{"percentage":25}}}',
    ]);
    expect(patched.code, patched.stderr).toBe(0);

    await createMiniProgram(ns, 'shop');
    for (const v of ['1.0.0', '1.1.0'])
      await createVersion(ns, 'shop', v, { phase: 'Compiled', approved: true });
    for (const args of [
      ['promote', 'shop', '1.0.0'],
      ['promote', 'shop', '1.1.0'],
      ['rollback', 'shop'],
      ['suspend', 'shop', '--reason', 'incident 42'],
    ]) {
      const r = await tessera([...args, '-n', ns], { kubeconfig: releaser.path });
      expect(r.code, r.stderr).toBe(0);
    }

    const hostApp = {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'HostApp',
      metadata: { name: 'web', namespace: ns },
      spec: {
        displayName: 'Web',
        platforms: { web: { origins: ['https://host.example'] } },
        miniPrograms: { names: ['shop'] },
      },
    };
    await create(hostApp);

    const tenant = {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'Tenant',
      metadata: { name: TENANT },
      spec: {
        displayName: 'Audited',
        namespace: ns,
        members: [{ kind: 'User', name: 'bob', role: 'developer' }],
      },
    };
    await create(tenant);
    const member = await kubectl([
      'patch',
      'tenant',
      TENANT,
      '--type=json',
      '-p',
      JSON.stringify([
        { op: 'add', path: '/spec/members/-', value: { kind: 'User', name: 'carol', role: 'viewer' } },
      ]),
    ]);
    expect(member.code, member.stderr).toBe(0);

    const sa = `system:serviceaccount:${ns}:releaser`;
    const entries = await waitForEntries(
      (es) =>
        es.some((e) => e.action === 'kube.patch.tenants') &&
        es.filter((e) => e.actor === sa && e.target === `${ns}/shop`).length >= 4,
    );

    const grayPatch = entries.find((e) => e.action === 'kube.patch.grayrules');
    expect(grayPatch).toMatchObject({
      actor: 'alice',
      target: `${ns}/beta`,
      remote: '127.0.0.1',
      details: {
        source: 'kubernetes',
        verb: 'patch',
        resource: 'grayrules',
        namespace: ns,
        name: 'beta',
        code: 200,
        user: 'tessera-admin',
        groups: expect.arrayContaining(['system:masters']),
        impersonatedUser: 'alice',
        impersonatedGroups: expect.arrayContaining(['shop-devs']),
        sourceIPs: ['127.0.0.1'],
        userAgent: expect.stringContaining('kubectl'),
      },
    });
    const at = Date.parse(grayPatch?.at ?? '');
    expect(at).toBeGreaterThanOrEqual(started);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(entries.some((e) => e.action === 'kube.create.grayrules' && e.actor === 'alice')).toBe(true);

    const releases = entries.filter((e) => e.actor === sa && e.target === `${ns}/shop`);
    expect(releases.map((e) => e.action)).toEqual([
      'kube.patch.miniprograms',
      'kube.patch.miniprograms',
      'kube.patch.miniprograms',
      'kube.patch.miniprograms',
    ]);
    for (const e of releases) expect(e.details).toMatchObject({ code: 200, userAgent: expect.any(String) });
    expect(entries.some((e) => e.action === 'kube.patch.miniprogramversions/status')).toBe(true);
    expect(entries.find((e) => e.action === 'kube.create.hostapps')).toMatchObject({
      actor: 'tessera-admin',
      target: `${ns}/web`,
    });
    expect(entries.find((e) => e.action === 'kube.patch.tenants')).toMatchObject({
      actor: 'tessera-admin',
      target: TENANT,
      details: { resource: 'tenants', name: TENANT, code: 200 },
    });
    // reads are not in the chain, and no request body ever is
    expect(entries.some((e) => /^kube\.(get|list|watch)\./.test(e.action))).toBe(false);
    expect(JSON.stringify(entries)).not.toContain('carol');
  });

  it('kubectl tessera audit shows it to tenant members, refuses outsiders, and keeps the platform chain for admins', async () => {
    const listed = await cli(['audit', '--tenant', TENANT, '-o', 'json']);
    expect(listed.code, listed.stderr).toBe(0);
    const doc = json<{ chain: string; entries: Entry[] }>(listed);
    expect(doc.chain).toBe(`tenant ${TENANT}`);
    expect(doc.entries.some((e) => e.action === 'kube.patch.grayrules')).toBe(true);

    const table = await cli(['audit', '--tenant', TENANT, '--since', '1h']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^SEQ\s+TIME\s+ACTOR\s+ACTION\s+TARGET\s+CODE\s+FROM/);
    expect(table.stdout).toContain('alice (impersonated by tessera-admin)');
    const future = await cli(['audit', '--tenant', TENANT, '--since', '2099-01-01T00:00:00Z']);
    expect(future.stdout).toBe(`no audit entries for tenant ${TENANT}\n`);

    const refused = await cli(['audit', '--tenant', TENANT], outsider.path);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('403');

    const elsewhere = {
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'Tenant',
      metadata: { name: 'not-served-here' },
      spec: { displayName: 'Elsewhere', namespace: 'elsewhere' },
    };
    await create(elsewhere);
    const deadline = Date.now() + 45_000;
    let platform: Entry[] = [];
    while (!platform.some((e) => e.target === 'not-served-here') && Date.now() < deadline) {
      await sleep(500);
      const r = await cli(['audit', '-o', 'json'], platformAdmin.path);
      expect(r.code, r.stderr).toBe(0);
      platform = json<{ entries: Entry[] }>(r).entries;
    }
    expect(platform.find((e) => e.target === 'not-served-here')?.action).toBe('kube.create.tenants');
    const notAdmin = await cli(['audit'], releaser.path);
    expect(notAdmin.code).toBe(3);
    expect(notAdmin.stderr).toContain('may not read the platform audit log');
    expect((await cli(['audit', '--verify'], platformAdmin.path)).code).toBe(0);
  });
});

describe('the audit webhook endpoint', () => {
  const event = (auditID: string, over: Record<string, unknown> = {}) => ({
    auditID,
    stage: 'ResponseComplete',
    verb: 'patch',
    user: { username: 'webhook-test', groups: [] },
    sourceIPs: ['192.0.2.7'],
    objectRef: {
      resource: 'grayrules',
      namespace: ns,
      name: 'beta',
      apiGroup: 'tessera.dev',
      apiVersion: 'v1alpha1',
    },
    responseStatus: { code: 200 },
    ...over,
  });
  const list = (items: unknown[]) =>
    JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });

  it('refuses unauthenticated, malformed, half-valid and oversized bodies without writing or crashing', async () => {
    const before = (await tenantEntries()).length;
    expect((await post(list([event('a')]), {})).status).toBe(401);
    expect((await post(list([event('a')]), { authorization: 'Bearer wrong' })).status).toBe(401);
    const notJson = await post('{"kind":');
    expect(notJson.status).toBe(400);
    const wrongKind = await post(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [] }));
    expect(wrongKind.status).toBe(400);
    expect(await wrongKind.text()).toContain('EventList');
    const half = await post(list([event('half-written'), { auditID: 'broken' }]));
    expect(half.status).toBe(400);
    const big = await post(' '.repeat(5 * 1024 * 1024));
    expect(big.status).toBe(413);
    expect((await fetch(`${store.url}/healthz`)).status).toBe(200);
    const after = await tenantEntries();
    expect(after.length).toBe(before);
    expect(after.some((e) => e.details.auditID === 'half-written')).toBe(false);
  });

  it('appends a retried batch once (same auditID) and ignores reads and other groups', async () => {
    const body = list([
      event('retried-1'),
      event('read-1', { verb: 'get' }),
      event('secret-1', { objectRef: { resource: 'secrets', namespace: ns, name: 's', apiGroup: '' } }),
    ]);
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 3, appended: 1, duplicates: 0, ignored: 2 });
    const again = await post(body);
    expect(await again.json()).toEqual({ received: 3, appended: 0, duplicates: 1, ignored: 2 });
    expect((await tenantEntries()).filter((e) => e.details.auditID === 'retried-1')).toHaveLength(1);
  });
});

describe('kubectl tessera audit --verify', () => {
  it('passes on the intact chain and names the tampered row after an edit in PostgreSQL', async () => {
    const ok = await cli(['audit', '--tenant', TENANT, '--verify']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`^audit chain of tenant ${TENANT} intact: \\d+ entries, head [0-9a-f]{64}\\n$`),
    );

    const db = new pg.Client({ connectionString: pgServer.url });
    await db.connect();
    try {
      await db.query('alter table t_audited.audit disable trigger audit_append_only');
      const edited = await db.query("update t_audited.audit set actor = 'mallory' where seq = 3");
      expect(edited.rowCount).toBe(1);
      await db.query('alter table t_audited.audit enable trigger audit_append_only');
    } finally {
      await db.end();
    }
    const broken = await cli(['audit', '--tenant', TENANT, '--verify']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      `the audit chain of tenant ${TENANT} is broken at entry 3: entry content does not match its hash (2 entries before it verify)`,
    );
  });
});
