// Launch benchmark for one server shape (N worker processes sharing a port, as STORE_WORKERS
// runs them). Everything is driven by wrk from a separate process with the same settings:
//  - baseline: a bare node:http "hello" in the same shape (what this machine can do at all);
//  - baseline: GET /healthz on the store itself (the store's HTTP stack without the launch work);
//  - launch as the SDK sends it (fresh device key per launch, so one ECDH each time; X25519, what
//    the SDK negotiates in current engines), at the configured connection count and at 8
//    connections (latency at lower concurrency), and the same with P-256 device keys (the
//    negotiated fallback for engines without WebCrypto X25519), the two curves in interleaved
//    rounds (the better round of each is reported);
//  - launch by a client that asks for the signed release document (wantRelease: ~12 KB more
//    per answer), at the configured connection count;
//  - update check / relaunch of the version held: the request carries the resolved artifact's
//    digest in cachedDigests, so the answer is `cached: true` and the store does no ECDH;
//  - a mix of the two: 4 of 5 launches hold the version, 1 in 5 is a first launch of it (a
//    fleet where a new version reaches each device once and is relaunched from then on).
// For each run it records the server processes' CPU time per request and wrk's own CPU time,
// so the figures can be read against the 2 cores the machine has.

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadConfig, LoadResult } from './load.ts';
import { cpuSeconds, startWorkers } from './workers.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface LaunchBenchOptions {
  workers: number;
  fixtureFile: string;
  databaseUrl: string;
  redisUrl: string;
  miniPrograms: number;
  listedUsers: number;
  sdkKey: string;
  sdkSecret: string;
  seconds: number;
  connections: number;
  /** signed launches prepared per measured run (a fresh nonce each: none may repeat) */
  prepared: number;
}

export interface RunFigures extends LoadResult {
  /** CPU time of all server processes per request, in microseconds */
  serverCpuUsPerRequest: number;
  /** share of the run's wall time the server processes were on a CPU (2.0 = both cores) */
  serverCores: number;
  wrkCores: number;
  connections: number;
  loadAverage: number[];
}

export interface LaunchBenchResult {
  workers: number;
  baselineHello: RunFigures;
  baselineHealthz: RunFigures;
  /** first launches as current engines send them: X25519 device key, one ECDH each */
  launch: RunFigures;
  /** first launches from engines without WebCrypto X25519: P-256 device key */
  launchP256: RunFigures;
  /** every first-launch round per curve (launch and launchP256 are the better of them) */
  firstLaunchRounds: Record<'X25519' | 'P-256', RunFigures[]>;
  launch8Connections: RunFigures;
  launchWithRelease: RunFigures;
  /** requests carrying the resolved digest as held: answered cached, no key wrapped */
  launchHeld: RunFigures;
  /** HELD_SHARE of the launches hold the version, the rest are first launches (ECDH each) */
  launchMix: RunFigures;
}

/** interleaved first-launch rounds per curve (X25519, P-256, X25519, …) */
export const FIRST_LAUNCH_ROUNDS = 2;

/** share of launches in the mixed run whose device holds the resolved version */
export const HELD_SHARE = 0.8;

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs the load generator (bench/load.ts) in its own process with `config`. */
export function load(config: LoadConfig): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'load.ts'), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadResult)
        : reject(new Error(`load generator exited with ${code}`)),
    );
  });
}

/** One measured run; server CPU is sampled around it (the load generator prepares requests
 * before wrk starts, while the server is idle, so that preparation does not count). */
async function measured(pids: number[], config: LoadConfig): Promise<RunFigures> {
  const before = cpuSeconds(pids);
  const r = await load(config);
  const used = cpuSeconds(pids) - before;
  if (config.prepared !== undefined && r.totalRequests > config.prepared) {
    // wrk wrapped around: the repeats were refused as replays and the rate counts those 401s
    throw new Error(
      `${r.totalRequests} requests sent but only ${config.prepared} prepared: raise PREPARED_PER_SECOND in bench/run.ts`,
    );
  }
  return {
    ...r,
    serverCpuUsPerRequest: round((used / Math.max(1, r.totalRequests)) * 1e6),
    serverCores: round(used / r.seconds, 2),
    wrkCores: round(r.wrkCpuSeconds / r.seconds, 2),
    connections: config.connections,
    loadAverage: loadavg().map((l) => round(l, 2)),
  };
}

