// Content-addressed blobs (sources and artifacts) stored as fixed-size chunk rows, so uploads
// and downloads stream: neither side ever holds a whole 50 MB package in memory.
//
// Upload: chunks are written as they arrive inside one transaction; the SHA-256 of the stream
// must equal the digest in the URL or the transaction rolls back (nothing is stored).
// Download: chunks are read a few at a time for the requested byte range.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { HttpProblem, problems } from '../http/problem.ts';

export const CHUNK_SIZE = 256 * 1024;
export type BlobKind = 'source' | 'artifact';

export interface BlobInfo {
  digest: string;
  size: number;
  chunkSize: number;
  chunks: number;
  meta: Record<string, unknown>;
  createdAt: Date;
}

export async function blobInfo(
  pool: Pool,
  schema: string,
  kind: BlobKind,
  digest: string,
): Promise<BlobInfo | null> {
  const r = await pool.query<{
    size: string;
    chunk_size: number;
    chunks: number;
    meta: Record<string, unknown>;
    created_at: Date;
  }>(
    `select size, chunk_size, chunks, meta, created_at from ${schema}.blobs where kind = $1 and digest = $2`,
    [kind, digest],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    digest,
    size: Number(row.size),
    chunkSize: row.chunk_size,
    chunks: row.chunks,
    meta: row.meta,
    createdAt: row.created_at,
  };
}

export interface PutBlobOptions {
  kind: BlobKind;
  digest: string;
  limit: number;
  /** Content-Length the client declared, if any: refused up front when over the limit */
  declaredLength?: number | undefined;
  createdBy: string;
  /**
   * sees the first bytes as they grow (up to `headBytes`); returns metadata to store once it
   * has enough, undefined to ask for more, or throws HttpProblem when the bytes are invalid
   * (`final`: the stream ended, so undefined is no longer an option).
   */
  inspectHead?: (head: Buffer, final: boolean) => Record<string, unknown> | undefined;
  headBytes?: number;
}

/** Streams `body` into the store. Returns created=false when the blob already existed. */
export async function putBlob(
  pool: Pool,
  schema: string,
  body: Readable,
  o: PutBlobOptions,
): Promise<{ created: boolean; size: number; meta: Record<string, unknown> }> {
  if (o.declaredLength !== undefined && o.declaredLength > o.limit) throw problems.tooLarge(o.limit);
  const existing = await blobInfo(pool, schema, o.kind, o.digest);
  if (existing) {
    body.resume();
    return { created: false, size: existing.size, meta: existing.meta };
  }
  const client = await pool.connect();
  let ok = false;
  try {
    await client.query('begin');
    // a concurrent upload of the same digest waits here instead of failing on the primary key
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [`${schema}:${o.kind}:${o.digest}`]);
    const again = await client.query(
      `select size, meta from ${schema}.blobs where kind = $1 and digest = $2`,
      [o.kind, o.digest],
    );
    if (again.rows[0]) {
      await client.query('rollback');
      body.resume();
      ok = true;
      return { created: false, size: Number(again.rows[0].size), meta: again.rows[0].meta };
    }
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let head: Buffer | null = o.inspectHead ? Buffer.alloc(0) : null;
    const headBytes = o.headBytes ?? 64 * 1024;
    let meta: Record<string, unknown> | undefined;
    const flush = async (final: boolean) => {
      while (pendingSize >= CHUNK_SIZE || (final && pendingSize > 0)) {
        const all = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
        const chunk = all.subarray(0, CHUNK_SIZE);
        const rest = all.subarray(chunk.length);
        await client.query(
          `insert into ${schema}.blob_chunks (kind, digest, seq, data) values ($1, $2, $3, $4)`,
          [o.kind, o.digest, seq++, chunk],
        );
        pending = rest.length > 0 ? [rest] : [];
        pendingSize = rest.length;
      }
    };
    for await (const data of body as AsyncIterable<Buffer>) {
      size += data.length;
      if (size > o.limit) throw problems.tooLarge(o.limit);
      hash.update(data);
      if (head !== null && o.inspectHead) {
        head = Buffer.concat([head, data.subarray(0, headBytes - head.length)]);
        meta = o.inspectHead(head, false);
        if (meta !== undefined) head = null;
        else if (head.length >= headBytes) {
          throw new HttpProblem(
            422,
            'invalid-artifact',
            `the package header is larger than ${headBytes} bytes`,
          );
        }
      }
      pending.push(data);
      pendingSize += data.length;
      if (pendingSize >= CHUNK_SIZE) await flush(false);
    }
    await flush(true);
    const actual = hash.digest('hex');
    if (actual !== o.digest) {
      throw new HttpProblem(
        422,
        'digest-mismatch',
        `body SHA-256 is ${actual} but the URL names ${o.digest}; upload the exact bytes whose digest you put in the URL`,
      );
    }
    if (head !== null && o.inspectHead) meta = o.inspectHead(head, true);
    await client.query(
      `insert into ${schema}.blobs (kind, digest, size, chunk_size, chunks, meta, created_by) values ($1, $2, $3, $4, $5, $6, $7)`,
      [o.kind, o.digest, size, CHUNK_SIZE, seq, JSON.stringify(meta ?? {}), o.createdBy],
    );
    await client.query('commit');
    ok = true;
    return { created: true, size, meta: meta ?? {} };
  } finally {
    if (!ok) await client.query('rollback').catch(() => undefined);
    client.release(!ok);
  }
}

/** Yields the bytes [start, end] (inclusive) of a stored blob, a few chunks per query. */
export async function* readBlobRange(
  pool: Pool,
  schema: string,
  kind: BlobKind,
  info: BlobInfo,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  const first = Math.floor(start / info.chunkSize);
  const last = Math.floor(end / info.chunkSize);
  const batch = 4;
  for (let from = first; from <= last; from += batch) {
    const to = Math.min(last, from + batch - 1);
    const r = await pool.query<{ seq: number; data: Buffer }>(
      `select seq, data from ${schema}.blob_chunks where kind = $1 and digest = $2 and seq between $3 and $4 order by seq`,
      [kind, info.digest, from, to],
    );
    for (const row of r.rows) {
      const base = row.seq * info.chunkSize;
      const s = Math.max(0, start - base);
      const e = Math.min(row.data.length, end - base + 1);
      if (e > s) yield row.data.subarray(s, e);
    }
  }
}
