// Schema migrations. Run at start-up by every replica; a session-level advisory lock makes
// concurrent start-ups take turns, and every statement is idempotent.
//
// Layout: schema `tessera` holds the migration ledger and the tenant registry; each tenant has
// its own schema (tenantSchema(name)) created when the Tenant appears.

import type { Pool, PoolClient } from 'pg';

export const MIGRATION_LOCK_ID = 0x7e55e4a; // arbitrary, stable

/** An append-only audit table; the chain (audit/chain.ts) catches what the trigger cannot. */
function auditTableSql(s: string): string {
  return `
      create table if not exists ${s}.audit (
        seq bigint primary key,
        at timestamptz not null,
        actor text not null,
        action text not null,
        target text not null,
        remote text not null,
        details jsonb not null,
        prev_hash text not null,
        hash text not null
      );
      create or replace function ${s}.audit_append_only() returns trigger language plpgsql as $$
        begin raise exception 'audit log is append-only'; end $$;
      drop trigger if exists audit_append_only on ${s}.audit;
      create trigger audit_append_only before update or delete on ${s}.audit
        for each row execute function ${s}.audit_append_only();
      create index if not exists audit_kube_id on ${s}.audit ((details->>'auditID')) where details ? 'auditID';`;
}

const GLOBAL_MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      create schema if not exists tessera;
      create table if not exists tessera.tenants (
        name text primary key,
        schema_name text not null unique,
        created_at timestamptz not null default now()
      );`,
  },
  {
    // epochs of the replay-protection nonce store (auth/replay-epochs.ts)
    version: 2,
    sql: `
      create table if not exists tessera.replay_epochs (
        epoch text primary key,
        started_at timestamptz not null,
        seen_at timestamptz not null default now()
      );`,
  },
  {
    // the platform audit chain: Tessera changes outside any tenant (audit/kube-events.ts)
    version: 3,
    sql: `
      ${auditTableSql('tessera')}`,
  },
];

/** Tenant schema DDL, versioned; applied in order to every tenant schema. */
const TENANT_MIGRATIONS: { version: number; sql: (s: string) => string }[] = [
  {
    version: 1,
    sql: (s) => `
      create table if not exists ${s}.migrations (version int primary key, applied_at timestamptz not null default now());
      create table if not exists ${s}.blobs (
        kind text not null check (kind in ('source', 'artifact')),
        digest text not null check (digest ~ '^[0-9a-f]{64}$'),
        size bigint not null,
        chunk_size int not null,
        chunks int not null,
        meta jsonb not null default '{}',
        created_by text not null,
        created_at timestamptz not null default now(),
        primary key (kind, digest)
      );
      create table if not exists ${s}.blob_chunks (
        kind text not null,
        digest text not null,
        seq int not null,
        data bytea not null,
        primary key (kind, digest, seq)
      );
      create table if not exists ${s}.events (
        id uuid not null,
        day date not null,
        at timestamptz not null,
        type text not null,
        host_app text not null,
        app_id text not null,
        version text not null,
        user_id text,
        cold_ms double precision,
        payload jsonb,
        primary key (day, id)
      ) partition by range (day);
      create table if not exists ${s}.feedback (
        id bigserial primary key,
        at timestamptz not null default now(),
        host_app text not null,
        app_id text not null,
        version text,
        user_id text,
        category text not null,
        body text not null,
        contact text
      );
      create table if not exists ${s}.audit (
        seq bigint primary key,
        at timestamptz not null,
        actor text not null,
        action text not null,
        target text not null,
        remote text not null,
        details jsonb not null,
        prev_hash text not null,
        hash text not null
      );
      create or replace function ${s}.audit_append_only() returns trigger language plpgsql as $$
        begin raise exception 'audit log is append-only'; end $$;
      drop trigger if exists audit_append_only on ${s}.audit;
      create trigger audit_append_only before update or delete on ${s}.audit
        for each row execute function ${s}.audit_append_only();
      create table if not exists ${s}.webhooks (
        id bigserial primary key,
        url text not null,
        secret text not null,
        events text[] not null,
        created_at timestamptz not null default now()
      );
      create table if not exists ${s}.webhook_deliveries (
        id bigserial primary key,
        webhook_id bigint not null references ${s}.webhooks(id) on delete cascade,
        event text not null,
        payload jsonb not null,
        attempts int not null default 0,
        next_attempt_at timestamptz not null default now(),
        status text not null default 'pending',
        last_status int,
        last_error text,
        created_at timestamptz not null default now()
      );`,
  },
  {
    version: 2,
    sql: (s) => `
      alter table ${s}.webhook_deliveries add column if not exists event_id text not null default '';
      alter table ${s}.webhook_deliveries add column if not exists updated_at timestamptz not null default now();
      create unique index if not exists webhook_deliveries_event on ${s}.webhook_deliveries (webhook_id, event_id);
      create index if not exists webhook_deliveries_due on ${s}.webhook_deliveries (next_attempt_at) where status = 'pending';
      create table if not exists ${s}.catalog (
        host_app text not null,
        app_id text not null,
        mini_program text not null,
        doc jsonb not null,
        tokens tsvector not null,
        updated_at timestamptz not null default now(),
        primary key (host_app, app_id)
      );
      create index if not exists catalog_tokens on ${s}.catalog using gin (tokens);`,
  },
  {
    // Kubernetes audit IDs already in the chain (webhook batches are retried)
    version: 3,
    sql: (s) => `
      create index if not exists audit_kube_id on ${s}.audit ((details->>'auditID')) where details ? 'auditID';`,
  },
];

/** PostgreSQL identifier for a tenant's schema; names are RFC 1123 labels (≤ 63 chars). */
export function tenantSchema(tenant: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tenant) || tenant.length > 63) {
    throw new Error(`invalid tenant name ${JSON.stringify(tenant)}`);
  }
  const base = `t_${tenant.replaceAll('-', '_')}`;
  if (base.length <= 63) return base;
  let h = 0x811c9dc5;
  for (let i = 0; i < tenant.length; i++) h = Math.imul(h ^ tenant.charCodeAt(i), 0x01000193) >>> 0;
  return `${base.slice(0, 54)}_${h.toString(16).padStart(8, '0')}`;
}

async function withLock<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      return await fn(client);
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    client.release();
  }
}

export async function migrateGlobal(pool: Pool): Promise<void> {
  await withLock(pool, async (c) => {
    await c.query('create schema if not exists tessera');
    await c.query(
      'create table if not exists tessera.migrations (version int primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await c.query<{ version: number }>('select version from tessera.migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const m of GLOBAL_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query('begin');
      try {
        await c.query(m.sql);
        await c.query('insert into tessera.migrations (version) values ($1)', [m.version]);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback');
        throw e;
      }
    }
  });
}

/** Creates (or upgrades) a tenant's schema. Idempotent; safe with several replicas. */
export async function ensureTenantSchema(pool: Pool, tenant: string): Promise<string> {
  const s = tenantSchema(tenant);
  await withLock(pool, async (c) => {
    await c.query(`create schema if not exists ${s}`);
    await c.query(
      `create table if not exists ${s}.migrations (version int primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      (await c.query<{ version: number }>(`select version from ${s}.migrations`)).rows.map((r) => r.version),
    );
    for (const m of TENANT_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await c.query('begin');
      try {
        await c.query(m.sql(s));
        await c.query(`insert into ${s}.migrations (version) values ($1)`, [m.version]);
        await c.query('commit');
      } catch (e) {
        await c.query('rollback');
        throw e;
      }
    }
    await c.query(
      'insert into tessera.tenants (name, schema_name) values ($1, $2) on conflict (name) do nothing',
      [tenant, s],
    );
  });
  return s;
}

/** Drops a tenant's schema and registry row (Tenant deleted). */
export async function dropTenantSchema(pool: Pool, tenant: string): Promise<void> {
  const s = tenantSchema(tenant);
  await withLock(pool, async (c) => {
    await c.query(`drop schema if exists ${s} cascade`);
    await c.query('delete from tessera.tenants where name = $1', [tenant]);
  });
}
