// A small REST client for any resource: the one Kubernetes client of the operator, the store,
// the CLI and the pod runner. It authenticates with a KubeConnection (kubeconfig.ts, the kubectl
// rules) or, for callers that already hold one, a @kubernetes/client-node KubeConfig. The
// generated client-node API creates a new connection pool for every request; at thousands of
// requests that costs a TLS handshake each, so this client reuses one dispatcher. Every request
// is counted by verb so tests and benchmarks can prove that a no-op reconcile writes nothing.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Dispatcher, fetch } from 'undici';
import type { KubeConnection } from './kubeconfig.ts';
import type { KubeObject } from './object.ts';
import { BucketRateLimiter } from './rate-limiter.ts';
import { apiVersionOf, type ResourceType, resourceId } from './resources.ts';

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  /** The API server's own message, without the request line. */
  readonly apiMessage: string;
  constructor(status: number, reason: string, message: string, apiMessage = message) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.apiMessage = apiMessage;
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.status === 410;
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  /** Metadata only (PartialObjectMetadata), like controller-runtime's metadata-only watches. */
  metadataOnly?: boolean;
}

const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const META_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  /** Abort when no bytes arrive for this long; the server closes after timeoutSeconds anyway. */
  stallMs: number;
  signal: AbortSignal;
}

export type WriteVerb = 'create' | 'update' | 'patch' | 'delete';
export type RequestObserver = (verb: WriteVerb | 'get' | 'list' | 'watch', resource: string) => void;
/** After each non-watch request: its method, the time spent waiting for the client-side rate
 * limiter and the round trip (seconds). */
export type LatencyObserver = (method: string, waitedSeconds: number, seconds: number) => void;

interface Auth {
  headers: Record<string, string>;
  dispatcher: Dispatcher | undefined;
  at: number;
}

const AUTH_REFRESH_MS = 60_000;

/**
 * Client-side rate limit, like client-go's QPS/Burst: requests (not watches) beyond the burst
 * wait for a token. The API server's priority and fairness still applies on top.
 */
export interface ClientRateLimit {
  qps: number;
  burst: number;
}

/** Sized so a burst of 1,000 new versions (about two requests each) drains in about 10 s. */
export const DEFAULT_CLIENT_RATE_LIMIT: ClientRateLimit = { qps: 200, burst: 400 };

/** Credentials from a client-node KubeConfig (loaded by its caller, so importing it costs nothing more). */
function clientNodeAuth(config: KubeConfig, server: string): () => Promise<Omit<Auth, 'at'>> {
  let dispatcher: Dispatcher | undefined;
  return async () => {
    const { RequestContext } = await import('@kubernetes/client-node');
    const ctx = new RequestContext(server, 'GET' as never);
    await config.applySecurityAuthentication(ctx);
    // client-node builds a new agent each time: keep the first (headers rotate, TLS identity does not)
    dispatcher ??= ctx.getDispatcher() as Dispatcher | undefined;
    return { headers: ctx.getHeaders(), dispatcher };
  };
}

const isConnection = (c: KubeConfig | KubeConnection): c is KubeConnection =>
  typeof (c as KubeConnection).authenticate === 'function' &&
  typeof (c as KubeConnection).server === 'string';

export class KubeClient {
  readonly server: string;
  /** The namespace the kubeconfig context names (default "default"). */
  readonly namespace: string;
  readonly #credentials: () => Promise<Omit<Auth, 'at'>>;
  #auth: Auth | undefined;
  #observers: RequestObserver[] = [];
  #latencyObservers: LatencyObserver[] = [];
  readonly #limiter: BucketRateLimiter | undefined;
  readonly writes = new Map<string, number>();

  /** `rateLimit` undefined: no client-side limit (tests, tools); the operator passes one. */
  constructor(config: KubeConfig | KubeConnection, options: { rateLimit?: ClientRateLimit } = {}) {
    if (isConnection(config)) {
      this.server = config.server;
      this.namespace = config.namespace;
      this.#credentials = () => config.authenticate();
    } else {
      const cluster = config.getCurrentCluster();
      if (!cluster) throw new Error('kubeconfig has no current cluster: set current-context');
      this.server = cluster.server.replace(/\/$/, '');
      this.namespace = config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
      this.#credentials = clientNodeAuth(config, this.server);
    }
    const limit = options.rateLimit;
    if (limit && limit.qps > 0) this.#limiter = new BucketRateLimiter(limit.qps, Math.max(1, limit.burst));
  }

  onRequest(observer: RequestObserver): void {
    this.#observers.push(observer);
  }

  onLatency(observer: LatencyObserver): void {
    this.#latencyObservers.push(observer);
  }

  /** Total write requests (create/update/patch/delete) this client has sent. */
  writeCount(): number {
    let n = 0;
    for (const v of this.writes.values()) n += v;
    return n;
  }

  async #authenticate(): Promise<Auth> {
    const now = Date.now();
    if (this.#auth && now - this.#auth.at < AUTH_REFRESH_MS) return this.#auth;
    this.#auth = { ...(await this.#credentials()), at: now };
    return this.#auth;
  }

