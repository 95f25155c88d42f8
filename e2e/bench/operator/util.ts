// Helpers for the operator benchmark: bounded concurrency, deadlines, progress, process memory,
// cheap object counts and per-phase deltas of the operator's own request counters.
import { readFileSync } from 'node:fs';
import type { KubeClient, KubeObject, ResourceType } from '@tessera/controller-runtime';

export type Obj = KubeObject & { status?: Record<string, unknown> };

const DEADLINE_MS = 600_000;
const started = performance.now();

export const now = () => performance.now();
export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const progress = (m: string) => console.error(`[${secs(now() - started)}] ${m}`);

export async function pool<T>(
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

export async function until(what: string, fn: () => Promise<boolean>, intervalMs = 250): Promise<void> {
  progress(`waiting for ${what}`);
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`benchmark gave up waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

export async function count(
  kube: KubeClient,
  r: ResourceType,
  ns: string,
  selector?: string,
  pred?: (o: Obj) => boolean,
): Promise<number> {
  const list = await kube.list<Obj>(r, { namespace: ns, labelSelector: selector });
  return pred ? list.items.filter(pred).length : list.items.length;
}

/** Counts objects with a metadata-only list (small responses, so polling does not skew figures). */
export async function countMeta(kube: KubeClient, r: ResourceType, ns: string, selector?: string) {
  const list = await kube.request<{ items?: unknown[] }>('GET', kube.path(r, ns), {
    query: { labelSelector: selector },
    accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  });
  return list.items?.length ?? 0;
}

/** Sums of one Prometheus counter by label set, scraped from the operator's /metrics text. */
export function series(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf('}'));
    out.set(labels, (out.get(labels) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** "verb resource: n" for every counter that grew between two scrapes, largest first. */
export function delta(before: string, after: string, name: string, filter = /./): string {
  const a = series(before, name);
  const rows = [...series(after, name)]
    .filter(([k]) => filter.test(k))
    .map(([k, v]) => [k.replace(/[a-z]+="([^"]*)"/g, '$1').replace(/,/g, ' '), v - (a.get(k) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((x, y) => y[1] - x[1]);
  return rows.map(([k, d]) => `${k}: ${d}`).join(', ');
}

/** Mean of a histogram between two scrapes for one label set, in milliseconds. */
export function meanMs(before: string, after: string, name: string, labels: string): string {
  const get = (text: string, suffix: string) => series(text, `${name}_${suffix}`).get(labels) ?? 0;
  const n = get(after, 'count') - get(before, 'count');
  return n > 0 ? `${(((get(after, 'sum') - get(before, 'sum')) / n) * 1000).toFixed(1)} ms` : 'n/a';
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The inspector URL a process started with `--inspect=127.0.0.1:0` printed on stderr. */
export function inspectorUrl(output: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
}

/**
 * process.memoryUsage() of another Node process after two full GCs, through its inspector
 * (loopback only): the figure a live-object comparison needs, not whatever garbage the last burst
 * left behind. Bounded by `timeoutMs`.
 */
export async function memoryAfterGc(url: string, timeoutMs = 60_000): Promise<MemoryUsage> {
  const ws = new WebSocket(url);
  const timer = setTimeout(() => ws.close(), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to the operator's inspector at ${url}`));
    });
    const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      if (msg.id !== undefined) pending.get(msg.id)?.(msg);
    };
    let next = 0;
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve, reject) => {
        const id = ++next;
        pending.set(id, (msg) =>
          msg.error ? reject(new Error(`${method}: ${msg.error.message}`)) : resolve(msg.result),
        );
        ws.onclose = () => reject(new Error(`inspector closed during ${method}`));
        ws.send(JSON.stringify({ id, method, params }));
      });
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const r = (await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(r.result.value) as MemoryUsage;
  } finally {
    clearTimeout(timer);
    ws.onclose = null;
    ws.close();
  }
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return String(pid);
  }
}

/** CPU seconds per named process between two snapshots, for "where did the time go". */
export class CpuMeter {
  readonly #pids: Array<[string, number]>;
  constructor(pids: Array<[string, number]>) {
    this.#pids = pids;
  }
  snapshot(): Map<string, number> {
    return new Map(this.#pids.map(([name, pid]) => [name, cpuSeconds(pid)]));
  }
  since(before: Map<string, number>): string {
    const now = this.snapshot();
    return [...now].map(([name, s]) => `${name} ${(s - (before.get(name) ?? 0)).toFixed(1)}`).join(', ');
  }
}

/** Write requests (create/update/patch/delete) between two scrapes of the operator's counter. */
export function writesBetween(before: string, after: string): number {
  const name = 'tessera_operator_api_requests_total';
  const a = series(before, name);
  let n = 0;
  for (const [k, v] of series(after, name))
    if (/verb="(create|update|patch|delete)"/.test(k)) n += v - (a.get(k) ?? 0);
  return n;
}

/** The value of an unlabelled series (e.g. a histogram's `_sum`) in a /metrics text; 0 if absent. */
export function scalar(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
