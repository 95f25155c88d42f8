// STORE_WORKERS: the store's entrypoint (src/main.ts) as one supervisor with two node:cluster
// workers sharing the port, against real PostgreSQL, Redis and the API server (release state
// through the informers). Launches go through both workers, a nonce used on one is refused on
// the other, a killed worker is replaced, and SIGTERM stops the lot.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { generateDeviceKeyPair, unwrapDataKeyFromStore } from '@tessera/runtime-sdk/package';
import { LaunchResponseSchema } from '@tessera/runtime-sdk/protocol';
import { ReleaseState } from '@tessera/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubeconfigPath, loadKubeConfig } from '../../src/harness/testing.ts';
import { freePort } from '../../src/infra/ports.ts';
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

const repo = join(import.meta.dirname, '..', '..', '..');
const kc = loadKubeConfig();
let pg: PostgresServer;
let redis: RedisServer;
let supervisor: ChildProcess;
let url: string;
let tenant: TenantFixture;
let stderr = '';
const cleanup: Array<() => Promise<unknown>> = [];

/** pids of the supervisor's live child processes (the workers), from /proc */
function workerPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z') pids.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return pids;
}

async function launch(userId: string) {
  const device = await generateDeviceKeyPair();
  const { response } = await signedFetch(url, tenant, 'POST', '/v1/launch', {
    appId: 'bank-app',
    userId,
    devicePublicKey: device.publicKeyRaw,
  });
  return { response, device };
}

beforeAll(async () => {
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const ns = await createTestNamespace('workers');
  cleanup.push(ns.remove);
  tenant = await makeTenant(new ReleaseState(), `workers-${ns.name.slice(-6)}`, ns.name);
  cleanup.push(await publishTenant(kc, tenant));
  const tokens = await makeIdentities(kc, ns.name);

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  supervisor = spawn(process.execPath, [join(repo, 'services/store/src/main.ts')], {
    env: {
      ...process.env,
      STORE_WORKERS: '2',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      KUBERNETES: 'kubeconfig',
      KUBECONFIG: kubeconfigPath(),
      TENANT_FINALIZER: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  supervisor.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = await eventually(
    () =>
      fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      ),
    (s) => s === 200,
    300,
  );
  expect(ready, `store did not become ready; stderr: ${stderr}`).toBe(200);

  const pkg = await makePackage(tenant, { 'app.json': '{"v":1}' });
  const up = await eventually(
    () =>
      fetch(`${url}/v1/tenants/${tenant.name}/artifacts/${pkg.digests.ciphertext}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.ci}` },
        body: Buffer.from(pkg.bytes),
      }).then(
        (r) => r.status,
        // a worker being replaced by the supervisor refuses connections for a moment
        () => 0,
      ),
    (status) => status !== 404 && status !== 0,
  );
  expect(up, `artifact upload failed; store stderr: ${stderr}`).toBe(201);
  const doc = releaseDoc(tenant, { stable: { version: '1.0.0', artifact: artifactOf(pkg) } });
  await kc
    .makeApiClient(CoreV1Api)
    .createNamespacedConfigMap({ namespace: ns.name, body: await releaseConfigMap(tenant, doc) });
}, 120_000);

afterAll(async () => {
  if (supervisor && supervisor.exitCode === null) {
    supervisor.kill('SIGKILL');
    for (const pid of workerPids(supervisor.pid ?? -1)) process.kill(pid, 'SIGKILL');
  }
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await Promise.all([pg?.destroy(), redis?.destroy()]);
});

describe('STORE_WORKERS=2', () => {
  it('runs two workers that both serve launches from the release state they each watch', async () => {
    expect(workerPids(supervisor.pid ?? -1)).toHaveLength(2);
    // each worker has its own informers: wait until a dozen launches sent at once all succeed
    // (they open several connections, which the primary hands to the workers in turn)
    const statuses = await eventually(
      () => Promise.all(Array.from({ length: 12 }, (_, i) => launch(`u${i}`).then((l) => l.response.status))),
      (s) => s.every((x) => x === 200),
    );
    expect(statuses).toEqual(Array(12).fill(200));
    const { response, device } = await launch('someone');
    const body = LaunchResponseSchema.parse(await response.json());
    expect(body).toMatchObject({ version: '1.0.0', reason: 'stable' });
    await expect(unwrapDataKeyFromStore(body.wrappedKey!, device.privateKey)).resolves.toBeDefined();
  });

  it('refuses a replayed nonce whichever worker gets it (nonces are shared through Redis)', async () => {
    const device = await generateDeviceKeyPair();
    const body = { appId: 'bank-app', userId: 'replayer', devicePublicKey: device.publicKeyRaw };
    const first = await signedFetch(url, tenant, 'POST', '/v1/launch', body);
    expect(first.response.status).toBe(200);
    const nonce = first.headers['x-tessera-nonce'] ?? '';
    const timestamp = Number(first.headers['x-tessera-timestamp']);
    // sent at once, the replays open several connections, which the primary hands to the
    // workers in turn (node:cluster round-robin)
    const replays = await Promise.all(
      Array.from({ length: 6 }, () =>
        signedFetch(url, tenant, 'POST', '/v1/launch', body, { nonce, timestamp }).then(async (r) => ({
          status: r.response.status,
          code: ((await r.response.json()) as { code?: string }).code,
        })),
      ),
    );
    expect(replays).toEqual(Array(6).fill({ status: 401, code: 'nonce-replayed' }));
  });

  it('replaces a worker that dies, and stops all workers on SIGTERM', async () => {
    const parent = supervisor.pid ?? -1;
    const [victim] = workerPids(parent);
    process.kill(victim ?? -1, 'SIGKILL');
    const replaced = await eventually(
      async () => workerPids(parent),
      (p) => p.length === 2 && !p.includes(victim ?? -1),
    );
    expect(replaced).toHaveLength(2);
    const after = await eventually(
      () => launch('after-restart').then((l) => l.response.status),
      (s) => s === 200,
    );
    expect(after).toBe(200);

    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
    supervisor.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
  });
});
