// Store benchmarks. Bounded: fixed durations and counts; loopback only; cleans up after itself.
//  1. launch: 1,000 mini-programs × 20 gray rules, a 100,000-id imported list, real Redis for
//     replay protection, ECDH re-wrap per request; load from a separate autocannon process.
//     Baseline in the same run: a bare node:http "hello" route under the same load.
//  2. ingest: events rows/s through EventWriter (1,000-event batches) into day partitions.
//     Baseline: a server-side INSERT … SELECT generate_series of the same row count.
// PostgreSQL and Redis: DATABASE_URL/REDIS_URL if set, else throw-away servers from
// e2e/src/infra/cli.ts (run as a child process).

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TesseraEvent } from '@tessera/runtime-sdk/protocol';
import pg from 'pg';
import { pino } from 'pino';
import { EventWriter } from '../src/db/events.ts';
import { ensureTenantSchema, migrateGlobal } from '../src/db/migrations.ts';
import { startStore } from '../src/store.ts';
import { buildState } from './fixture.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const MINI_PROGRAMS = Number(process.env.BENCH_MINI_PROGRAMS ?? 1000);
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

function load(config: Record<string, unknown>): Promise<Record<string, unknown>> {
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
        ? resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'))
        : reject(new Error(`load exited ${code}`)),
    );
  });
}

const { postgresUrl, redisUrl, child } = await infra();
try {
  // baseline: bare node:http under the same load generator
  const hello = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello');
  });
  await new Promise<void>((r) => hello.listen(0, '127.0.0.1', r));
  const helloUrl = `http://127.0.0.1:${(hello.address() as AddressInfo).port}`;
  const baseline = await load({
    url: helloUrl,
    mode: 'hello',
    durationSeconds: DURATION,
    connections: CONNECTIONS,
  });
  hello.close();

  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  pool.on('error', () => undefined); // idle clients dropped when the throw-away server stops
  await migrateGlobal(pool);
  const schema = await ensureTenantSchema(pool, 'bench');
  const t0 = performance.now();
  const { state, sdkKey, sdkSecret } = await buildState(pool, schema, MINI_PROGRAMS, LISTED);
  const setupMs = performance.now() - t0;

  const store = await startStore({
    databaseUrl: postgresUrl,
    redisUrl,
    state,
    logger: pino({ level: 'warn' }),
    groups: ['device'],
  });
  const host = state.host('tessera-bench', 'web');
  const releaseDigests = Array.from(
    { length: MINI_PROGRAMS },
    (_, m) => host?.byAppId.get(`app-${m}`)?.digest ?? '',
  );
  const launchCfg = {
    releaseDigests,
    url: store.url,
    connections: CONNECTIONS,
    sdkKey,
    sdkSecret,
    appIds: MINI_PROGRAMS,
    listedUsers: LISTED,
  };
  // cold: a new device/app pair per request, so every launch does the ECDH re-wrap
  const cold = await load({
    ...launchCfg,
    mode: 'launch-cold',
    devices: 20_000,
    durationSeconds: DURATION,
    prepared: DURATION * 5000,
  });
  // warm: 1,000 devices relaunching their usual three mini-programs; the warm-up pass makes
  // each device/app pair launch once (3,000 requests), the measured pass is relaunches
  const DEVICES = 1000;
  await load({
    ...launchCfg,
    mode: 'launch-warm',
    devices: DEVICES,
    amount: DEVICES * 3,
    prepared: DEVICES * 3,
  });
  const launch = await load({
    ...launchCfg,
    mode: 'launch-warm',
    devices: DEVICES,
    durationSeconds: DURATION,
    prepared: DURATION * 20_000,
  });
  // latency at a moderate load: 8 connections
  const launchLowConcurrency = await load({
    ...launchCfg,
    connections: 8,
    mode: 'launch-warm',
    devices: DEVICES,
    durationSeconds: DURATION,
    prepared: DURATION * 20_000,
  });
  await store.close();

  // ingest
  const writer = new EventWriter(pool);
  const BATCH = 1000;
  const BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 100);
  const now = Date.now();
  const batches: TesseraEvent[][] = Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) => ({
      id: randomUUID(),
      type: 'launch' as const,
      appId: `app-${i % 100}`,
      version: '1.0.0',
      userId: `user-${(b * BATCH + i) % 50_000}`,
      at: new Date(now - (i % 3) * 86_400_000).toISOString(),
      timings: { total: 300 + (i % 700) },
      cold: true,
    })),
  );
  await writer.write(schema, 'web', batches[0] ?? []); // creates partitions
  const i0 = performance.now();
  const CONCURRENCY = 4;
  let next = 1;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BATCHES) {
        const b = batches[next++];
        if (b) await writer.write(schema, 'web', b);
      }
    }),
  );
  const ingestSeconds = (performance.now() - i0) / 1000;
  const ingestRows = (BATCHES - 1) * BATCH;
  await pool.query(
    `drop table if exists ${schema}.bench_floor; create table ${schema}.bench_floor (id uuid, day date, at timestamptz, type text, app_id text, user_id text, cold_ms float8)`,
  );
  const f0 = performance.now();
  await pool.query(
    `insert into ${schema}.bench_floor select gen_random_uuid(), current_date, now(), 'launch', 'app-' || (g % 100), 'user-' || g, 300 + g % 700 from generate_series(1, $1) g`,
    [ingestRows],
  );
  const floorSeconds = (performance.now() - f0) / 1000;
  await pool.end();

  const report = {
    bench: 'store',
    setup: {
      miniPrograms: MINI_PROGRAMS,
      rulesEach: 20,
      listedUsers: LISTED,
      setupSeconds: Math.round(setupMs / 100) / 10,
    },
    launch: { ...launch, target: { requestsPerSecond: 10_000, p99Ms: 10 } },
    launchColdEveryRequestRewraps: cold,
    launchWarm8Connections: launchLowConcurrency,
    baselineHello: baseline,
    ingest: {
      rowsPerSecond: Math.round(ingestRows / ingestSeconds),
      rows: ingestRows,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      target: 50_000,
      baselineServerSideInsertRowsPerSecond: Math.round(ingestRows / floorSeconds),
    },
  };
  console.log(
    `launch (cold, ECDH re-wrap per request): ${cold.requestsPerSecond} req/s, p50 ${cold.p50Ms} ms, p99 ${cold.p99Ms} ms (non-2xx ${cold.non2xx})`,
  );
  console.log(
    `launch (devices relaunching): ${launch.requestsPerSecond} req/s, p50 ${launch.p50Ms} ms, p99 ${launch.p99Ms} ms (non-2xx ${launch.non2xx})`,
  );
  console.log(
    `launch (devices relaunching, 8 connections): ${launchLowConcurrency.requestsPerSecond} req/s, p50 ${launchLowConcurrency.p50Ms} ms, p99 ${launchLowConcurrency.p99Ms} ms`,
  );
  console.log(
    `baseline node:http hello: ${baseline.requestsPerSecond} req/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`,
  );
  console.log(
    `ingest: ${report.ingest.rowsPerSecond} events/s (server-side insert floor ${report.ingest.baselineServerSideInsertRowsPerSecond} rows/s)`,
  );
  console.log(JSON.stringify(report));
} finally {
  child?.kill('SIGTERM');
}
