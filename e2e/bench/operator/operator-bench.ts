// Operator benchmarks against a real control plane (the e2e harness, or TESSERA_KUBECONFIG).
// The operator runs as a separate process (operator/src/main.ts) talking to the API server
// directly, as in a cluster; its API requests are counted by its own metrics
// (tessera_operator_api_requests_total) and its memory is read through its inspector after a GC. Each figure is printed with a baseline measured in
// the same run, and the load average when it was taken (the machine is shared):
//   jobs         N versions -> N compile Jobs     vs  the client creating N Jobs directly, and
//                N versions with no operator acting on them (same ResourceQuota)
//   completions  the operator's share: N Jobs marked Complete (Job and Pod status written by the
//                bench through /status, as a kubelet and the Job controller would) -> N statuses
//                filled, per version from the Job seen Complete to the version seen Compiled
//   e2e          end to end with the real Job controller: N pod statuses written -> N version
//                statuses filled, split into the Job controller's and the operator's share
//   rss          operator process.memoryUsage() after a full GC (through its inspector) with
//                ~OBJECTS cached objects vs with empty caches
//   noop         API writes per reconcile on a restart over settled objects (target 0)
// Every phase also prints the operator's API writes by verb, reconcile and queue-wait means, API
// round-trip means, client rate-limiter waits and the CPU seconds of each process, so the figure
// can be attributed (operator, kube-apiserver, etcd, kube-controller-manager, the bench itself).
// Bounded: every wait has a deadline. Env: BENCH_VERSIONS (default 1000), BENCH_E2E_VERSIONS
// (default BENCH_VERSIONS), BENCH_OBJECTS (10000), BENCH_PHASES (default all, comma-separated),
// BENCH_WORKERS (operator TESSERA_WORKERS, default: the operator's own default),
// BENCH_OPERATOR_NODE_OPTIONS (default: the chart's --max-old-space-size=192).
import { KubeConfig } from '@kubernetes/client-node';
import { Informer, KubeClient, resources } from '@tessera/controller-runtime';
import { type Cluster, startCluster } from '@tessera/e2e/harness';
import { kill, type OperatorProcess, spawnOperator } from '../../test/operator/process.ts';
import {
  CpuMeter,
  countMeta,
  delta,
  inspectorUrl,
  loadAverage,
  mb,
  meanMs,
  memoryAfterGc,
  now,
  type Obj,
  pool,
  processName,
  rssMb,
  scalar,
  secs,
  until,
  writesBetween,
} from './util.ts';

const N = Number(process.env.BENCH_VERSIONS ?? 1000);
const N_E2E = Number(process.env.BENCH_E2E_VERSIONS ?? N);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'jobs,completions,e2e,rss,noop').split(','));
const NODE_OPTIONS = process.env.BENCH_OPERATOR_NODE_OPTIONS ?? '--max-old-space-size=192';
const RUN = `bench-${Date.now().toString(36)}`;
const NS = RUN;
const API = 'tessera.dev/v1alpha1';
const COMPILE = 'tessera.dev/component=compile';
const T = (plural: string, kind: string, namespaced = true) => ({
  group: 'tessera.dev',
  version: 'v1alpha1',
  kind,
  plural,
  namespaced,
});
const Tenants = T('tenants', 'Tenant', false);
const MiniPrograms = T('miniprograms', 'MiniProgram');
const Versions = T('miniprogramversions', 'MiniProgramVersion');
const labels = { 'tessera.dev/test-run': RUN };
const VERSION_CONTROLLER = 'controller="miniprogramversion"';
const VERSION_QUEUE = 'name="miniprogramversion",controller="miniprogramversion"';
const results: Array<[string, string, string]> = [];
const report = (what: string, value: string, baseline: string) =>
  results.push([what, value, `${baseline}; load average ${loadAverage()}`]);

