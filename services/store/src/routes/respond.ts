import { HttpProblem } from '../http/problem.ts';
import type { RequestContext } from '../http/router.ts';

export function sendJson(
  rc: RequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  rc.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  rc.res.end(text);
}

/** Maps a database failure to 503 + Retry-After (the client retries; nothing was accepted). */
export function dbUnavailable(e: unknown): never {
  if (e instanceof HttpProblem) throw e;
  const err = e as { code?: string; message?: string };
  // SQLSTATE class 22/23 are data problems, not outages
  if (typeof err.code === 'string' && /^(22|23|42)/.test(err.code)) throw e;
  throw new HttpProblem(
    503,
    'database-unavailable',
    'the database is unavailable; retry later (nothing was stored)',
    {
      headers: { 'retry-after': '5' },
    },
  );
}
