import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { pino } from 'pino';
import { ensureTenantSchema, migrateGlobal } from '../src/db/migrations.ts';
import { startStore } from '../src/store.ts';
import { buildState } from './fixture.ts';

const { DATABASE_URL = '', REDIS_URL = '' } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
await migrateGlobal(pool);
const schema = await ensureTenantSchema(pool, 'bench');
const { state, sdkKey, sdkSecret } = await buildState(pool, schema, 100, 100000);
const store = await startStore({
  databaseUrl: DATABASE_URL,
  redisUrl: REDIS_URL,
  state,
  logger: pino({ level: 'warn' }),
  groups: ['device'],
});
const run = (cfg: object) =>
  new Promise<string>((res) => {
    const c = spawn(process.execPath, ['bench/load.ts', JSON.stringify(cfg)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let o = '';
    c.stdout.on('data', (d) => {
      o += d;
    });
    c.on('exit', () => res(o));
  });
const base = {
  url: store.url,
  connections: Number(process.env.C ?? 32),
  sdkKey,
  sdkSecret,
  appIds: 100,
  listedUsers: 100000,
  mode: 'launch-warm',
  devices: 300,
};
await run({ ...base, amount: 900, prepared: 900 });
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
console.log(await run({ ...base, durationSeconds: 6, prepared: 120000 }));
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/store.cpuprofile', JSON.stringify(profile));
await store.close();
await pool.end();
