// Broken watches recover inside the same process: connections dropped, 410 Gone, and a silent
// stall (bytes stop, connection stays open).
import { loadKubeConfig } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProxy } from './api-proxy.ts';
import {
  client,
  condition,
  deleteTenant,
  miniProgram,
  type Obj,
  R,
  runId,
  startOperator,
  tenant,
  version,
  waitFor,
} from './helpers.ts';

const kube = client();
const run = runId('watch');
const ns = run;
const proxy = new ApiProxy(loadKubeConfig());
let op: ReturnType<typeof startOperator>;

beforeAll(async () => {
  await proxy.start();
  op = startOperator(run, {
    kubeConfig: proxy.kubeConfig(),
    informer: { watchTimeoutSeconds: 2, stallGraceMs: 1500, backoff: { initialMs: 50, maxMs: 500 } },
  });
  await op.start();
  await kube.create(R.tenants, tenant(ns, run));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(R.miniPrograms, miniProgram(ns, 'w', run));
});
afterAll(async () => {
  await op.stop();
  await proxy.stop();
  await deleteTenant(kube, ns);
});

const compiling = (name: string) => async () =>
  (await kube.get<Obj>(R.versions, ns, name))?.status?.phase === 'Compiling';
const restarts = async (reason: string) => {
  const m = await op.manager.metrics.informerRestarts.get();
  return m.values.filter((v) => v.labels.reason === reason).reduce((a, v) => a + v.value, 0);
};

describe('informer recovery', () => {
  it('recovers from dropped watch connections', async () => {
    const dropped = proxy.dropWatches();
    expect(dropped).toBeGreaterThan(0);
    await kube.create(R.versions, version(ns, 'w', '1.0.0', run));
    await waitFor('version reconciled after drop', compiling('w-1-0-0'));
    expect(await restarts('error')).toBeGreaterThan(0);
  });

  it('relists after 410 Gone and sees deletions that happened meanwhile', async () => {
    const versions = op.informers.versions;
    const relistsBefore = versions.relists;
    await kube.create(R.versions, version(ns, 'w', '1.1.0', run));
    await waitFor('cached', () => versions.cache.getNamed(ns, 'w-1-1-0'));
    // The deletion's watch event is swallowed; the next watch answers 410 Gone, so only the
    // relist can reveal that the object is gone.
    proxy.stall = true;
    await kube.delete(R.versions, ns, 'w-1-1-0');
    proxy.goneNext('miniprogramversions', 1);
    proxy.stall = false;
    proxy.dropWatches();
    await waitFor('relisted', () => versions.relists > relistsBefore);
    await waitFor(
      'deletion observed through relist',
      () => versions.cache.getNamed(ns, 'w-1-1-0') === undefined,
    );
    expect(await restarts('gone')).toBeGreaterThan(0);
  });

  it('detects a silent stall and restarts the watch', async () => {
    const before = await restarts('stalled');
    proxy.stall = true;
    await waitFor('stall detected', async () => (await restarts('stalled')) > before, 30_000);
    proxy.stall = false;
    proxy.dropWatches(); // stalled connections are dead to us anyway
    await kube.create(R.versions, version(ns, 'w', '1.2.0', run));
    await waitFor('version reconciled after stall', compiling('w-1-2-0'));
  });
});
