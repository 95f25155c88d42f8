// Operator benchmarks against a real control plane (the e2e harness, or TESSERA_KUBECONFIG).
// The operator runs as a separate process (operator/src/main.ts) behind a counting proxy, so its
// RSS and its API writes are measured alone. Each figure is printed with a baseline measured in
// the same run:
//   1. N versions -> N compile Jobs            vs  the client creating N Jobs directly
//   2. N completions -> N statuses filled      vs  writing the N pod statuses themselves
//   3. operator RSS with ~OBJECTS cached objects vs  its RSS with empty caches
//   4. API writes per reconcile (during the run, and on a no-op resync: target 0)
// Bounded: every wait has a deadline; env BENCH_VERSIONS (default 1000), BENCH_OBJECTS (10000).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type Cluster, startCluster } from '@tessera/e2e/harness';
import { KubeClient, type KubeObject, resources } from '@tessera/operator/runtime';
import { ApiProxy } from '../../test/operator/api-proxy.ts';
import { kill, spawnOperator } from '../../test/operator/process.ts';

const N = Number(process.env.BENCH_VERSIONS ?? 1000);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
// Node flags for the operator process, as its Deployment would set them (e.g. --max-old-space-size).
const NODE_OPTIONS = process.env.BENCH_OPERATOR_NODE_OPTIONS ?? '--max-old-space-size=128';
const DEADLINE_MS = 600_000;
const RUN = `bench-${Date.now().toString(36)}`;
const NS = RUN;
const API = 'tessera.dev/v1alpha1';
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
type Obj = KubeObject & { status?: Record<string, unknown> };

const now = () => performance.now();
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = now();
const progress = (m: string) => console.error(`[${secs(now() - started)}] ${m}`);

async function pool<T>(
  items: readonly T[],
  n: number,
  fn: (t: T, i: number) => Promise<unknown>,
): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) {
        const k = i++;
        await fn(items[k] as T, k);
      }
    }),
  );
}

