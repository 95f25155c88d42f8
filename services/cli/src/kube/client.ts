// The user's Kubernetes connection: kubeconfig selection like kubectl (--kubeconfig, $KUBECONFIG,
// --context, -n) and the project's one Kubernetes REST client, with API errors turned into CLI
// errors (exit codes, hints). It deliberately avoids @kubernetes/client-node, whose import alone
// costs most of a second.

import {
  KubeClient as ApiClient,
  KubeApiError as ApiError,
  type KubeConnection,
  KubeconfigError,
  loadKubeconfig,
  type ResourceType,
  type WatchEvent,
} from '@tessera/controller-runtime/kube';
import { CliError, EXIT, inputError } from '../errors.ts';

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

export function connect(opts: ConnectionOptions): KubeConnection {
  try {
    return loadKubeconfig(opts);
  } catch (e) {
    if (e instanceof KubeconfigError) throw inputError(e.message);
    throw e;
  }
}

export class KubeClient {
  readonly server: string;
  readonly namespace: string;
  readonly #connection: KubeConnection;
  readonly #api: ApiClient;

  constructor(opts: ConnectionOptions) {
    this.#connection = connect(opts);
    this.#api = new ApiClient(this.#connection);
    this.server = this.#connection.server;
    this.namespace = this.#connection.namespace;
  }

  /** The bearer token the kubeconfig user authenticates with, if it uses one. */
  async bearerToken(): Promise<string | undefined> {
    const { headers } = await this.#credentials();
    const m = headers.authorization ? /^Bearer\s+(.+)$/i.exec(headers.authorization) : null;
    return m?.[1];
  }

  async #credentials() {
    try {
      return await this.#connection.authenticate();
    } catch (e) {
      throw new KubeApiError(
        0,
        'Unauthenticated',
        `cannot authenticate to ${this.server}: ${(e as Error).message}`,
      );
    }
  }

  async request(
    method: string,
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {},
  ): Promise<unknown> {
    await this.#credentials();
    try {
      return await this.#api.request<unknown>(method, path, options);
    } catch (e) {
      if (e instanceof ApiError) {
        const hint =
          e.status === 401
            ? ' (your kubeconfig credentials were rejected; log in again)'
            : e.status === 403
              ? ' (ask your tenant admin for the needed RBAC permission)'
              : '';
        throw new KubeApiError(e.status, e.reason, `${e.apiMessage}${hint}`);
      }
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new KubeApiError(
        0,
        'Unreachable',
        `cannot reach the API server ${this.server}: ${cause ?? (e as Error).message}`,
      );
    }
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

  /**
   * Streams changes of `resource` in `namespace` from `resourceVersion` ("0": the current objects
   * first, as ADDED) until the server closes the watch or `signal` aborts.
   */
  async watch(
    resource: ResourceType,
    namespace: string,
    resourceVersion: string,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<'closed' | 'stalled' | 'aborted'> {
    await this.#credentials();
    try {
      return await this.#api.watch(
        resource,
        { namespace, resourceVersion, timeoutSeconds: 300, stallMs: 330_000, signal },
        onEvent,
      );
    } catch (e) {
      if (e instanceof ApiError) throw new KubeApiError(e.status, e.reason, e.apiMessage);
      throw new KubeApiError(0, 'Unreachable', `the watch on ${this.server} broke: ${(e as Error).message}`);
    }
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
