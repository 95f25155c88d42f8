// CPU profile of first launches alone (`node bench/profile-launch.ts <dir>`): one store process
// with --cpu-prof, the bench's fixture and load generator, a warm-up pass, then
// BENCH_SECONDS (10) of SDK-like first launches (BENCH_CURVE: X25519 or P-256) and nothing else,
// so the profile's entries divide by the launch count. Prints the run's figures and the profile
// file; bench/profile-top.ts lists its top entries per launch.

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureTenantSchema, migrateGlobal } from '../src/db/migrations.ts';
import { buildFixture } from './fixture.ts';
import { load } from './launch.ts';
import type { LoadConfig, LoadResult } from './load.ts';
import { cpuSeconds, startWorkers } from './workers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? '');
if (!process.argv[2]) throw new Error('usage: node bench/profile-launch.ts <profile dir>');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CURVE = (process.env.BENCH_CURVE ?? 'X25519') as 'X25519' | 'P-256';
const MINI_PROGRAMS = 1000;

const infra = spawn(process.execPath, [join(here, '../../../e2e/src/infra/cli.ts')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const urls = await new Promise<{ postgresUrl: string; redisUrl: string }>((ok, fail) => {
  let buf = '';
  infra.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    if (buf.includes('\n')) ok(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
  });
  infra.on('exit', (code) => fail(new Error(`infra exited with ${code}`)));
});
const tmp = await mkdtemp(join(tmpdir(), 'tessera-profile-'));
try {
  const pool = new pg.Pool({ connectionString: urls.postgresUrl, max: 8 });
  pool.on('error', () => undefined);
  await migrateGlobal(pool);
  const fixture = await buildFixture(pool, await ensureTenantSchema(pool, 'bench'), MINI_PROGRAMS, 100_000);
  await pool.end();
  const fixtureFile = join(tmp, 'fixture.json');
  await writeFile(fixtureFile, JSON.stringify(fixture));
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  process.env.BENCH_CPU_PROFILE_DIR = dir;
  const store = await startWorkers(1, {
    BENCH_WORKER_MODE: 'store',
    BENCH_FIXTURE: fixtureFile,
    DATABASE_URL: urls.postgresUrl,
    REDIS_URL: urls.redisUrl,
  });
  const launch: LoadConfig = {
    url: store.url,
    mode: 'launch',
    connections: 32,
    sdkKey: fixture.credentials.sdkKey,
    sdkSecret: fixture.credentials.sdkSecret,
    appIds: MINI_PROGRAMS,
    listedUsers: 100_000,
    curve: CURVE,
  };
  let result: LoadResult;
  let cpu: number;
  let windowStartUs = 0;
  let windowEndUs = 0;
  try {
    await load({ ...launch, connections: 16, amount: MINI_PROGRAMS * 3 });
    // the load generator signs its requests before wrk starts: the window is wrk's run, from the
    // end (CLOCK_MONOTONIC, the profile's clock) back by the run's length
    const cpu0 = cpuSeconds(store.pids);
    result = await load({ ...launch, durationSeconds: SECONDS, prepared: SECONDS * 8000 });
    windowEndUs = Number(process.hrtime.bigint() / 1000n);
    windowStartUs = windowEndUs - Math.round(result.seconds * 1e6);
    cpu = cpuSeconds(store.pids) - cpu0;
  } finally {
    await store.stop();
  }
  const profile = (await readdir(dir)).find((f) => !before.has(f) && f.endsWith('.cpuprofile'));
  console.log(
    JSON.stringify({
      curve: CURVE,
      requestsPerSecond: result.requestsPerSecond,
      p99Ms: result.p99Ms,
      measuredRequests: result.totalRequests,
      warmUpRequests: MINI_PROGRAMS * 3,
      serverCpuUsPerRequest: Math.round((cpu / result.totalRequests) * 1e6),
      profile: profile ? join(dir, profile) : null,
      window: [windowStartUs, windowEndUs],
    }),
  );
  if (profile) {
    console.log(
      `top: node bench/profile-top.ts ${join(dir, profile)} --window ${windowStartUs}:${windowEndUs} --requests ${result.totalRequests}`,
    );
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
  infra.kill('SIGTERM');
}