export async function benchLaunch(o: LaunchBenchOptions): Promise<LaunchBenchResult> {
  const hello = await startWorkers(o.workers, { BENCH_WORKER_MODE: 'hello' });
  let baselineHello: RunFigures;
  try {
    baselineHello = await measured(hello.pids, {
      url: hello.url,
      mode: 'get',
      path: '/hello',
      durationSeconds: o.seconds,
      connections: o.connections,
    });
  } finally {
    await hello.stop();
  }

  const store = await startWorkers(o.workers, {
    BENCH_WORKER_MODE: 'store',
    BENCH_FIXTURE: o.fixtureFile,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
  });
  try {
    const launch: LoadConfig = {
      url: store.url,
      mode: 'launch',
      connections: o.connections,
      sdkKey: o.sdkKey,
      sdkSecret: o.sdkSecret,
      appIds: o.miniPrograms,
      listedUsers: o.listedUsers,
    };
    // Warm-up (not measured): every mini-program launched a few times so each worker has loaded
    // artifact key info and unwrapped data keys (the first launch of an artifact reads
    // PostgreSQL), and the JIT is warm. Connections land on workers at random, like devices on
    // replicas, so with N workers the pass is N times as long.
    await load({ ...launch, connections: 16, amount: o.miniPrograms * 3 * o.workers });
    const baselineHealthz = await measured(store.pids, {
      url: store.url,
      mode: 'get',
      path: '/healthz',
      durationSeconds: o.seconds,
      connections: o.connections,
    });
    const run = { ...launch, durationSeconds: o.seconds, prepared: o.prepared };
    // first launches on each curve, interleaved X25519, P-256, X25519, P-256 so that a burst of
    // other work on the machine does not land on one curve only; each figure is the better round
    const rounds: LaunchBenchResult['firstLaunchRounds'] = { X25519: [], 'P-256': [] };
    for (let round = 0; round < FIRST_LAUNCH_ROUNDS; round++) {
      for (const curve of ['X25519', 'P-256'] as const) {
        rounds[curve].push(await measured(store.pids, { ...run, curve }));
      }
    }
    const better = (runs: RunFigures[]) =>
      runs.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const launchRun = better(rounds.X25519);
    const launchP256 = better(rounds['P-256']);
    const launch8Connections = await measured(store.pids, { ...run, connections: 8 });
    const launchWithRelease = await measured(store.pids, { ...run, wantRelease: true });
    // check the held requests really are answered cached before measuring them
    const check = await load({ ...launch, connections: 4, amount: 200, heldFrom: o.fixtureFile });
    if (check.cachedAnswers !== 200) {
      throw new Error(
        `held launches: ${check.cachedAnswers} of 200 answered cached (non-2xx ${check.non2xx})`,
      );
    }
    // held launches run up to ~3x as fast: prepare enough that none repeats (measured() checks)
    const launchHeld = await measured(store.pids, {
      ...run,
      heldFrom: o.fixtureFile,
      prepared: o.prepared * 4,
    });
    const launchMix = await measured(store.pids, {
      ...run,
      heldFrom: o.fixtureFile,
      heldShare: HELD_SHARE,
      prepared: o.prepared * 3,
    });
    return {
      workers: o.workers,
      baselineHello,
      baselineHealthz,
      launch: launchRun,
      launchP256,
      firstLaunchRounds: rounds,
      launch8Connections,
      launchWithRelease,
      launchHeld,
      launchMix,
    };
  } finally {
    await store.stop();
  }
}