  path(r: ResourceType, namespace?: string, name?: string, subresource?: string): string {
    let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${r.plural}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  #observe(verb: WriteVerb | 'get' | 'list' | 'watch', r: ResourceType): void {
    const id = resourceId(r);
    if (verb !== 'get' && verb !== 'list' && verb !== 'watch') {
      const k = `${verb} ${id}`;
      this.writes.set(k, (this.writes.get(k) ?? 0) + 1);
    }
    for (const o of this.#observers) o(verb, id);
  }

  async request<T>(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | undefined>;
      body?: unknown;
      contentType?: string;
      accept?: string;
    } = {},
  ): Promise<T> {
    let waited = 0;
    if (this.#limiter) {
      waited = this.#limiter.when('');
      if (waited > 0) await new Promise((r) => setTimeout(r, waited));
    }
    const started = performance.now();
    const auth = await this.#authenticate();
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...auth.headers, accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const res = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      dispatcher: auth.dispatcher,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const seconds = (performance.now() - started) / 1000;
    for (const o of this.#latencyObservers) o(method, waited / 1000, seconds);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const s = (parsed ?? {}) as { reason?: string; message?: string };
      const apiMessage = s.message ?? text.slice(0, 300);
      throw new KubeApiError(
        res.status,
        s.reason ?? 'Unknown',
        `${method} ${path}: ${res.status} ${apiMessage}`,
        apiMessage,
      );
    }
    return parsed as T;
  }

  async get<T extends KubeObject>(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    this.#observe('get', r);
    try {
      return await this.request<T>('GET', this.path(r, namespace, name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list<T extends KubeObject>(r: ResourceType, options: ListOptions = {}): Promise<ListResult<T>> {
    this.#observe('list', r);
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.request<{
        items?: T[];
        metadata?: { resourceVersion?: string; continue?: string };
      }>('GET', this.path(r, options.namespace), {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: String(options.pageSize ?? 500),
          continue: cont,
        },
        accept: options.metadataOnly ? META_LIST : undefined,
      });
      // Lists omit apiVersion/kind per item (metadata-only items name PartialObjectMetadata);
      // restore them so cached objects are self-describing.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion: apiVersionOf(r), kind: r.kind });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  async create<T extends KubeObject>(r: ResourceType, obj: T): Promise<T> {
    this.#observe('create', r);
    return this.request<T>('POST', this.path(r, obj.metadata?.namespace), { body: obj });
  }

  /** PUT, with metadata.resourceVersion for optimistic concurrency (409 on conflict). */
  async update<T extends KubeObject>(r: ResourceType, obj: T, subresource?: string): Promise<T> {
    this.#observe('update', r);
    return this.request<T>('PUT', this.path(r, obj.metadata?.namespace, obj.metadata?.name, subresource), {
      body: obj,
    });
  }

  /** Server-side apply. `obj` must carry apiVersion, kind and metadata.name. */
  async apply<T extends KubeObject>(
    r: ResourceType,
    obj: KubeObject,
    fieldManager: string,
    subresource?: string,
  ): Promise<T> {
    this.#observe('patch', r);
    return this.request<T>('PATCH', this.path(r, obj.metadata?.namespace, obj.metadata?.name, subresource), {
      query: { fieldManager, force: 'true' },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
  }

  async patch<T extends KubeObject>(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: 'merge' | 'json' = 'merge',
    subresource?: string,
  ): Promise<T> {
    this.#observe('patch', r);
    return this.request<T>('PATCH', this.path(r, namespace, name, subresource), {
      body: patch,
      contentType: type === 'merge' ? 'application/merge-patch+json' : 'application/json-patch+json',
    });
  }

  async delete(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    propagationPolicy: 'Foreground' | 'Background' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    this.#observe('delete', r);
    try {
      await this.request('DELETE', this.path(r, namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * Streams watch events until the server closes the stream, the signal aborts, or nothing at all
   * arrives for `stallMs` (a half-open connection that would otherwise hang forever). Resolves
   * with the reason the stream ended; HTTP errors reject with KubeApiError.
   */
  async watch(
    r: ResourceType,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<'closed' | 'stalled' | 'aborted'> {
    this.#observe('watch', r);
    const auth = await this.#authenticate();
    const url = new URL(this.server + this.path(r, options.namespace));
    url.searchParams.set('watch', 'true');
    url.searchParams.set('allowWatchBookmarks', 'true');
    url.searchParams.set('resourceVersion', options.resourceVersion);
    url.searchParams.set('timeoutSeconds', String(options.timeoutSeconds));
    if (options.labelSelector) url.searchParams.set('labelSelector', options.labelSelector);
    if (options.fieldSelector) url.searchParams.set('fieldSelector', options.fieldSelector);

    const controller = new AbortController();
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, options.stallMs);
    };
    const onOuterAbort = () => controller.abort();
    options.signal.addEventListener('abort', onOuterAbort, { once: true });
    // stopped before this watch began (e.g. during the relist before it): no abort event follows
    if (options.signal.aborted) controller.abort();
    arm();
    try {
      const res = await fetch(url, {
        headers: { ...auth.headers, accept: options.metadataOnly ? META_WATCH : 'application/json' },
        dispatcher: auth.dispatcher,
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const text = await res.text().catch(() => '');
        throw new KubeApiError(
          res.status,
          'WatchFailed',
          `watch ${resourceId(r)}: ${res.status} ${text.slice(0, 300)}`,
        );
      }
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body) {
        arm();
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
          if (!line) continue;
          let event: WatchEvent;
          try {
            event = JSON.parse(line) as WatchEvent;
          } catch {
            throw new KubeApiError(500, 'BadWatchEvent', `watch ${resourceId(r)}: unparsable event line`);
          }
          onEvent(event);
        }
      }
      return 'closed';
    } catch (e) {
      if (stalled) return 'stalled';
      if (options.signal.aborted) return 'aborted';
      throw e;
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onOuterAbort);
      controller.abort();
    }
  }
}
