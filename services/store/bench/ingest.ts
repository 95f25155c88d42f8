// Events ingest benchmark: rows/s through EventWriter (the code path of POST /v1/events) in
// 1,000-event batches from 4 concurrent writers into day partitions. Baselines in the same run,
// both server-side INSERT … SELECT generate_series of the same row count (no client, no wire):
// into an events table of the same shape (day partitions, primary key (day, id) that drops
// duplicate event ids, jsonb payload), which is the database's ceiling for this table; and
// into a plain table without key or partitions, to show what that primary key costs.
// The writer's own CPU per row is reported too.

import { randomUUID } from 'node:crypto';
import type { TesseraEvent } from '@tessera/runtime-sdk/protocol';
import type { Pool } from 'pg';
import { EventWriter } from '../src/db/events.ts';
import { ensureTenantSchema } from '../src/db/migrations.ts';

export interface IngestBenchResult {
  rowsPerSecond: number;
  rows: number;
  batchSize: number;
  concurrency: number;
  /** server-side INSERT … SELECT into an events table of the same shape */
  baselineEventsTableRowsPerSecond: number;
  /** server-side INSERT … SELECT into a plain table (no key, no partitions) */
  baselinePlainTableRowsPerSecond: number;
  /** CPU time of the writing process per row (building the batch, the pg client) */
  writerCpuUsPerRow: number;
}

const BATCH = 1000;
const CONCURRENCY = 4;

export async function benchIngest(
  pool: Pool,
  schema: string,
  batchCount: number,
): Promise<IngestBenchResult> {
  const writer = new EventWriter(pool);
  const now = Date.now();
  const batches: TesseraEvent[][] = Array.from({ length: batchCount }, (_, b) =>
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
  await writer.write(schema, 'web', batches[0] ?? []); // creates the partitions
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batchCount) {
        const b = batches[next++];
        if (b) await writer.write(schema, 'web', b);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const rows = (batchCount - 1) * BATCH;

  const floorSchema = await ensureTenantSchema(pool, 'bench-floor');
  await writer.write(floorSchema, 'web', batches[0] ?? []); // the same partitions
  const serverSide = async (sql: string) => {
    const t0 = performance.now();
    await pool.query(sql, [rows, now]);
    return Math.round(rows / ((performance.now() - t0) / 1000));
  };
  // the same three days as the batches
  const generated = `select gen_random_uuid() as id, (d at time zone 'UTC')::date as day, d as at, 'launch' as type, 'web' as host_app,
      'app-' || (g % 100) as app_id, '1.0.0' as version, 'user-' || g as user_id, (300 + g % 700)::float8 as cold_ms,
      ('{"timings":{"total":' || (300 + g % 700) || '},"cold":true}')::jsonb as payload
    from generate_series(1, $1::int) g, lateral (select to_timestamp($2::float8 / 1000) - ((g % 3) * interval '1 day') as d) t`;
  const baselineEventsTableRowsPerSecond = await serverSide(
    `insert into ${floorSchema}.events (id, day, at, type, host_app, app_id, version, user_id, cold_ms, payload) ${generated}`,
  );
  await pool.query(
    `create table ${floorSchema}.plain as ${generated.replace('$1::int', '0').replace('$2::float8', '0')}`,
  );
  const baselinePlainTableRowsPerSecond = await serverSide(`insert into ${floorSchema}.plain ${generated}`);
  await pool.query(`drop schema ${floorSchema} cascade`);
  return {
    rowsPerSecond: Math.round(rows / seconds),
    rows,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    baselineEventsTableRowsPerSecond,
    baselinePlainTableRowsPerSecond,
    writerCpuUsPerRow: Math.round(((cpu.user + cpu.system) / rows) * 10) / 10,
  };
}
