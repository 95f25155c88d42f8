// Store HTTP client for the compile job: bounded bodies, timeouts, retries on infrastructure
// failures only (network errors, 5xx, 429); 4xx answers are classified by the caller.
export class HttpStatusError extends Error {
  readonly status: number;
  readonly url: string;
  constructor(status: number, url: string, body: string) {
    super(`${url} answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.url = url;
  }
}

export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`response body is larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export interface HttpOptions {
  timeoutMs: number;
  retries: number;
  /** Waits between retries (ms); tests pass zeros. */
  backoffMs?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) => Math.min(5000, 200 * 2 ** attempt);

/** Redacts query strings (may carry signatures) from URLs that end up in messages. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

async function withRetries<T>(opts: HttpOptions, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    try {
      return await fn();
    } catch (e) {
      last = e;
      const retryable =
        e instanceof NetworkError || (e instanceof HttpStatusError && (e.status >= 500 || e.status === 429));
      if (!retryable || attempt === opts.retries) throw e;
      await new Promise((r) => setTimeout(r, (opts.backoffMs ?? defaultBackoff)(attempt)));
    }
  }
  throw last;
}

async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await res.body?.cancel();
    throw new BodyTooLargeError(limit);
  }
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

export async function httpGet(
  url: string,
  headers: Record<string, string>,
  limit: number,
  opts: HttpOptions,
): Promise<Uint8Array> {
  return withRetries(opts, async () => {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'error' });
    } catch (e) {
      throw new NetworkError(`GET ${redactUrl(url)} failed: ${(e as Error).cause ?? (e as Error).message}`);
    }
    if (!res.ok) throw new HttpStatusError(res.status, redactUrl(url), await res.text().catch(() => ''));
    try {
      return await readLimited(res, limit);
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw e;
      throw new NetworkError(`GET ${redactUrl(url)}: body interrupted: ${(e as Error).message}`);
    }
  });
}

export async function httpPut(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  opts: HttpOptions,
): Promise<number> {
  return withRetries(opts, async () => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', ...headers },
        body: body.slice(),
        signal: AbortSignal.timeout(opts.timeoutMs),
        redirect: 'error',
      });
    } catch (e) {
      throw new NetworkError(`PUT ${redactUrl(url)} failed: ${(e as Error).cause ?? (e as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw new HttpStatusError(res.status, redactUrl(url), text);
    return res.status;
  });
}
