// Runtime micro-benchmarks (no cluster): work queue throughput with duplicate adds, cache upserts
// with an index, and the no-write check (isSubset) on a Job-sized object. Each figure is printed
// next to a naive baseline measured in the same run. Bounded: fixed counts, a few seconds total.
import { Cache } from '../src/cache.ts';
import { isSubset } from '../src/equality.ts';
import { WorkQueue } from '../src/workqueue.ts';

const KEYS = 100_000;
const DUPLICATES = 5;
const OBJECTS = 10_000;

function time(fn: () => void | Promise<void>): Promise<number> {
  const t0 = performance.now();
  return Promise.resolve(fn()).then(() => performance.now() - t0);
}

async function queueBench(): Promise<number> {
  const q = new WorkQueue();
  let processed = 0;
  const workers = Array.from({ length: 8 }, async () => {
    for (;;) {
      const k = await q.get();
      if (k === undefined) return;
      processed++;
      q.done(k);
      if (processed === KEYS) void q.shutdown();
    }
  });
  for (let d = 0; d < DUPLICATES; d++) for (let i = 0; i < KEYS; i++) q.add(`ns/key-${i}`);
  await Promise.all(workers);
  return processed;
}

async function naiveQueueBench(): Promise<number> {
  // Baseline: an array with a Set for dedupe, no in-flight tracking and no waiting workers.
  const items: string[] = [];
  const seen = new Set<string>();
  for (let d = 0; d < DUPLICATES; d++)
    for (let i = 0; i < KEYS; i++) {
      const k = `ns/key-${i}`;
      if (!seen.has(k)) {
        seen.add(k);
        items.push(k);
      }
    }
  let processed = 0;
  for (const k of items) {
    seen.delete(k);
    processed++;
    await Promise.resolve();
  }
  return processed;
}

const job = (i: number) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: `job-${i}`,
    namespace: 'ns',
    resourceVersion: String(i),
    labels: { a: 'b', c: String(i % 10) },
  },
  spec: {
    backoffLimit: 2,
    template: {
      metadata: { labels: { a: 'b' } },
      spec: {
        containers: [
          {
            name: 'compile',
            image: 'tessera/compiler',
            env: Array.from({ length: 11 }, (_, j) => ({ name: `E${j}`, value: `v${j}` })),
            resources: { limits: { cpu: '1', memory: '1Gi' } },
          },
        ],
      },
    },
  },
});

const qMs = await time(async () => void (await queueBench()));
const nqMs = await time(async () => void (await naiveQueueBench()));

const cache = new Cache<ReturnType<typeof job>>();
cache.addIndex('c', (o) => [o.metadata.labels.c]);
const cMs = await time(() => {
  for (let r = 0; r < 5; r++) for (let i = 0; i < OBJECTS; i++) cache.upsert(job(i));
});
const plain = new Map<string, unknown>();
const pMs = await time(() => {
  for (let r = 0; r < 5; r++) for (let i = 0; i < OBJECTS; i++) plain.set(`ns/job-${i}`, job(i));
});

const desired = job(1);
const live = {
  ...job(1),
  status: { active: 1 },
  metadata: { ...job(1).metadata, uid: 'u', managedFields: [{}] },
};
let same = 0;
const sMs = await time(() => {
  for (let i = 0; i < OBJECTS * 10; i++) if (isSubset(desired, live)) same++;
});
const jMs = await time(() => {
  for (let i = 0; i < OBJECTS * 10; i++)
    if (JSON.stringify(desired.spec) === JSON.stringify(live.spec)) same++;
});

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
console.log('operator runtime benchmark');
console.log(
  `  work queue: ${KEYS} keys x${DUPLICATES} adds, 8 workers   ${rate(KEYS * DUPLICATES, qMs).padStart(14)}  (baseline: array+Set without in-flight tracking ${rate(KEYS * DUPLICATES, nqMs)})`,
);
console.log(
  `  cache upsert with 1 index, ${OBJECTS} objects x5        ${rate(OBJECTS * 5, cMs).padStart(14)}  (baseline: plain Map.set ${rate(OBJECTS * 5, pMs)})`,
);
console.log(
  `  no-write check (isSubset) on a Job            ${rate(OBJECTS * 10, sMs).padStart(14)}  (baseline: JSON.stringify compare of spec ${rate(OBJECTS * 10, jMs)}; ${same} equal)`,
);
