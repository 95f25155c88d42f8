// Append-only, hash-chained audit log per tenant. Each entry's hash covers the previous hash
// and the entry's canonical fields, so editing, inserting or deleting a row breaks the chain
// from that row on. A trigger refuses UPDATE and DELETE; the chain catches what a superuser
// does around the trigger.

import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

export const GENESIS = '0'.repeat(64);

export interface AuditInput {
  actor: string;
  action: string;
  target: string;
  remote: string;
  details?: Record<string, unknown>;
}

export interface AuditEntry extends Required<AuditInput> {
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

function stable(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = stable({
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    target: e.target,
    remote: e.remote,
    details: e.details,
  });
  return createHash('sha256').update(`${e.prevHash}\n${body}`).digest('hex');
}

/** Appends inside the caller's transaction when given a client, else in its own. */
export async function appendAudit(
  db: Pool | PoolClient,
  schema: string,
  input: AuditInput,
): Promise<AuditEntry> {
  const own = 'totalCount' in db;
  const client = own ? await (db as Pool).connect() : (db as PoolClient);
  try {
    if (own) await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${schema}:audit`]);
    const last = await client.query<{ seq: string; hash: string }>(
      `select seq, hash from ${schema}.audit order by seq desc limit 1`,
    );
    const prev = last.rows[0];
    const entry: Omit<AuditEntry, 'hash'> = {
      seq: prev ? Number(prev.seq) + 1 : 1,
      at: new Date().toISOString(),
      actor: input.actor,
      action: input.action,
      target: input.target,
      remote: input.remote,
      details: input.details ?? {},
      prevHash: prev ? prev.hash : GENESIS,
    };
    const hash = entryHash(entry);
    await client.query(
      `insert into ${schema}.audit (seq, at, actor, action, target, remote, details, prev_hash, hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        entry.remote,
        JSON.stringify(entry.details),
        entry.prevHash,
        hash,
      ],
    );
    if (own) await client.query('commit');
    return { ...entry, hash };
  } catch (e) {
    if (own) await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    if (own) (client as PoolClient).release();
  }
}

interface Row {
  seq: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  remote: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const toEntry = (r: Row): AuditEntry => ({
  seq: Number(r.seq),
  at: r.at.toISOString(),
  actor: r.actor,
  action: r.action,
  target: r.target,
  remote: r.remote,
  details: r.details,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Schema of the platform chain (changes that belong to no tenant). */
export const PLATFORM_AUDIT_SCHEMA = 'tessera';

export async function listAudit(
  pool: Pool,
  schema: string,
  after: number,
  limit: number,
  since?: Date,
): Promise<AuditEntry[]> {
  const r = await pool.query<Row>(
    `select * from ${schema}.audit where seq > $1 and at >= $3 order by seq limit $2`,
    [after, limit, since ?? new Date(0)],
  );
  return r.rows.map(toEntry);
}

/** Whether a Kubernetes audit event (by its auditID) is already in the chain. */
export async function hasKubeAuditId(
  db: Pool | PoolClient,
  schema: string,
  auditId: string,
): Promise<boolean> {
  const r = await db.query(
    `select 1 from ${schema}.audit where details ? 'auditID' and details->>'auditID' = $1 limit 1`,
    [auditId],
  );
  return (r.rowCount ?? 0) > 0;
}

export type VerifyResult =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks the whole chain in pages. */
export async function verifyAudit(pool: Pool, schema: string): Promise<VerifyResult> {
  let prevHash = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const page = await pool.query<Row>(
      `select * from ${schema}.audit where seq >= $1 order by seq limit 1000`,
      [expectedSeq],
    );
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      const e = toEntry(row);
      if (e.seq !== expectedSeq)
        return {
          ok: false,
          entries: count,
          brokenAt: expectedSeq,
          reason: `entry ${expectedSeq} is missing`,
        };
      if (e.prevHash !== prevHash)
        return { ok: false, entries: count, brokenAt: e.seq, reason: 'previous-hash link does not match' };
      if (entryHash(e) !== e.hash)
        return {
          ok: false,
          entries: count,
          brokenAt: e.seq,
          reason: 'entry content does not match its hash',
        };
      prevHash = e.hash;
      expectedSeq++;
      count++;
    }
  }
  const max = await pool.query<{ max: string | null; n: string }>(
    `select max(seq) as max, count(*) as n from ${schema}.audit`,
  );
  const n = Number(max.rows[0]?.n ?? 0);
  if (n !== count)
    return { ok: false, entries: count, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
  return { ok: true, entries: count, head: prevHash };
}
