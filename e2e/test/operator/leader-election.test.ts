// Two operator processes share one Lease: exactly one reconciles; when the leader stops, the
// other takes over; a gracefully stopped leader hands over at once.
import { kubeconfigPath } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  condition,
  deleteTenant,
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
const run = runId('le');
const ns = run;
const procs: OperatorProcess[] = [];
const env = {
  KUBECONFIG: kubeconfigPath(),
  TESSERA_SELECTOR: `tessera.dev/test-run=${run}`,
  TESSERA_OPERATOR_NAMESPACE: ns,
  TESSERA_LEASE_NAME: 'op',
  TESSERA_LEASE_DURATION_MS: '8000',
  TESSERA_RENEW_DEADLINE_MS: '6000',
  TESSERA_RETRY_PERIOD_MS: '1000',
};
type Lease = Obj & { spec: { holderIdentity?: string; leaseTransitions?: number } };
const lease = () => kube.get<Lease>(R.Leases, ns, 'op');

beforeAll(async () => {
  // the lease lives in the tenant namespace, which the first operator creates; create it upfront
  await kube.create(R.Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await kube.create(R.tenants, tenant(ns, run));
  await kube.create(R.miniPrograms, miniProgram(ns, 'm', run));
  for (const id of ['a', 'b']) procs.push(await spawnOperator(`${run}-${id}`, env));
});
afterAll(async () => {
  await Promise.all(procs.map((p) => kill(p)));
  await deleteTenant(kube, ns);
  await kube.delete(R.Namespaces, undefined, ns);
});

const leaderOf = async () => {
  const l = await lease();
  return procs.find(
    (p) => p.identity === l?.spec.holderIdentity && p.child.exitCode === null && p.child.signalCode === null,
  );
};

describe('leader election', () => {
  it('exactly one process reconciles', async () => {
    const leader = await waitFor('a leader', leaderOf, 30_000);
    await waitFor(
      'tenant reconciled',
      async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
    );
    await kube.create(R.versions, version(ns, 'm', '1.0.0', run));
    await waitFor(
      'job created',
      async () => (await kube.get<Obj>(R.versions, ns, 'm-1-0-0'))?.status?.compileJob,
    );
    const standby = procs.find((p) => p !== leader) as OperatorProcess;
    expect(await leader.metric('leader_election_master_status')).toBe(1);
    expect(await standby.metric('leader_election_master_status')).toBe(0);
    expect(await leader.metric('controller_runtime_reconcile_total')).toBeGreaterThan(0);
    expect(await standby.metric('controller_runtime_reconcile_total')).toBe(0);
    // the standby is warm: its caches are synced, so it is ready
    expect((await fetch(`http://127.0.0.1:${standby.port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${standby.port}/healthz`)).status).toBe(200);
  });

  it('the standby takes over when the leader is killed', async () => {
    const leader = (await leaderOf()) as OperatorProcess;
    const standby = procs.find((p) => p !== leader) as OperatorProcess;
    const transitions = (await lease())?.spec.leaseTransitions ?? 0;
    await kill(leader, 'SIGKILL');
    await waitFor(
      'standby leads',
      async () => (await lease())?.spec.holderIdentity === standby.identity,
      30_000,
    );
    expect((await lease())?.spec.leaseTransitions).toBe(transitions + 1);
    await kube.create(R.versions, version(ns, 'm', '1.1.0', run));
    await waitFor(
      'new leader reconciles',
      async () => (await kube.get<Obj>(R.versions, ns, 'm-1-1-0'))?.status?.compileJob,
    );
    expect(await standby.metric('leader_election_master_status')).toBe(1);
  });

  it('a leader stopped with SIGTERM releases the lease for a new standby', async () => {
    const leader = (await leaderOf()) as OperatorProcess;
    const fresh = await spawnOperator(`${run}-c`, env);
    procs.push(fresh);
    await waitFor(
      'fresh standby ready',
      async () =>
        (await fetch(`http://127.0.0.1:${fresh.port}/readyz`).catch(() => undefined))?.status === 200,
      30_000,
    );
    expect(await kill(leader, 'SIGTERM')).toBe(0);
    const l = await lease();
    // released on shutdown (holder cleared) or already taken by the standby
    expect([undefined, '', fresh.identity]).toContain(l?.spec.holderIdentity);
    await waitFor(
      'fresh process leads',
      async () => (await lease())?.spec.holderIdentity === fresh.identity,
      30_000,
    );
  });
});