let cluster: Cluster | undefined;
let kubeconfigPath = process.env.TESSERA_KUBECONFIG;
if (!kubeconfigPath) {
  console.log('starting a harness control plane...');
  cluster = await startCluster();
  kubeconfigPath = cluster.kubeconfigPath;
}
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const kube = new KubeClient(kc);
const operatorEnv = (nodeOptions: string) => ({
  KUBECONFIG: kubeconfigPath as string,
  TESSERA_SELECTOR: `tessera.dev/test-run=${RUN}`,
  TESSERA_LEADER_ELECTION: 'false',
  TESSERA_RESYNC_MS: '0',
  ...(process.env.BENCH_WORKERS ? { TESSERA_WORKERS: process.env.BENCH_WORKERS } : {}),
  // The inspector (loopback, random port) lets the bench read process.memoryUsage() after a GC.
  NODE_OPTIONS: `${nodeOptions} --inspect=127.0.0.1:0`.trim(),
});
const scrape = async (op: OperatorProcess) => (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
const ready = async (op: OperatorProcess) =>
  (await fetch(`http://127.0.0.1:${op.port}/readyz`).catch(() => undefined))?.status === 200;

// The bench's own view of versions and Jobs: a watch, so waiting does not poll full lists.
const versions = new Informer<Obj>(kube, Versions, { namespace: NS });
const jobs = new Informer<Obj>(kube, resources.Jobs, { namespace: NS, labelSelector: COMPILE });
// Per version: when the bench saw its Job Complete and its status Compiled. The difference is the
// operator's share of a completion, apart from the Job controller's.
const completeAt = new Map<string, number>();
const compiledAt = new Map<string, number>();
const seeJob = (j: Obj) => {
  const v = j.metadata?.labels?.['tessera.dev/mini-program-version'];
  const conds = (j.status?.conditions ?? []) as Array<{ type: string; status: string }>;
  if (v && !completeAt.has(v) && conds.some((c) => c.type === 'Complete' && c.status === 'True'))
    completeAt.set(v, now());
};
const seeVersion = (v: Obj) => {
  const name = v.metadata?.name ?? '';
  if (!compiledAt.has(name) && v.status?.phase === 'Compiled') compiledAt.set(name, now());
};
jobs.addHandler({ onAdd: seeJob, onUpdate: (_o, j) => seeJob(j) });
versions.addHandler({ onAdd: seeVersion, onUpdate: (_o, v) => seeVersion(v) });
const share = (prefix: string) => {
  const gaps: number[] = [];
  let lastComplete = 0;
  let lastCompiled = 0;
  for (const [v, at] of completeAt) {
    const done = compiledAt.get(v);
    if (!v.startsWith(prefix) || done === undefined) continue;
    gaps.push(done - at);
    lastComplete = Math.max(lastComplete, at);
    lastCompiled = Math.max(lastCompiled, done);
  }
  gaps.sort((a, b) => a - b);
  const q = (f: number) => secs(gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * f))] ?? Number.NaN);
  return `Job Complete -> version Compiled per version p50 ${q(0.5)}, p95 ${q(0.95)}, max ${q(1)}; last Job Complete -> last status filled ${secs(lastCompiled - lastComplete)}`;
};
const compiled = (batch: string) =>
  versions.cache.list().filter((v) => v.metadata?.name?.startsWith(batch) && v.status?.phase === 'Compiled')
    .length;

const cleanup: Array<() => Promise<unknown>> = [];
const op = await spawnOperator(`${RUN}-op`, operatorEnv(NODE_OPTIONS));
// Where the CPU goes (seconds per process within a phase): the operator, the control plane, the bench.
const cpu = new CpuMeter([
  ['operator', op.child.pid ?? 0],
  ...(cluster?.pids ?? []).map((pid) => [processName(pid), pid] as [string, number]),
  ['bench', process.pid],
]);
const WRITES = /verb="(create|update|patch|delete)"/;
const latency = (m0: string, m1: string) =>
  ['PATCH', 'PUT', 'POST', 'GET']
    .map((m) => `${m} ${meanMs(m0, m1, 'rest_client_request_duration_seconds', `verb="${m}"`)}`)
    .join(', ');
