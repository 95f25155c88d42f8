// The pod runner's view of the API: requests go through the operator's KubeClient (one
// keep-alive pool, plain JSON objects, KubeApiError), plus a path-based watch for the
// kubelet-style streams (a pod field selector, any resourceVersion) the runner follows.
import { Agent, type RequestOptions, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { isConflict, isNotFound, KubeApiError, KubeClient } from '@tessera/controller-runtime';

export { isConflict, isNotFound, KubeApiError as KubeRestError };

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
  readonly #client: KubeClient;
  // watches get their own connections so a long poll never holds a pooled socket
  readonly #agent = new Agent({ keepAlive: false });

  constructor(config: KubeConfig) {
    this.#client = new KubeClient(config);
    this.server = new URL(this.#client.server);
    this.#config = config;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.#client.request<T>('GET', path);
  }
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#client.request<T>('POST', path, { body });
  }
  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.#client.request<T>('PUT', path, { body });
  }
  patch<T = unknown>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.#client.request<T>('PATCH', path, { body, contentType: PATCH_CONTENT_TYPE[type] });
  }
  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.#client.request<T>('DELETE', path, body === undefined ? {} : { body });
  }

  /** Streams watch events (one JSON object per line) until the server closes or abort() is called. */
  async watch(path: string, onEvent: (type: string, object: unknown) => void): Promise<WatchHandle> {
    const options: RequestOptions = {
      method: 'GET',
      hostname: this.server.hostname,
      port: this.server.port || 443,
      path: `${this.server.pathname.replace(/\/$/, '')}${path}`,
      headers: { accept: 'application/json' },
      agent: this.#agent,
    };
    await this.#config.applyToHTTPSOptions(options);
    let abort = () => {};
    const done = new Promise<void>((resolve, reject) => {
      const req = request(options, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on('end', () =>
            reject(new KubeApiError(res.statusCode ?? 0, 'WatchFailed', `watch ${path}: ${res.statusCode}`)),
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
