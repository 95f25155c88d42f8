// Store benchmarks (`npm run bench -w @tessera/store`). Bounded: fixed durations and counts;
// loopback only; cleans up after itself.
//  1. launch: 1,000 mini-programs × 20 gray rules, a 100,000-id imported list, real Redis for
//     replay protection, real PostgreSQL behind it; load from wrk in a separate process
//     (bench/load.ts), requests as the SDK sends them (fresh X25519 device key per launch, and
//     once more with P-256 keys, the fallback for engines without WebCrypto X25519; no
//     signed release document), once more asking for the release document, and once as update
//     checks / relaunches of the version held (cachedDigests: answered cached, no ECDH), and a
//     mix of 80% relaunches and 20% first launches. Measured for each server shape in
//     BENCH_WORKERS (default "1,2": one process, and two node:cluster workers as
//     STORE_WORKERS=2 runs it), each with two baselines in the same shape and under the same
//     wrk settings: a bare node:http "hello", and the store's own GET /healthz.
//     Server CPU per request and wrk's CPU are reported with every figure.
//  2. the per-launch cryptography on its own (bench/crypto-floor.ts): the ceiling it sets.
//  3. ingest: events rows/s through EventWriter into day partitions (bench/ingest.ts).
// PostgreSQL and Redis: DATABASE_URL/REDIS_URL if set, else throw-away servers from
// e2e/src/infra/cli.ts (run as a child process; that PostgreSQL runs with fsync=off, as for
// the tests, so ingest figures are without disk flushes). Environment: BENCH_SECONDS (10),
// BENCH_CONNECTIONS (32), BENCH_MINI_PROGRAMS (1000), BENCH_INGEST_BATCHES (200), BENCH_WORKERS,
// BENCH_CPU_PROFILE_DIR (CPU profiles of the server processes).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureTenantSchema, migrateGlobal } from '../src/db/migrations.ts';
import { describeCryptoFloor, measureCryptoFloor } from './crypto-floor.ts';
import { buildFixture } from './fixture.ts';
import { benchIngest } from './ingest.ts';
import { benchLaunch, HELD_SHARE, type LaunchBenchResult, type RunFigures } from './launch.ts';
import { WRK_THREADS } from './load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const MINI_PROGRAMS = Number(process.env.BENCH_MINI_PROGRAMS ?? 1000);
const WORKER_SHAPES = (process.env.BENCH_WORKERS ?? '1,2')
  .split(',')
  .filter((w) => w.trim() !== '')
  .map(Number);
if (!WORKER_SHAPES.every((w) => Number.isInteger(w) && w >= 1)) {
  throw new Error(
    `BENCH_WORKERS must be a comma-separated list of worker counts, e.g. "1,2" (empty: no launch runs)`,
  );
}
const INGEST_BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 200);
/** signed launches prepared per second of a run: above any rate this machine reaches */
const PREPARED_PER_SECOND = 8000;
const LISTED = 100_000;

