// The user's Kubernetes connection: kubeconfig selection like kubectl (--kubeconfig, $KUBECONFIG,
// --context, -n) and a small JSON REST client on top of client-node's authentication (tokens,
// client certificates, exec plugins) with one reused connection pool.

import { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, fetch } from 'undici';
import { CliError, EXIT, infraError, inputError } from '../errors.ts';

export interface ConnectionOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export class KubeApiError extends CliError {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(
      status === 401 || status === 403 || status >= 500 || status === 0 ? EXIT.infra : EXIT.input,
      message,
    );
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.status === 404;

interface Auth {
  headers: Record<string, string>;
  dispatcher: Dispatcher | undefined;
}

export function loadKubeConfig(opts: ConnectionOptions): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw inputError(`cannot load kubeconfig ${opts.kubeconfig ?? '(default)'}: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw inputError(
        `context "${opts.context}" is not in the kubeconfig; contexts: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw inputError('the kubeconfig has no current cluster; set current-context or pass --context');
  }
  return kc;
}

export class KubeClient {
  readonly config: KubeConfig;
  readonly server: string;
  readonly namespace: string;
  #auth: Promise<Auth> | undefined;

  constructor(opts: ConnectionOptions) {
    this.config = loadKubeConfig(opts);
    this.server = (this.config.getCurrentCluster()?.server ?? '').replace(/\/$/, '');
    const ctx = this.config.getContextObject(this.config.getCurrentContext());
    this.namespace = opts.namespace ?? ctx?.namespace ?? 'default';
  }

  #authenticate(): Promise<Auth> {
    this.#auth ??= (async () => {
      const ctx = new RequestContext(this.server, 'GET' as never);
      try {
        await this.config.applySecurityAuthentication(ctx);
      } catch (e) {
        throw infraError(`cannot authenticate to ${this.server}: ${(e as Error).message}`);
      }
      return { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() as Dispatcher | undefined };
    })();
    return this.#auth;
  }

  /** The bearer token the kubeconfig user authenticates with, if it uses one. */
  async bearerToken(): Promise<string | undefined> {
    const { headers } = await this.#authenticate();
    const value = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    const m = value ? /^Bearer\s+(.+)$/i.exec(value) : null;
    return m?.[1];
  }

  async request(
    method: string,
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {},
  ): Promise<unknown> {
    const auth = await this.#authenticate();
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...auth.headers, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher: auth.dispatcher,
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new KubeApiError(
        0,
        'Unreachable',
        `cannot reach the API server ${this.server}: ${cause ?? (e as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const s = (parsed ?? {}) as { reason?: string; message?: string };
      const message = s.message ?? text.slice(0, 300);
      const hint =
        res.status === 401
          ? ' (your kubeconfig credentials were rejected; log in again)'
          : res.status === 403
            ? ' (ask your tenant admin for the needed RBAC permission)'
            : '';
      throw new KubeApiError(res.status, s.reason ?? 'Unknown', `${message}${hint}`);
    }
    return parsed;
  }

  async get(path: string): Promise<unknown | undefined> {
    try {
      return await this.request('GET', path);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(path: string, query: Record<string, string | undefined> = {}): Promise<unknown[]> {
    const body = (await this.request('GET', path, { query })) as { items?: unknown[] } | undefined;
    return body?.items ?? [];
  }

  /** Server-side apply (force: the CLI is the user saying "set this field now"). */
  apply(path: string, body: unknown, fieldManager: string): Promise<unknown> {
    return this.request('PATCH', path, {
      query: { fieldManager, force: 'true' },
      body,
      contentType: 'application/apply-patch+yaml',
    });
  }
}
