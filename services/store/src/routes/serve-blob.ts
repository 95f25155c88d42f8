// Streams a stored blob: strong ETag (the digest), single-range requests, immutable caching.

import type { StoreContext } from '../context.ts';
import { type BlobKind, blobInfo, readBlobRange } from '../db/blobs.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { RequestContext } from '../http/router.ts';
import { dbUnavailable } from './respond.ts';

export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // multiple or malformed ranges: serve the whole entity (RFC 9110 allows it)
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return 'unsatisfiable';
  return { start, end };
}

export async function serveBlob(ctx: StoreContext, rc: RequestContext, kind: BlobKind): Promise<void> {
  const tenant = rc.params.tenant ?? '';
  const digest = rc.params.sha256 ?? '';
  if (!/^[0-9a-f]{64}$/.test(digest))
    throw problems.badRequest('the digest in the path must be 64 lower-case hex characters');
  const schema = await ctx.schema(tenant).catch(dbUnavailable);
  const info = await blobInfo(ctx.pool, schema, kind, digest).catch(dbUnavailable);
  if (!info) throw problems.notFound(`${kind} ${digest}`);
  const etag = `"${digest}"`;
  const headers: Record<string, string> = {
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'accept-ranges': 'bytes',
    'content-type': kind === 'artifact' ? 'application/vnd.tessera.package' : 'application/octet-stream',
    'x-content-type-options': 'nosniff',
  };
  const inm = rc.req.headers['if-none-match'];
  if (inm && (inm === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))) {
    rc.res.writeHead(304, headers);
    rc.res.end();
    return;
  }
  const ifRange = rc.req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? null : parseRange(rc.req.headers.range, info.size);
  if (range === 'unsatisfiable') {
    throw new HttpProblem(416, 'range-not-satisfiable', `the range is outside the ${info.size}-byte entity`, {
      headers: { 'content-range': `bytes */${info.size}` },
    });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : info.size - 1;
  if (range) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
  headers['content-length'] = String(info.size === 0 ? 0 : end - start + 1);
  rc.res.writeHead(range ? 206 : 200, headers);
  if (rc.req.method === 'HEAD' || info.size === 0) {
    rc.res.end();
    return;
  }
  try {
    for await (const chunk of readBlobRange(ctx.pool, schema, kind, info, start, end)) {
      if (!rc.res.write(chunk)) await new Promise<void>((r) => rc.res.once('drain', r));
      if (rc.res.destroyed) return;
    }
    rc.res.end();
  } catch (e) {
    ctx.log.warn({ err: (e as Error).message, digest }, 'blob stream aborted');
    rc.res.destroy();
  }
}
