// Chain verification against the embedded database (the same migrations and SQL as PostgreSQL):
// an edited, removed or re-linked row is reported by its sequence number.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../db/embedded.ts';
import { ensureTenantSchema, migrateGlobal } from '../db/migrations.ts';
import { appendAudit, hasKubeAuditId, listAudit, PLATFORM_AUDIT_SCHEMA, verifyAudit } from './chain.ts';

let embedded: EmbeddedPostgres;
let pool: pg.Pool;

beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
  pool = new pg.Pool({ connectionString: embedded.url, max: 2 });
  await migrateGlobal(pool);
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await embedded?.stop();
});

async function chainOf(tenant: string, n: number): Promise<string> {
  const schema = await ensureTenantSchema(pool, tenant);
  for (let i = 1; i <= n; i++)
    await appendAudit(pool, schema, {
      actor: `user${i}`,
      action: 'kube.patch.grayrules',
      target: `ns/rule${i}`,
      remote: '10.0.0.1',
      details: { auditID: `id-${tenant}-${i}` },
    });
  return schema;
}

/** What a superuser can do around the append-only trigger. */
async function tamper(schema: string, sql: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query(`alter table ${schema}.audit disable trigger audit_append_only`);
    await c.query(sql);
    await c.query(`alter table ${schema}.audit enable trigger audit_append_only`);
  } finally {
    c.release();
  }
}

describe('audit chain verification', () => {
  it('accepts an intact chain, also the platform one, and finds Kubernetes audit IDs', async () => {
    const schema = await chainOf('intact', 3);
    expect(await verifyAudit(pool, schema)).toMatchObject({ ok: true, entries: 3 });
    expect(await hasKubeAuditId(pool, schema, 'id-intact-2')).toBe(true);
    expect(await hasKubeAuditId(pool, schema, 'id-intact-9')).toBe(false);
    await appendAudit(pool, PLATFORM_AUDIT_SCHEMA, {
      actor: 'root',
      action: 'kube.create.tenants',
      target: 'x',
      remote: '',
    });
    expect(await verifyAudit(pool, PLATFORM_AUDIT_SCHEMA)).toMatchObject({ ok: true, entries: 1 });
    const since = await listAudit(pool, schema, 0, 10, new Date(Date.now() + 60_000));
    expect(since).toEqual([]);
  });

  it('refuses updates and deletes through the trigger', async () => {
    const schema = await chainOf('locked', 1);
    await expect(pool.query(`update ${schema}.audit set actor = 'x'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`delete from ${schema}.audit`)).rejects.toThrow(/append-only/);
  });

  it('names the first edited row', async () => {
    const schema = await chainOf('edited', 4);
    await tamper(schema, `update ${schema}.audit set actor = 'mallory' where seq = 2`);
    expect(await verifyAudit(pool, schema)).toEqual({
      ok: false,
      entries: 1,
      brokenAt: 2,
      reason: 'entry content does not match its hash',
    });
  });

  it('names a removed row and an overwritten hash; a cut tail needs the head kept elsewhere', async () => {
    const removed = await chainOf('removed', 3);
    await tamper(removed, `delete from ${removed}.audit where seq = 2`);
    expect(await verifyAudit(pool, removed)).toMatchObject({
      ok: false,
      brokenAt: 2,
      reason: 'entry 2 is missing',
    });
    const truncated = await chainOf('truncated', 3);
    await tamper(truncated, `delete from ${truncated}.audit where seq = 3`);
    // a tail cut is undetectable by the chain alone; the count still matches its head
    expect(await verifyAudit(pool, truncated)).toMatchObject({ ok: true, entries: 2 });
    const relinked = await chainOf('relinked', 3);
    await tamper(relinked, `update ${relinked}.audit set hash = repeat('a', 64) where seq = 1`);
    expect(await verifyAudit(pool, relinked)).toMatchObject({ ok: false, brokenAt: 1 });
  });
});
