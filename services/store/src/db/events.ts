// Events ingest: one multi-row INSERT … SELECT FROM unnest(...) per batch into a table
// partitioned by day; partitions are created on first use. Duplicate event ids (client
// retries) are dropped by the primary key.

import type { TesseraEvent } from '@tessera/runtime-sdk/protocol';
import type { Pool } from 'pg';

const DAY_MS = 86_400_000;

export class EventWriter {
  readonly #pool: Pool;
  readonly #partitions = new Set<string>();
  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async #ensurePartition(schema: string, day: string): Promise<void> {
    const key = `${schema}.${day}`;
    if (this.#partitions.has(key)) return;
    const name = `${schema}.events_${day.replaceAll('-', '')}`;
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
    try {
      await this.#pool.query(
        `create table if not exists ${name} partition of ${schema}.events for values from ('${day}') to ('${next}')`,
      );
    } catch (e) {
      // two replicas creating the same partition at once: the loser sees a duplicate
      if (!/already exists/.test(String((e as Error).message))) throw e;
    }
    this.#partitions.add(key);
  }

  /** Writes a batch; returns how many were new. Rejects (throws) as a whole on database failure. */
  async write(schema: string, hostApp: string, events: readonly TesseraEvent[]): Promise<number> {
    const days = new Set<string>();
    const cols = {
      id: [] as string[],
      day: [] as string[],
      at: [] as string[],
      type: [] as string[],
      app: [] as string[],
      version: [] as string[],
      user: [] as (string | null)[],
      cold: [] as (number | null)[],
      payload: [] as string[],
    };
    for (const e of events) {
      const day = new Date(e.at).toISOString().slice(0, 10);
      days.add(day);
      cols.id.push(e.id);
      cols.day.push(day);
      cols.at.push(e.at);
      cols.type.push(e.type);
      cols.app.push(e.appId);
      cols.version.push(e.version);
      cols.user.push(e.userId ?? null);
      cols.cold.push(e.type === 'launch' && e.cold ? (e.timings?.total ?? null) : null);
      const { id: _i, at: _a, type: _t, appId: _p, version: _v, userId: _u, ...rest } = e;
      cols.payload.push(JSON.stringify(rest));
    }
    for (const d of days) await this.#ensurePartition(schema, d);
    const r = await this.#pool.query(
      `insert into ${schema}.events (id, day, at, type, host_app, app_id, version, user_id, cold_ms, payload)
       select id, day, at, type, $1, app, version, usr, cold, payload::jsonb
       from unnest($2::uuid[], $3::date[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::text[])
         as t(id, day, at, type, app, version, usr, cold, payload)
       on conflict do nothing`,
      [
        hostApp,
        cols.id,
        cols.day,
        cols.at,
        cols.type,
        cols.app,
        cols.version,
        cols.user,
        cols.cold,
        cols.payload,
      ],
    );
    return r.rowCount ?? 0;
  }
}

export interface VersionStats {
  version: string;
  launches: number;
  dailyActiveUsers: number;
  coldStartP50: number | null;
  coldStartP95: number | null;
  errors: number;
  errorRate: number;
}

/** Stats for one mini-program on one day (UTC). */
export async function statsForDay(
  pool: Pool,
  schema: string,
  appId: string,
  day: string,
): Promise<VersionStats[]> {
  const r = await pool.query<{
    version: string;
    launches: string;
    dau: string;
    p50: number | null;
    p95: number | null;
    errors: string;
  }>(
    `select version,
            count(*) filter (where type = 'launch') as launches,
            count(distinct user_id) as dau,
            percentile_cont(0.5) within group (order by cold_ms) filter (where cold_ms is not null) as p50,
            percentile_cont(0.95) within group (order by cold_ms) filter (where cold_ms is not null) as p95,
            count(*) filter (where type = 'error') as errors
       from ${schema}.events where app_id = $1 and day = $2::date
      group by version order by version`,
    [appId, day],
  );
  return r.rows.map((row) => {
    const launches = Number(row.launches);
    const errors = Number(row.errors);
    return {
      version: row.version,
      launches,
      dailyActiveUsers: Number(row.dau),
      coldStartP50: row.p50,
      coldStartP95: row.p95,
      errors,
      errorRate: launches > 0 ? errors / launches : 0,
    };
  });
}