const limiterWait = (m0: string, m1: string) => {
  const name = 'rest_client_rate_limiter_duration_seconds_sum';
  return `${(scalar(m1, name) - scalar(m0, name)).toFixed(1)} s`;
};
try {
  await until('operator ready', () => ready(op));
  const inspector = inspectorUrl(op.output());
  if (!inspector) throw new Error(`the operator printed no inspector URL:\n${op.output()}`);
  const memEmpty = await memoryAfterGc(inspector);
  versions.start();
  jobs.start();

  await kube.create(Tenants, {
    apiVersion: API,
    kind: 'Tenant',
    metadata: { name: NS, labels },
    spec: {
      displayName: 'bench',
      namespace: NS,
      quotas: { miniPrograms: 100000, versionsPerMiniProgram: 10000 },
    },
  });
  await until(
    'tenant keys',
    async () => (await kube.get(resources.Secrets, NS, 'tessera-tenant-keys')) !== undefined,
  );
  await kube.create(MiniPrograms, {
    apiVersion: API,
    kind: 'MiniProgram',
    metadata: { name: 'bench', namespace: NS, labels },
    spec: { appId: 'bench-app', displayName: 'Bench' },
  });

  const createVersions = (batch: string, n: number) =>
    pool(Array.from({ length: n }), 32, (_, i) =>
      kube.create(Versions, {
        apiVersion: API,
        kind: 'MiniProgramVersion',
        metadata: { name: `${batch}-${i}`, namespace: NS, labels },
        spec: {
          miniProgram: 'bench',
          version: `1.${batch === 'a' ? 0 : 1}.${i}`,
          source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
        },
      }),
    );
  const jobsOf = (batch: string) =>
    jobs.cache
      .list()
      .filter((j) => j.metadata?.labels?.['tessera.dev/mini-program-version']?.startsWith(`${batch}-`))
      .map((j) => j.metadata?.name ?? '');
  const waitForJobs = (batch: string, n: number) =>
    until(`${n} jobs of batch ${batch}`, async () => jobsOf(batch).length >= n, 100);

  // jobs: baseline first (the client creating N Jobs itself: suspended, so no pods), then N versions.
  const baseNs = `${NS}-base`;
  await kube.create(resources.Namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: baseNs },
  });
  let c0 = cpu.snapshot();
  let t0 = now();
  await pool(Array.from({ length: N }), 32, (_, i) =>
    kube.create(resources.Jobs, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `base-${i}`, namespace: baseNs },
      spec: {
        suspend: true,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } },
      },
    }),
  );
  const baseJobsMs = now() - t0;
  const baseCpu = cpu.since(c0);
  // Second baseline: the same N versions created with no operator acting on them (no run label)
  // in a namespace with the tenant's ResourceQuota, i.e. the floor the bench's own creates set.
  const vbaseNs = `${NS}-vbase`;
  await kube.create(resources.Namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: vbaseNs },
  });
  cleanup.push(() => kube.delete(resources.Namespaces, undefined, vbaseNs));
  const quota = await kube.get<Obj & { spec?: unknown }>(resources.ResourceQuotas, NS, 'tessera-quota');
  if (quota)
    await kube.create(resources.ResourceQuotas, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'tessera-quota', namespace: vbaseNs },
      spec: quota.spec,
    } as Obj);
  t0 = now();
  await pool(Array.from({ length: N }), 32, (_, i) =>
    kube.create(Versions, {
      apiVersion: API,
      kind: 'MiniProgramVersion',
      metadata: { name: `v-${i}`, namespace: vbaseNs },
      spec: {
        miniProgram: 'bench',
        version: `0.0.${i}`,
        source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
      },
    }),
  );
  const baseVersionsMs = now() - t0;
  // The baseline namespace is deleted at the end: its deletion must not load the measured phases.
  cleanup.push(() => kube.delete(resources.Namespaces, undefined, baseNs));

  let m0 = await scrape(op);
  c0 = cpu.snapshot();
  t0 = now();
  await createVersions('a', N);
  const createdMs = now() - t0;
  await waitForJobs('a', N);
  const jobsMs = now() - t0;
  let m1 = await scrape(op);
  if (PHASES.has('jobs')) {
    report(
      `${N} versions -> Jobs (target < 20 s)`,
      secs(jobsMs),
      `baselines: client creates ${N} Jobs directly: ${secs(baseJobsMs)} (CPU s ${baseCpu}); creates ${N} versions with no operator acting on them${quota ? ' (same ResourceQuota)' : ''}: ${secs(baseVersionsMs)}; the bench created the versions in ${secs(createdMs)}, the last Job followed ${secs(jobsMs - createdMs)} later; operator writes ${writesBetween(m0, m1)} (${delta(m0, m1, 'tessera_operator_api_requests_total', WRITES)}); reconciles ${delta(m0, m1, 'controller_runtime_reconcile_total')}; version reconcile mean ${meanMs(m0, m1, 'controller_runtime_reconcile_time_seconds', VERSION_CONTROLLER)}, queue wait mean ${meanMs(m0, m1, 'workqueue_queue_duration_seconds', VERSION_QUEUE)}; API round trip mean ${latency(m0, m1)}; client rate limiter wait total ${limiterWait(m0, m1)}; CPU s ${cpu.since(c0)}`,
    );
  }

  /** Plays kubelet for each compile pod of `jobNames` (Succeeded, result in the termination message). */
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  const message = JSON.stringify({
    ok: true,
    artifact: {
      digest: d('a'),
      plaintextDigest: d('b'),
      sourceDigest: d('c'),
      size: 1,
      keyId: 'k',
      signature: 'cw==',
      compilerVersion: '0',
      pages: ['p'],
    },
  });
  const ts = () => `${new Date().toISOString().slice(0, 19)}Z`;
  const podsOf = async (jobNames: ReadonlySet<string>) =>
    (await kube.list<Obj>(resources.Pods, { namespace: NS, labelSelector: COMPILE })).items.filter((p) =>
      jobNames.has(p.metadata?.labels?.['job-name'] ?? ''),
    );
  const finishPod = (p: Obj) =>
    kube.patch(
      resources.Pods,
      NS,
      p.metadata?.name ?? '',
      {
        status: {
          phase: 'Succeeded',
          containerStatuses: [
            {
              name: 'compile',
              image: 'tessera/compiler',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: { exitCode: 0, reason: 'Completed', message, startedAt: ts(), finishedAt: ts() },
              },
            },
          ],
        },
      },
      'merge',
      'status',
    );
  /** What the Job controller writes when the Job's one pod succeeded (valid for Job status validation). */
  const completeJob = async (name: string) => {
    const at = ts();
    const live = await kube.get<Obj>(resources.Jobs, NS, name);
    // The real Job controller may have seen the pod succeed first (completionTime is immutable).
    const conds = (live?.status?.conditions ?? []) as Array<{ type: string; status: string }>;
    if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return;
    const startTime = (live?.status?.startTime as string | undefined) ?? at;
    const c = (type: string) => ({
      type,
      status: 'True',
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
      lastProbeTime: at,
      lastTransitionTime: at,
    });
    const write = kube.patch(
      resources.Jobs,
      NS,
      name,
      {
        status: {
          startTime,
          completionTime: at,
          active: 0,
          ready: 0,
          succeeded: 1,
          uncountedTerminatedPods: { succeeded: null, failed: null },
          conditions: [c('SuccessCriteriaMet'), c('Complete')],
        },
      },
      'merge',
      'status',
    );
    await write.catch(async (e: unknown) => {
      // The Job controller completed it between the read and the write: as good.
      const now = await kube.get<Obj>(resources.Jobs, NS, name);
      const done = (now?.status?.conditions ?? []) as Array<{ type: string; status: string }>;
      if (!done.some((x) => x.type === 'Complete' && x.status === 'True')) throw e;
    });
  };

  if (PHASES.has('completions')) {
    // The Job controller (20 requests/s client limit in kube-controller-manager) creates the pods.
    const names = new Set(jobsOf('a'));
    t0 = now();
    await until(`${N} pods of batch a`, async () => (await podsOf(names)).length >= N, 1000);
    const podsMs = now() - t0;
    const pods = await podsOf(names);
    m0 = await scrape(op);
    c0 = cpu.snapshot();
    t0 = now();
    await pool(pods, 32, async (p) => {
      await finishPod(p);
      await completeJob(p.metadata?.labels?.['job-name'] ?? '');
    });
    const writtenMs = now() - t0;
    await until(`${N} statuses of batch a`, async () => compiled('a-') >= N, 50);
    const filledMs = now() - t0;
    m1 = await scrape(op);
    report(
      `${N} Jobs Complete -> statuses filled (operator share)`,
      secs(filledMs),
      `baseline: the bench writing ${N} pod + ${N} Job statuses: ${secs(writtenMs)}; ${share('a-')}; operator writes ${writesBetween(m0, m1)} (${delta(m0, m1, 'tessera_operator_api_requests_total', WRITES)}); version reconcile mean ${meanMs(m0, m1, 'controller_runtime_reconcile_time_seconds', VERSION_CONTROLLER)}, queue wait mean ${meanMs(m0, m1, 'workqueue_queue_duration_seconds', VERSION_QUEUE)}; API round trip mean ${latency(m0, m1)}; CPU s ${cpu.since(c0)}; the Job controller had taken ${secs(podsMs)} to create the pods`,
    );
  }

  if (PHASES.has('e2e')) {
    await createVersions('b', N_E2E);
    await waitForJobs('b', N_E2E);
    const names = new Set(jobsOf('b'));
    await until(`${N_E2E} pods of batch b`, async () => (await podsOf(names)).length >= N_E2E, 1000);
    const pods = await podsOf(names);
    m0 = await scrape(op);
    c0 = cpu.snapshot();
    t0 = now();
    await pool(pods, 32, finishPod);
    const podWritesMs = now() - t0;
    let jobsCompleteMs = 0;
    await until(`${N_E2E} statuses of batch b`, async () => {
      if (!jobsCompleteMs) {
        const complete = [...names].filter((j) =>
          (
            (jobs.cache.getNamed(NS, j)?.status?.conditions ?? []) as Array<{ type: string; status: string }>
          ).some((c) => c.type === 'Complete' && c.status === 'True'),
        ).length;
        if (complete >= N_E2E) jobsCompleteMs = now() - t0;
      }
      return compiled('b-') >= N_E2E;
    });
    const statusMs = now() - t0;
    m1 = await scrape(op);
    report(
      `${N_E2E} completions -> statuses filled (end to end)`,
      secs(statusMs),
      `baselines: writing the ${N_E2E} pod statuses ${secs(podWritesMs)}; the Job controller's share: all Jobs Complete after ${jobsCompleteMs ? secs(jobsCompleteMs) : 'n/a'}; the operator's share: ${share('b-')}; operator writes ${writesBetween(m0, m1)}; version reconcile mean ${meanMs(m0, m1, 'controller_runtime_reconcile_time_seconds', VERSION_CONTROLLER)}; CPU s ${cpu.since(c0)}`,
    );
  }

  if (PHASES.has('rss') || PHASES.has('noop')) {
    // Fill the caches up to ~OBJECTS objects (versions, Jobs, Pods so far) with MiniPrograms.
    const cached = versions.cache.size + jobs.cache.size * 2;
    const extra = Math.max(0, OBJECTS - cached);
    await pool(Array.from({ length: extra }), 32, (_, i) =>
      kube.create(MiniPrograms, {
        apiVersion: API,
        kind: 'MiniProgram',
        metadata: { name: `mp-${i}`, namespace: NS, labels },
        spec: { appId: `app-${i}`, displayName: `MP ${i}` },
      }),
    );
    await until('operator idle', async () => {
      const w = writesBetween('', await scrape(op));
      await new Promise((r) => setTimeout(r, 3000));
      return (
        writesBetween('', await scrape(op)) === w && (await countMeta(kube, MiniPrograms, NS)) >= extra + 1
      );
    });
    const rssBeforeGc = rssMb(op.child.pid ?? 0);
    const mem = await memoryAfterGc(inspector);
    report(
      `operator RSS after GC at ${cached + extra} objects (target < 300 MB)`,
      mb(mem.rss),
      `baseline: same process with empty caches: RSS ${mb(memEmpty.rss)}, heap used ${mb(memEmpty.heapUsed)}; at ${cached + extra} objects heap used ${mb(mem.heapUsed)} of ${mb(mem.heapTotal)} committed, external ${mb(mem.external)}, RSS before the GC ${rssBeforeGc.toFixed(0)} MB; NODE_OPTIONS=${NODE_OPTIONS || '(none)'}`,
    );
  }

  if (PHASES.has('noop')) {
    // Restart the operator on the same settled objects (a full resync of everything).
    const writesBefore = writesBetween('', await scrape(op));
    const runReconciles = await op.metric('controller_runtime_reconcile_total');
    await kill(op, 'SIGTERM');
    const op2 = await spawnOperator(`${RUN}-op2`, operatorEnv(NODE_OPTIONS));
    try {
      await until('restarted operator ready', () => ready(op2));
      let prev = -1;
      await until(
        'restarted operator idle',
        async () => {
          const r = await op2.metric('controller_runtime_reconcile_total');
          const done = r === prev && r > 0;
          prev = r;
          return done;
        },
        3000,
      );
      const noopRec = await op2.metric('controller_runtime_reconcile_total');
      const m = await scrape(op2);
      const noopWrites = writesBetween('', m);
      report(
        'API writes per no-op reconcile (target 0)',
        (noopWrites / Math.max(1, noopRec)).toFixed(4),
        `${noopWrites} writes over ${noopRec} reconciles of settled objects${noopWrites ? ` (${delta('', m, 'tessera_operator_api_requests_total', WRITES)})` : ''}; baseline: during the run ${(writesBefore / Math.max(1, runReconciles)).toFixed(2)} writes per reconcile (${writesBefore} / ${runReconciles})`,
      );
    } finally {
      await kill(op2, 'SIGTERM');
    }
  }
} catch (e) {
  console.error(`benchmark failed: ${String(e)}\noperator output (tail):\n${op.output().slice(-4000)}`);
  process.exitCode = 1;
} finally {
  await versions.stop();
  await jobs.stop();
  await kill(op, 'SIGKILL');
  await kube.delete(Tenants, undefined, NS).catch(() => undefined);
  for (const c of cleanup) await c().catch(() => undefined);
  await cluster?.stop();
}

console.log('\noperator benchmark');
for (const [what, value, baseline] of results)
  console.log(`  ${what.padEnd(56)} ${value.padStart(10)}   (${baseline})`);
