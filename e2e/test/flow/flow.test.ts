/**
 * The whole product with nothing simulated but the container runtime: its own
 * control plane, real PostgreSQL and Redis, the operator and store as
 * processes, the pod runner running real compile Jobs, the CLI pushing the
 * sample mini-programs, and the SDK in headless Chromium.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { StoreClient, StoreError } from '@tessera/runtime-sdk/core';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { routes, signRequest } from '@tessera/runtime-sdk/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowPageOrigin, BANK, type ProvisionedBank, provisionBank } from '../../src/demo/provision.ts';
import { type HostPage, startHostPage } from '../../src/demo/server.ts';
import { type Cluster, startCluster } from '../../src/harness/cluster.ts';
import { REPO_ROOT, tool } from '../../src/harness/paths.ts';
import { sleep } from '../../src/harness/processes.ts';
import { launchBrowser, type TestBrowser } from '../../src/infra/browser.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';

const run = promisify(execFile);
const CLI = join(REPO_ROOT, 'services', 'cli', 'bin', 'kubectl-tessera.js');
const GROUP = { group: 'tessera.dev', version: 'v1alpha1' };

let cluster: Cluster;
let postgres: PostgresServer;
let redis: RedisServer;
let platform: Platform;
let bank: ProvisionedBank;
let page: HostPage;
let browser: TestBrowser;
let workDir: string;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  // Its own control plane: the operator and the pod runner act on the whole cluster.
  [cluster, postgres, redis] = await Promise.all([startCluster(), startPostgres(), startRedis()]);
  workDir = await mkdtemp(join(tmpdir(), 'tessera-flow-'));
  platform = await startPlatform({
    kubeconfig: cluster.kubeconfigPath,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    workDir,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
  bank = await provisionBank({ kubeconfig: cluster.kubeconfigPath, storeUrl: platform.storeUrl });
  page = await startHostPage({ bank, storeUrl: platform.storeUrl, sdkVersion: '0.1.0' });
  await allowPageOrigin({ kubeconfig: cluster.kubeconfigPath, storeUrl: platform.storeUrl }, page.url);
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await page?.close();
  await platform?.stop();
  await Promise.all([cluster?.stop(), postgres?.destroy(), redis?.destroy()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const launcher = () =>
  new StoreClient({
    storeUrl: platform.storeUrl,
    credentials: { sdkKey: bank.sdkKey, sdkSecret: bank.sdkSecret },
  });

/** The version the store resolves for a user, as the SDK would ask for it. */
async function resolve(appId: string, userId: string, attributes: Record<string, string>): Promise<string> {
  const device = await generateDeviceKeyPair();
  const res = await launcher().launch({
    appId,
    userId,
    attributes,
    devicePublicKey: device.publicKeyRaw,
    sdkVersion: '0.1.0',
    platform: 'web',
  });
  return res.version;
}

