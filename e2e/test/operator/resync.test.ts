// A resync over settled objects writes nothing: every write request the operator sends goes
// through a counting proxy in front of the real API server.
import { loadKubeConfig } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProxy } from './api-proxy.ts';
import {
  API,
  artifact,
  client,
  condition,
  deleteTenant,
  finishCompilePod,
  miniProgram,
  type Obj,
  R,
  RUN_LABEL,
  runId,
  startOperator,
  tenant,
  version,
  waitFor,
} from './helpers.ts';

const kube = client();
const run = runId('resync');
const ns = run;
const proxy = new ApiProxy(loadKubeConfig());
let op: ReturnType<typeof startOperator>;

const reconciles = async () => {
  const m = await op.manager.metrics.reconciles.get();
  return m.values.reduce((a, v) => a + v.value, 0);
};
const idle = () => op.controllers.every((c) => c.queue.length === 0 && c.queue.processingCount === 0);

async function settle(): Promise<void> {
  // settled = no write and idle queues for 3 consecutive seconds
  let last = -1;
  let stableSince = Date.now();
  await waitFor(
    'operator settled',
    () => {
      const n = proxy.writeCount();
      if (n !== last || !idle()) {
        last = n;
        stableSince = Date.now();
        return false;
      }
      return Date.now() - stableSince > 3000;
    },
    90_000,
  );
}

beforeAll(async () => {
  await proxy.start();
  op = startOperator(run, { kubeConfig: proxy.kubeConfig() });
  await op.start();
  await kube.create(
    R.tenants,
    tenant(ns, run, { members: [{ kind: 'User', name: 'dev', role: 'developer' }] }),
  );
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(R.miniPrograms, miniProgram(ns, 'app', run, { stableVersion: '1.0.0' }));
  for (const [v, ok] of [
    ['1.0.0', true],
    ['1.1.0', true],
    ['1.2.0', false],
  ] as const) {
    await kube.create(R.versions, version(ns, 'app', v, run));
    const name = `app-${v.replace(/\./g, '-')}`;
    const job = await waitFor(
      'job',
      async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.compileJob as string | undefined,
    );
    await finishCompilePod(
      kube,
      ns,
      job,
      JSON.stringify(ok ? { ok: true, artifact: artifact(v[2] ?? 'a') } : { ok: false, message: 'boom' }),
      ok,
    );
    await waitFor('done', async () =>
      ['Compiled', 'Released', 'Failed'].includes(
        (await kube.get<Obj>(R.versions, ns, name))?.status?.phase as string,
      ),
    );
  }
  await kube.create(R.grayRules, {
    apiVersion: API,
    kind: 'GrayRule',
    metadata: { name: 'g', namespace: ns, labels: { [RUN_LABEL]: run } },
    spec: { miniProgram: 'app', version: '1.1.0', rollout: { percentage: 5 } },
  });
  await kube.create(R.hostApps, {
    apiVersion: API,
    kind: 'HostApp',
    metadata: { name: 'h', namespace: ns, labels: { [RUN_LABEL]: run } },
    spec: {
      displayName: 'H',
      platforms: { web: { origins: ['https://h.example'] } },
      miniPrograms: { names: ['app'] },
    },
  });
  await waitFor(
    'host app ready',
    async () => condition(await kube.get<Obj>(R.hostApps, ns, 'h'), 'Ready')?.status === 'True',
  );
});
afterAll(async () => {
  await op.stop();
  await proxy.stop();
  await deleteTenant(kube, ns);
});

describe('resync', () => {
  it('reconciles every settled object again and sends zero write requests', async () => {
    await settle();
    const writesBefore = proxy.writeCount();
    const reconcilesBefore = await reconciles();
    for (let round = 0; round < 3; round++) {
      for (const inf of Object.values(op.informers)) inf.resync();
      await waitFor('queues drained', idle);
    }
    await settle();
    const reconciled = (await reconciles()) - reconcilesBefore;
    expect(reconciled).toBeGreaterThanOrEqual(3 * 8); // tenant, mp, 3 versions, rule, host app, ...
    expect(proxy.writes.slice(writesBefore)).toEqual([]);
  });

  it('a real change still writes (the counter is live)', async () => {
    const before = proxy.writeCount();
    await kube.patch(R.miniPrograms, ns, 'app', { spec: { stableVersion: '1.1.0' } });
    await waitFor('write observed', () => proxy.writeCount() > before);
    await settle();
  });
});
