// The embedded database runs the same migrations and queries as PostgreSQL (PGlite over the
// wire protocol through `pg`).

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAudit } from '../audit/chain.ts';
import { searchTokens, toTsqueryText, toTsvectorText } from '../catalog/tokens.ts';
import { blobInfo, putBlob, readBlobRange } from './blobs.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.ts';
import { EventWriter, statsForDay } from './events.ts';
import { ensureTenantSchema, migrateGlobal } from './migrations.ts';

let embedded: EmbeddedPostgres;
let pool: pg.Pool;
let schema: string;

beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
  pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
  await migrateGlobal(pool);
  schema = await ensureTenantSchema(pool, 'demo');
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await embedded?.stop();
});

describe('embedded PGlite', () => {
  it('migrates idempotently', async () => {
    expect(await ensureTenantSchema(pool, 'demo')).toBe(schema);
  });

  it('stores and streams chunked blobs and rejects a wrong digest', async () => {
    const { createHash } = await import('node:crypto');
    const bytes = Buffer.alloc(600_000, 3);
    bytes[599_999] = 9;
    const digest = createHash('sha256').update(bytes).digest('hex');
    const r = await putBlob(pool, schema, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
      kind: 'source',
      digest,
      limit: 1 << 20,
      createdBy: 't',
    });
    expect(r.created).toBe(true);
    const info = await blobInfo(pool, schema, 'source', digest);
    expect(info?.chunks).toBe(3);
    const parts: Buffer[] = [];
    for await (const c of readBlobRange(
      pool,
      schema,
      'source',
      info as NonNullable<typeof info>,
      262_000,
      599_999,
    ))
      parts.push(c);
    expect(Buffer.concat(parts).equals(bytes.subarray(262_000))).toBe(true);
    await expect(
      putBlob(pool, schema, Readable.from([Buffer.from('x')]), {
        kind: 'source',
        digest: '0'.repeat(64),
        limit: 10,
        createdBy: 't',
      }),
    ).rejects.toThrow(/SHA-256/);
    expect(await blobInfo(pool, schema, 'source', '0'.repeat(64))).toBeNull();
  });

  it('keeps a verifiable audit chain, events with stats, and bigram search', async () => {
    await appendAudit(pool, schema, { actor: 'a', action: 'x', target: 't', remote: '' });
    await appendAudit(pool, schema, { actor: 'b', action: 'y', target: 't', remote: '' });
    expect(await verifyAudit(pool, schema)).toMatchObject({ ok: true, entries: 2 });
    const writer = new EventWriter(pool);
    const at = new Date().toISOString();
    const n = await writer.write(schema, 'web', [
      {
        id: randomUUID(),
        type: 'launch',
        appId: 'a',
        version: '1.0.0',
        userId: 'u',
        at,
        cold: true,
        timings: { total: 100 },
      },
    ]);
    expect(n).toBe(1);
    expect((await statsForDay(pool, schema, 'a', at.slice(0, 10)))[0]).toMatchObject({
      launches: 1,
      coldStartP50: 100,
    });
    await pool.query(
      `insert into ${schema}.catalog (host_app, app_id, mini_program, doc, tokens) values ('web', 'a', 'a', '{}', $1::tsvector)`,
      [toTsvectorText(searchTokens('招商银行 掌上生活'))],
    );
    const hit = await pool.query(
      `select app_id from ${schema}.catalog where tokens @@ to_tsquery('simple', $1)`,
      [toTsqueryText('银行')],
    );
    expect(hit.rows).toEqual([{ app_id: 'a' }]);
  });
});