async function patchMiniProgram(name: string, spec: Record<string, unknown>) {
  await custom.patchNamespacedCustomObject(
    { ...GROUP, namespace: BANK.namespace, plural: 'miniprograms', name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Polls until `probe` holds; returns how long it took (for the test output, not asserted). */
async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: not observed within ${timeoutMs} ms`);
}

describe('from kubectl apply to a page on screen', () => {
  it('renders the first page of each mini-program in Chromium, handles a tap, a host API and a subpackage', async () => {
    const tab = await browser.context.newPage();
    await tab.setViewportSize({ width: 1100, height: 900 });
    await tab.goto(page.url);
    await tab.waitForSelector('text=mini-programs running', { timeout: 60_000 });
    const handle = await tab.waitForSelector(
      'section.phone[data-app-id="bank-transfer"] iframe[data-route="pages/index/index"]',
      { state: 'attached', timeout: 30_000 },
    );
    const frame = (await handle.contentFrame())!;
    await frame.getByText('Pay a saved payee').waitFor();
    expect(await frame.locator('[class*="selected"]').count()).toBe(0);
    await frame.getByText('Li Lei').click();
    await expect.poll(async () => frame.locator('[class*="selected"]').count(), { timeout: 10_000 }).toBe(1);
    const branches = await tab.waitForSelector(
      'section.phone[data-app-id="bank-branches"] iframe[data-route="pages/index/index"]',
      { state: 'attached' },
    );
    await (await branches.contentFrame())!.getByText('4 of 4 branches').waitFor();
    // The README's screenshot comes from here: TESSERA_SCREENSHOTS=e2e/screenshots make e2e
    const shots = process.env.TESSERA_SCREENSHOTS;
    if (shots) await tab.screenshot({ path: join(REPO_ROOT, shots, 'demo-page.png') });
    // A custom host API the HostApp grants to this mini-program.
    await frame.getByText('Show my cards').click();
    await frame.getByText('Debit •••• 2233').waitFor();
    // Navigation into the history subpackage (a separate, separately keyed artifact).
    await frame.getByText('Transfer history').click();
    const history = await tab.waitForSelector(
      'section.phone[data-app-id="bank-transfer"] iframe[data-route="history/pages/list/list"]',
      { state: 'attached' },
    );
    await (await history.contentFrame())!.getByText('No transfers in this session.').waitFor();
    await tab.close();
  });
});

describe('gray release', () => {
  const users = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  it('gives the candidate to about 10% of matching users, and the same users keep it at 20%', async () => {
    const shanghai = users(600, 'sh');
    const at10 = new Set<string>();
    for (const u of shanghai)
      if ((await resolve('bank-transfer', u, { region: 'shanghai' })) === '1.1.0') at10.add(u);
    expect(at10.size / shanghai.length).toBeGreaterThan(0.05);
    expect(at10.size / shanghai.length).toBeLessThan(0.15);

    await custom.patchNamespacedCustomObject(
      {
        ...GROUP,
        namespace: BANK.namespace,
        plural: 'grayrules',
        name: 'transfer-1.1.0-shanghai',
        body: { spec: { rollout: { percentage: 20 } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually('the 20% rule to reach the store', async () => {
      let inAt20 = 0;
      for (const u of shanghai.slice(0, 200))
        if ((await resolve('bank-transfer', u, { region: 'shanghai' })) === '1.1.0') inAt20++;
      return inAt20 / 200 > 0.12;
    });
    const at20 = new Set<string>();
    for (const u of shanghai)
      if ((await resolve('bank-transfer', u, { region: 'shanghai' })) === '1.1.0') at20.add(u);
    for (const u of at10) expect(at20.has(u), `${u} was in at 10%`).toBe(true);
    expect(at20.size / shanghai.length).toBeGreaterThan(0.14);
    expect(at20.size / shanghai.length).toBeLessThan(0.26);
  });

  it('routes exactly the users the attribute conditions match (and the listed testers)', async () => {
    for (const u of users(200, 'bj'))
      expect(await resolve('bank-transfer', u, { region: 'beijing' })).toBe('1.0.0');
    expect(await resolve('bank-transfer', 'tester-001', { region: 'beijing' })).toBe('1.1.0');
    // Not matched by any rule: another mini-program is unaffected.
    expect(await resolve('bank-branches', 'sh-1', { region: 'shanghai' })).toBe('2.1.0');
  });
});

describe('rollback and take-down', () => {
  it('promote, rollback, suspend and resume reach a new launch; a take-down purges cached copies', async () => {
    await patchMiniProgram('transfer', { stableVersion: '1.1.0' });
    const promoted = await eventually(
      'promotion',
      async () => (await resolve('bank-transfer', 'bj-1', { region: 'beijing' })) === '1.1.0',
    );
    await patchMiniProgram('transfer', { stableVersion: '1.0.0' });
    const rolledBack = await eventually(
      'rollback',
      async () => (await resolve('bank-transfer', 'bj-1', { region: 'beijing' })) === '1.0.0',
    );
    console.log(`[flow] promotion visible after ${promoted} ms, rollback after ${rolledBack} ms`);

    await patchMiniProgram('transfer', { suspended: true, suspendReason: 'maintenance' });
    await eventually('take-down', async () => {
      try {
        await resolve('bank-transfer', 'bj-1', { region: 'beijing' });
        return false;
      } catch (error) {
        return error instanceof StoreError && error.status === 410;
      }
    });
    // What an SDK holding cached copies hears: drop them.
    const body = JSON.stringify({
      appId: 'bank-transfer',
      userId: 'bj-1',
      devicePublicKey: (await generateDeviceKeyPair()).publicKeyRaw,
      cachedVersions: ['1.0.0', '1.1.0'],
    });
    const headers = await signRequest({
      method: 'POST',
      path: routes.launch(),
      body,
      sdkKey: bank.sdkKey,
      sdkSecret: bank.sdkSecret,
    });
    const gone = await fetch(`${platform.storeUrl}${routes.launch()}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { purge: string[] }).purge.sort()).toEqual(['1.0.0', '1.1.0']);

    await patchMiniProgram('transfer', { suspended: false });
    await eventually(
      'resume',
      async () => (await resolve('bank-transfer', 'bj-1', { region: 'beijing' })) === '1.0.0',
    );
  });
});