async function until(what: string, fn: () => Promise<boolean>, intervalMs = 250): Promise<void> {
  progress(`waiting for ${what}`);
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`benchmark gave up waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function count(
  kube: KubeClient,
  r: Parameters<KubeClient['list']>[0],
  ns: string,
  selector?: string,
  pred?: (o: Obj) => boolean,
) {
  const list = await kube.list<Obj>(r, { namespace: ns, labelSelector: selector });
  return pred ? list.items.filter(pred).length : list.items.length;
}

/** Counts objects with a metadata-only list (small responses, so polling does not skew figures). */
async function countMeta(
  kube: KubeClient,
  r: Parameters<KubeClient['list']>[0],
  ns: string,
  selector?: string,
) {
  const list = await kube.request<{ items?: unknown[] }>('GET', kube.path(r, ns), {
    query: { labelSelector: selector },
    accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  });
  return list.items?.length ?? 0;
}

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
const proxy = new ApiProxy(kc);
await proxy.start();
const dir = mkdtempSync(join(tmpdir(), 'tessera-op-bench-'));
writeFileSync(join(dir, 'kubeconfig'), proxy.kubeConfigYaml());
const op = await spawnOperator(`${RUN}-op`, {
  KUBECONFIG: join(dir, 'kubeconfig'),
  TESSERA_SELECTOR: `tessera.dev/test-run=${RUN}`,
  TESSERA_LEADER_ELECTION: 'false',
  TESSERA_WORKERS: '8',
  TESSERA_RESYNC_MS: '0',
  ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
  ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
});
const results: Array<[string, string, string]> = [];
try {
  await until(
    'operator ready',
    async () => (await fetch(`http://127.0.0.1:${op.port}/readyz`).catch(() => undefined))?.status === 200,
  );
  const rssEmpty = rssMb(op.child.pid ?? 0);

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

  // Baseline 1: the client creating N Jobs itself (no pods: suspended), same concurrency.
  const baseNs = `${NS}-base`;
  await kube.create(resources.Namespaces, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: baseNs },
  });
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
  await kube.delete(resources.Namespaces, undefined, baseNs);

  // 1. N versions -> N Jobs
  const writes0 = proxy.writeCount();
  const rec0 = await op.metric('tessera_operator_reconcile_total');
  t0 = now();
  await pool(Array.from({ length: N }), 32, (_, i) =>
    kube.create(Versions, {
      apiVersion: API,
      kind: 'MiniProgramVersion',
      metadata: { name: `bench-1-0-${i}`, namespace: NS, labels },
      spec: { miniProgram: 'bench', version: `1.0.${i}`, source: { configMap: { name: 'src' } } },
    }),
  );
  const createdMs = now() - t0;
  await until(
    `${N} jobs`,
    async () => (await countMeta(kube, resources.Jobs, NS, 'tessera.dev/component=compile')) >= N,
    500,
  );
  const jobsMs = now() - t0;
  results.push([
    `${N} versions -> Jobs (target < 20 s)`,
    secs(jobsMs),
    `baseline: client creates ${N} Jobs directly: ${secs(baseJobsMs)} (versions created in ${secs(createdMs)})`,
  ]);

  // 2. N completions -> statuses. Wait for the Job controller's pods, then play kubelet.
  await until(
    `${N} pods`,
    async () => (await countMeta(kube, resources.Pods, NS, 'tessera.dev/component=compile')) >= N,
    1000,
  );
  const pods = (
    await kube.list<Obj>(resources.Pods, { namespace: NS, labelSelector: 'tessera.dev/component=compile' })
  ).items;
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
  const ts = `${new Date().toISOString().slice(0, 19)}Z`;
  t0 = now();
  await pool(pods, 32, (p) =>
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
                terminated: { exitCode: 0, reason: 'Completed', message, startedAt: ts, finishedAt: ts },
              },
            },
          ],
        },
      },
      'merge',
      'status',
    ),
  );
  const podWritesMs = now() - t0;
  let jobsCompleteMs = 0;
  await until(
    `${N} statuses`,
    async () => {
      if (!jobsCompleteMs) {
        const complete = await count(kube, resources.Jobs, NS, 'tessera.dev/component=compile', (j) =>
          ((j.status?.conditions ?? []) as Array<{ type: string; status: string }>).some(
            (c) => c.type === 'Complete' && c.status === 'True',
          ),
        );
        if (complete >= N) jobsCompleteMs = now() - t0;
      }
      return (await count(kube, Versions, NS, undefined, (v) => v.status?.phase === 'Compiled')) >= N;
    },
    250,
  );
  const statusMs = now() - t0;
  results.push([
    `${N} completions -> statuses filled`,
    secs(statusMs),
    `baselines: writing the ${N} pod statuses ${secs(podWritesMs)}; Job controller marking all Jobs Complete ${jobsCompleteMs ? secs(jobsCompleteMs) : 'n/a'}`,
  ]);
  const writesRun = proxy.writeCount() - writes0;
  const recRun = (await op.metric('tessera_operator_reconcile_total')) - rec0;

  // 3. RSS with ~OBJECTS objects in the caches: versions, Jobs, Pods so far, plus MiniPrograms.
  const cached = 3 * N;
  const extra = Math.max(0, OBJECTS - cached);
  await pool(Array.from({ length: extra }), 32, (_, i) =>
    kube.create(MiniPrograms, {
      apiVersion: API,
      kind: 'MiniProgram',
      metadata: { name: `mp-${i}`, namespace: NS, labels },
      spec: { appId: `app-${i}`, displayName: `MP ${i}` },
    }),
  );
  await until(
    'MiniProgram statuses',
    async () => (await count(kube, MiniPrograms, NS, undefined, (m) => m.status !== undefined)) >= extra + 1,
    1000,
  );
  // settle, then measure
  let last = -1;
  await until(
    'operator idle',
    async () => {
      const w = proxy.writeCount();
      const idle = w === last;
      last = w;
      return idle;
    },
    3000,
  );
  if (global.gc) global.gc();
  const rssFull = rssMb(op.child.pid ?? 0);
  const heapMb = (await op.metric('nodejs_heap_size_used_bytes')) / 1024 / 1024;
  const externalMb = (await op.metric('nodejs_external_memory_bytes')) / 1024 / 1024;
  results.push([
    `operator RSS at ${cached + extra} objects (target < 300 MB)`,
    `${rssFull.toFixed(0)} MB`,
    `baseline: same process with empty caches: ${rssEmpty.toFixed(0)} MB; live V8 heap ${heapMb.toFixed(0)} MB, external ${externalMb.toFixed(0)} MB; NODE_OPTIONS=${NODE_OPTIONS || '(none)'} MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(default)'}`,
  ]);

  // 4. Writes per reconcile on a no-op pass: restart the operator on the same settled objects
  // (a full resync of everything), count its reconciles and writes.
  await kill(op, 'SIGTERM');
  const w1 = proxy.writeCount();
  const op2 = await spawnOperator(`${RUN}-op2`, {
    KUBECONFIG: join(dir, 'kubeconfig'),
    TESSERA_SELECTOR: `tessera.dev/test-run=${RUN}`,
    TESSERA_LEADER_ELECTION: 'false',
    TESSERA_WORKERS: '8',
    TESSERA_RESYNC_MS: '0',
  });
  try {
    await until(
      'restarted operator ready',
      async () => (await fetch(`http://127.0.0.1:${op2.port}/readyz`).catch(() => undefined))?.status === 200,
    );
    let prev = -1;
    await until(
      'restarted operator idle',
      async () => {
        const r = await op2.metric('tessera_operator_reconcile_total');
        const done = r === prev && r > 0;
        prev = r;
        return done;
      },
      3000,
    );
    const noopRec = await op2.metric('tessera_operator_reconcile_total');
    const noopWrites = proxy.writeCount() - w1;
    for (const w of proxy.writes.slice(w1, w1 + 10)) progress(`no-op write: ${w.method} ${w.path}`);
    results.push([
      'API writes per no-op reconcile (target 0)',
      (noopWrites / Math.max(1, noopRec)).toFixed(4),
      `${noopWrites} writes over ${noopRec} reconciles of settled objects; baseline: during the run ${(writesRun / Math.max(1, recRun)).toFixed(2)} writes per reconcile (${writesRun} / ${recRun})`,
    ]);
  } finally {
    await kill(op2, 'SIGTERM');
  }
} catch (e) {
  console.error(`benchmark failed: ${String(e)}\noperator output (tail):\n${op.output().slice(-4000)}`);
  process.exitCode = 1;
} finally {
  await kill(op, 'SIGKILL');
  await kube.delete(Tenants, undefined, NS).catch(() => undefined);
  await proxy.stop();
  rmSync(dir, { recursive: true, force: true });
  await cluster?.stop();
}

console.log('\noperator benchmark');
for (const [what, value, baseline] of results)
  console.log(`  ${what.padEnd(52)} ${value.padStart(10)}   (${baseline})`);
