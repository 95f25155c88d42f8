// What the host's network APIs share: header hygiene, bounded bodies, task ids, timeouts and
// the abort controllers of running transfers.
import { concatBytes } from '../package/bytes.ts';

export type Args = Record<string, unknown>;

export function requestHeaders(header: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (header && typeof header === 'object')
    for (const [k, v] of Object.entries(header)) {
      if (/^(cookie|host|referer|origin)$/i.test(k)) continue;
      headers[k] = String(v);
    }
  return headers;
}

export function responseHeaders(res: Response): Record<string, string> {
  const header: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') header[k] = v;
  });
  return header;
}

export const taskIdOf = (a: Args) => {
  const id = Number(a.taskId);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error('taskId is required');
  return id;
};

export const timeoutOf = (a: Args) => {
  const t = Number(a.timeout);
  return Number.isFinite(t) && t > 0 ? Math.min(t, 600_000) : 60_000;
};

/** Transfers that task:abort, the timeout and the mini-program's closing can cancel. */
export class Tracker {
  readonly #aborts = new Map<number, AbortController>();

  async run<T>(a: Args, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const id = a.taskId === undefined ? undefined : taskIdOf(a);
    const ctl = new AbortController();
    if (id !== undefined) this.#aborts.set(id, ctl);
    const timer = setTimeout(() => ctl.abort(new Error('timeout')), timeoutOf(a));
    try {
      return await fn(ctl.signal);
    } catch (err) {
      if (ctl.signal.aborted)
        throw ctl.signal.reason instanceof Error ? ctl.signal.reason : new Error('abort');
      throw err;
    } finally {
      clearTimeout(timer);
      if (id !== undefined) this.#aborts.delete(id);
    }
  }

  abort(id: number, reason = 'abort'): void {
    this.#aborts.get(id)?.abort(new Error(reason));
  }

  abortAll(reason: string): void {
    for (const c of this.#aborts.values()) c.abort(new Error(reason));
    this.#aborts.clear();
  }
}

/** The body, refusing one over `limit` as soon as it is (not after buffering it all). */
export async function readLimited(
  res: Response,
  limit: number,
  message: string,
  /** as bytes arrive (at most ~100 times), and once more with `done` at the end */
  onChunk?: (bytesSoFar: number, done: boolean) => void,
): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > limit) throw new Error(message);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  let reported = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new Error(message);
    }
    chunks.push(value);
    // at most ~100 progress events per file
    if (onChunk && n - reported >= Math.max(64 * 1024, declared / 100) && n !== declared) {
      reported = n;
      onChunk(n, false);
    }
  }
  onChunk?.(n, true);
  return concatBytes(chunks);
}