async function infra(): Promise<{ postgresUrl: string; redisUrl: string; child?: ChildProcess }> {
  if (process.env.DATABASE_URL && process.env.REDIS_URL) {
    return { postgresUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL };
  }
  const child = spawn(process.execPath, [join(repo, 'e2e/src/infra/cli.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`infra exited with ${code}`)));
  });
  return { ...(JSON.parse(line) as { postgresUrl: string; redisUrl: string }), child };
}

const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
const fmt = (r: RunFigures) =>
  `${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; server ${r.serverCpuUsPerRequest} µs CPU/req on ${r.serverCores} cores, wrk ${r.wrkCores} cores (non-2xx ${r.non2xx}, errors ${r.socketErrors + r.timeouts}; load ${r.loadAverage.join(' ')})`;

console.log(
  `store bench: ${cpus().length} CPUs, wrk ${WRK_THREADS} thread, ${CONNECTIONS} connections, ${SECONDS} s per run, load average ${load().join(' ')}`,
);
const floor = await measureCryptoFloor();
for (const line of describeCryptoFloor(floor, cpus().length)) console.log(line);

const ceilingOf = (us: number) => Math.round((cpus().length * 1e6) / us);
const xCeiling = ceilingOf(floor.X25519.launchWrapUs);
const pCeiling = ceilingOf(floor['P-256'].launchWrapUs);
const ratioTo = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const ratio = (a: RunFigures, b: RunFigures) => ratioTo(a.requestsPerSecond, b.requestsPerSecond);
const cpuRatio = (a: RunFigures, b: RunFigures) => ratioTo(a.serverCpuUsPerRequest, b.serverCpuUsPerRequest);

const { postgresUrl, redisUrl, child } = await infra();
const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-fixture-'));
try {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 8 });
  pool.on('error', () => undefined); // idle clients dropped when the throw-away server stops
  await migrateGlobal(pool);
  const schema = await ensureTenantSchema(pool, 'bench');
  const t0 = performance.now();
  const fixture = await buildFixture(pool, schema, MINI_PROGRAMS, LISTED);
  const fixtureFile = join(dir, 'fixture.json');
  await writeFile(fixtureFile, JSON.stringify(fixture));
  const setupSeconds = Math.round((performance.now() - t0) / 100) / 10;

  const launch: LaunchBenchResult[] = [];
  for (const workers of WORKER_SHAPES) {
    const r = await benchLaunch({
      workers,
      fixtureFile,
      databaseUrl: postgresUrl,
      redisUrl,
      miniPrograms: MINI_PROGRAMS,
      listedUsers: LISTED,
      sdkKey: fixture.credentials.sdkKey,
      sdkSecret: fixture.credentials.sdkSecret,
      seconds: SECONDS,
      connections: CONNECTIONS,
      prepared: SECONDS * PREPARED_PER_SECOND,
    });
    launch.push(r);
    console.log(`launch, ${workers === 1 ? '1 process' : `${workers} workers (STORE_WORKERS=${workers})`}:`);
    console.log(`  launch (SDK-like, X25519 ECDH):  ${fmt(r.launch)}`);
    console.log(`  launch, P-256 fallback:          ${fmt(r.launchP256)}`);
    console.log(
      `    => first launches X25519 / P-256: ${ratio(r.launch, r.launchP256)} req/s, ${cpuRatio(r.launch, r.launchP256)} CPU/req; vs the crypto ceiling ${ratioTo(r.launch.requestsPerSecond, xCeiling)} (X25519), ${ratioTo(r.launchP256.requestsPerSecond, pCeiling)} (P-256); vs /healthz ${ratio(r.launch, r.baselineHealthz)} (X25519), ${ratio(r.launchP256, r.baselineHealthz)} (P-256); vs hello ${ratio(r.launch, r.baselineHello)} (X25519), ${ratio(r.launchP256, r.baselineHello)} (P-256)`,
    );
    console.log(
      `    (rounds, req/s: X25519 ${r.firstLaunchRounds.X25519.map((x) => x.requestsPerSecond).join(', ')}; P-256 ${r.firstLaunchRounds['P-256'].map((x) => x.requestsPerSecond).join(', ')})`,
    );
    console.log(`  same (X25519), 8 connections:    ${fmt(r.launch8Connections)}`);
    console.log(`  launch with wantRelease:         ${fmt(r.launchWithRelease)}`);
    console.log(`  update check, version held:      ${fmt(r.launchHeld)}`);
    console.log(
      `  mix, ${HELD_SHARE * 100}% held + ${100 - HELD_SHARE * 100}% first:     ${fmt(r.launchMix)}`,
    );
    console.log(`  baseline store GET /healthz:     ${fmt(r.baselineHealthz)}`);
    console.log(`  baseline node:http hello:        ${fmt(r.baselineHello)}`);
  }

  const ingest = await benchIngest(pool, schema, INGEST_BATCHES);
  await pool.end();
  console.log(
    `ingest: ${ingest.rowsPerSecond} events/s in ${ingest.batchSize}-event batches, ${ingest.concurrency} concurrent, writer ${ingest.writerCpuUsPerRow} µs CPU/row; baselines server-side INSERT … SELECT: same events table ${ingest.baselineEventsTableRowsPerSecond} rows/s, plain table ${ingest.baselinePlainTableRowsPerSecond} rows/s (load ${load().join(' ')})`,
  );
  console.log(
    JSON.stringify({
      bench: 'store',
      machine: { cpus: cpus().length, wrkThreads: WRK_THREADS },
      setup: { miniPrograms: MINI_PROGRAMS, rulesEach: 20, listedUsers: LISTED, setupSeconds },
      targets: { launchRequestsPerSecond: 10_000, launchP99Ms: 10, ingestEventsPerSecond: 50_000 },
      cryptoFloor: floor,
      launch,
      ingest: { ...ingest, loadAverage: load() },
    }),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
  child?.kill('SIGTERM');
}
