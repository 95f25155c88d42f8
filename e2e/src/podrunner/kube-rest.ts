// A minimal JSON REST client for the few kubelet-style calls the pod runner makes. It uses the
// KubeConfig only for TLS and credentials, so objects stay plain JSON (no client-node model
// conversion of timestamps into Date objects) and one keep-alive agent is reused.
import { Agent, type RequestOptions, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeRestError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeRestError';
    this.status = status;
    this.reason = reason;
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeRestError && e.status === 404;
export const isConflict = (e: unknown) => e instanceof KubeRestError && e.status === 409;

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface WatchHandle {
  /** Resolves when the server closes the stream or it fails. */
  done: Promise<void>;
  abort(): void;
}

export class KubeRest {
  readonly server: URL;
  readonly #config: KubeConfig;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set current-context');
    this.server = new URL(cluster.server);
    this.#config = config;
  }

  async #options(method: string, path: string, headers: Record<string, string>): Promise<RequestOptions> {
    const options: RequestOptions = {
      method,
      hostname: this.server.hostname,
      port: this.server.port || 443,
      path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
      headers: { accept: 'application/json', ...headers },
      agent: this.#agent,
    };
    await this.#config.applyToHTTPSOptions(options);
    return options;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('POST', path, body);
  }
  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('PUT', path, body);
  }
  patch<T = unknown>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.#call<T>('PATCH', path, body, PATCH_CONTENT_TYPE[type]);
  }
  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.#call<T>('DELETE', path, body);
  }

  async #call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = payload
      ? { 'content-type': contentType, 'content-length': String(payload.length) }
      : {};
    const options = await this.#options(method, path, headers);
    return new Promise<T>((resolve, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          if (status >= 200 && status < 300) return resolve(json as T);
          const s = (json ?? {}) as { reason?: string; message?: string };
          reject(
            new KubeRestError(
              status,
              s.reason ?? 'Unknown',
              `${method} ${path}: ${status} ${s.message ?? text.slice(0, 300)}`,
            ),
          );
        });
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timed out after 30 s`)));
      req.end(payload);
    });
  }

  /** Streams watch events (one JSON object per line) until the server closes or abort() is called. */
  async watch(path: string, onEvent: (type: string, object: unknown) => void): Promise<WatchHandle> {
    const options = await this.#options('GET', path, {});
    // watches get their own connection so a long poll never holds one of the agent's sockets
    options.agent = false;
    let abort = () => {};
    const done = new Promise<void>((resolve, reject) => {
      const req = request(options, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on('end', () =>
            reject(new KubeRestError(res.statusCode ?? 0, 'WatchFailed', `watch ${path}: ${res.statusCode}`)),
          );
          return;
        }
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line) {
              try {
                const event = JSON.parse(line) as { type?: string; object?: unknown };
                onEvent(String(event.type), event.object);
              } catch {
                // a torn line only happens when the stream breaks; the caller relists
              }
            }
            newline = buffer.indexOf('\n');
          }
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
        res.on('aborted', () => resolve());
      });
      req.on('error', () => resolve());
      abort = () => req.destroy();
      req.end();
    });
    return { done, abort: () => abort() };
  }
}
