// Kill the operator (SIGKILL) in the middle of reconciling 200 versions and start it again: it
// converges with exactly one Job per version and loses no status, including compile results
// that finished while no operator was running.
import { kubeconfigPath } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  client,
  condition,
  deleteTenant,
  finishCompilePod,
  miniProgram,
  type Obj,
  R,
  runId,
  tenant,
  version,
  waitFor,
} from './helpers.ts';
import { kill, type OperatorProcess, spawnOperator } from './process.ts';

const kube = client();
const run = runId('restart');
const ns = run;
const N = 200;
const procs: OperatorProcess[] = [];
const env = {
  KUBECONFIG: kubeconfigPath(),
  TESSERA_SELECTOR: `tessera.dev/test-run=${run}`,
  TESSERA_LEADER_ELECTION: 'false',
  TESSERA_WORKERS: '8',
};
const versions = Array.from({ length: N }, (_, i) => `1.0.${i}`);
const jobs = () => kube.list<Obj>(R.Jobs, { namespace: ns, labelSelector: 'tessera.dev/component=compile' });

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

beforeAll(async () => {
  procs.push(await spawnOperator(`${run}-a`, env));
  await kube.create(R.tenants, tenant(ns, run));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(R.miniPrograms, miniProgram(ns, 'big', run));
});
afterAll(async () => {
  await Promise.all(procs.map((p) => kill(p)));
  await deleteTenant(kube, ns);
});

describe('kill and restart', () => {
  it('converges after SIGKILL mid-reconcile with no duplicate Jobs and no lost status', async () => {
    const creating = pool(versions, 10, (v) => kube.create(R.versions, version(ns, 'big', v, run)));
    // kill while versions are still being created and reconciled
    await waitFor('some jobs', async () => (await jobs()).items.length >= 30, 120_000);
    const code = await kill(procs[0] as OperatorProcess, 'SIGKILL');
    expect(code).toBeNull(); // killed by signal, no graceful shutdown
    await creating;
    const before = (await jobs()).items;
    expect(before.length).toBeLessThan(N);

    // compile results that arrive while no operator runs
    const finished = before.slice(0, 15).map((j) => j.metadata?.name ?? '');
    await pool(finished, 5, (job) =>
      finishCompilePod(kube, ns, job, JSON.stringify({ ok: true, artifact: artifact('f') })),
    );

    procs.push(await spawnOperator(`${run}-b`, env));
    await waitFor(
      'every version has its Job',
      async () => {
        const list = await kube.list<Obj>(R.versions, { namespace: ns });
        return list.items.length === N && list.items.every((v) => v.status?.compileJob) ? list : undefined;
      },
      180_000,
    );
    await waitFor(
      'finished compiles recorded',
      async () => {
        const list = await kube.list<Obj>(R.versions, { namespace: ns });
        return list.items.filter((v) => v.status?.phase === 'Compiled').length === finished.length;
      },
      120_000,
    );

    const all = (await jobs()).items;
    expect(all).toHaveLength(N);
    const perVersion = new Map<string, number>();
    for (const j of all) {
      const v = j.metadata?.labels?.['tessera.dev/mini-program-version'] ?? '';
      perVersion.set(v, (perVersion.get(v) ?? 0) + 1);
    }
    expect(perVersion.size).toBe(N);
    expect([...perVersion.values()].every((n) => n === 1)).toBe(true);
    const list = await kube.list<Obj>(R.versions, { namespace: ns });
    const jobNames = new Set(all.map((j) => j.metadata?.name));
    for (const v of list.items) {
      expect(jobNames.has(v.status?.compileJob as string)).toBe(true);
      const job = all.find((j) => j.metadata?.name === v.status?.compileJob);
      expect(job?.metadata?.ownerReferences?.[0]?.uid).toBe(v.metadata?.uid);
    }
    for (const job of finished) {
      const v = list.items.find((x) => x.status?.compileJob === job);
      expect(v?.status?.artifact).toMatchObject({ digest: artifact('f').digest });
    }
  });
});