describe('a failing compile', () => {
  it('shows the compiler file:line:column message in the CLI and in kubectl describe', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-broken-'));
    await cp(join(REPO_ROOT, 'examples', 'miniprograms', 'branches'), dir, { recursive: true });
    await writeFile(
      join(dir, 'pages', 'detail', 'detail.wxml'),
      '<view>\n  <text>{{ branch.name </text>\n</view>\n',
    );
    const token = await saToken('ci');
    const push = await run(
      process.execPath,
      [
        CLI,
        'push',
        dir,
        '-n',
        BANK.namespace,
        '--mini-program',
        'branches',
        '--version',
        '9.9.9',
        '--timeout',
        '5m',
      ],
      {
        env: {
          ...process.env,
          KUBECONFIG: cluster.kubeconfigPath,
          TESSERA_STORE_URL: platform.storeUrl,
          TESSERA_TOKEN: token,
        },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    await rm(dir, { recursive: true, force: true });
    expect(push.code).toBe(2);
    expect(push.stderr).toMatch(/pages\/detail\/detail\.wxml:2:\d+/);
    const { stdout } = await run(tool('kubectl'), [
      '--kubeconfig',
      cluster.kubeconfigPath,
      'describe',
      'mpv',
      'branches-9.9.9',
      '-n',
      BANK.namespace,
    ]);
    expect(stdout).toMatch(/pages\/detail\/detail\.wxml:2:\d+/);
  });
});

describe('tenant deletion', () => {
  it('removes the namespace, the key material and the database schema', async () => {
    const tenant = (await custom.getClusterCustomObject({
      ...GROUP,
      plural: 'tenants',
      name: BANK.tenant,
    })) as {
      metadata: { finalizers?: string[] };
    };
    // The store keeps the Tenant until its data is gone.
    expect(tenant.metadata.finalizers).toContain('tessera.dev/store-data');
    await custom.deleteClusterCustomObject({ ...GROUP, plural: 'tenants', name: BANK.tenant });
    await eventually(
      'the tenant namespace to disappear',
      async () => {
        try {
          await core.readNamespace({ name: BANK.namespace });
          return false;
        } catch (error) {
          return (error as { code?: number }).code === 404;
        }
      },
      120_000,
    );
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      await eventually(
        'the tenant database schema to be dropped',
        async () => {
          const { rows } = await client.query(
            "select schema_name from information_schema.schemata where schema_name like '%bank%'",
          );
          return rows.length === 0;
        },
        60_000,
      );
    } finally {
      await client.end();
    }
    const keys = await core.listSecretForAllNamespaces({ labelSelector: 'tessera.dev/tenant=bank' });
    expect(keys.items.map((s) => s.metadata?.name)).toEqual([]);
  });
});

async function saToken(name: string): Promise<string> {
  const tr = await core.createNamespacedServiceAccountToken({
    namespace: BANK.namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 600 } },
  });
  return tr.status?.token ?? '';
}
