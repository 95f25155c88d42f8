// List, then watch from the listed resourceVersion, keeping a cache and calling handlers.
//  - 410 Gone (HTTP or an ERROR event) -> relist; the relist diff produces add/update/delete.
//  - any other watch error -> restart the watch from the last seen resourceVersion with backoff.
//  - a silent stall (no bytes, not even the server's own timeout close) -> abort and restart.
//  - optional periodic resync re-delivers every cached object as an update (no API traffic).
import { Backoff, sleep } from './backoff.ts';
import { Cache } from './cache.ts';
import { isGone, KubeApiError, type KubeClient, type WatchEvent } from './kube-client.ts';
import { type Logger, silentLogger } from './logger.ts';
import { type KubeObject, type ObjectMeta, objectKey } from './object.ts';
import { type ResourceType, resourceId } from './resources.ts';

export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Cache only metadata (PartialObjectMetadata): for change notifications on objects whose
   * content is read on demand, at a fraction of the memory. */
  metadataOnly?: boolean;
  /** Re-deliver all cached objects as updates this often (0 = never). */
  resyncMs?: number;
  /** Server-side watch timeout; the server closes the stream cleanly after this. */
  watchTimeoutSeconds?: number;
  /** Extra silence tolerated beyond watchTimeoutSeconds before the watch counts as stalled. */
  stallGraceMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Validate/narrow objects from the API (zod parse at the trust boundary). Invalid ones are skipped. */
  parse?: (obj: unknown) => T | undefined;
  /** Drop fields the controllers never read (e.g. managedFields) to save memory. */
  transform?: (obj: T) => T;
  logger?: Logger;
  onRestart?: (reason: 'gone' | 'error' | 'stalled' | 'closed') => void;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The default transform: managedFields and kubectl's last-applied copy are never read and are
 * often the bulk of an object. */
export const slimObject = <T extends KubeObject>(obj: T): T => {
  const m = obj.metadata as (ObjectMeta & { managedFields?: unknown }) | undefined;
  if (!m || !('managedFields' in m || (m.annotations && LAST_APPLIED in m.annotations))) return obj;
  const { managedFields: _drop, ...metadata } = m;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _a, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...obj, metadata };
};

export class Informer<T extends KubeObject> {
  readonly cache = new Cache<T>();
  readonly resource: ResourceType;
  readonly #client: KubeClient;
  readonly #o: InformerOptions<T>;
  readonly #handlers: EventHandler<T>[] = [];
  readonly #log: Logger;
  #synced = false;
  #syncWaiters: Array<() => void> = [];
  #resourceVersion = '';
  #abort = new AbortController();
  #running: Promise<void> | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;
  restarts = 0;
  relists = 0;

  constructor(client: KubeClient, resource: ResourceType, options: InformerOptions<T> = {}) {
    this.#client = client;
    this.resource = resource;
    this.#o = options;
    this.#log = (options.logger ?? silentLogger).child({ informer: resourceId(resource) });
  }

  get lastResourceVersion(): string {
    return this.#resourceVersion;
  }

  addHandler(handler: EventHandler<T>): void {
    this.#handlers.push(handler);
    // A handler added after sync sees the current state as adds, like client-go.
    if (this.#synced) for (const obj of this.cache.list()) handler.onAdd?.(obj);
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => resolve(this.#synced);
      this.#syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  start(): void {
    if (this.#running) return;
    this.#abort = new AbortController();
    this.#running = this.#run(this.#abort.signal);
    const resync = this.#o.resyncMs ?? 0;
    if (resync > 0) {
      this.#resyncTimer = setInterval(() => this.resync(), resync);
      this.#resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    clearInterval(this.#resyncTimer);
    await this.#running;
    this.#running = undefined;
  }

  /** Re-deliver every cached object to the handlers as an unchanged update. */
  resync(): void {
    for (const obj of this.cache.list()) for (const h of this.#handlers) h.onUpdate?.(obj, obj);
  }

  #accept(raw: unknown): T | undefined {
    const parsed = this.#o.parse ? this.#o.parse(raw) : (raw as T);
    if (!parsed) {
      const m = (raw as KubeObject | undefined)?.metadata;
      this.#log.warn('skipping object that does not match its schema', {
        namespace: m?.namespace,
        name: m?.name,
      });
      return undefined;
    }
    return (this.#o.transform ?? slimObject)(parsed);
  }

  async #list(): Promise<void> {
    const { items, resourceVersion } = await this.#client.list<T>(this.resource, {
      namespace: this.#o.namespace,
      labelSelector: this.#o.labelSelector,
      fieldSelector: this.#o.fieldSelector,
      metadataOnly: this.#o.metadataOnly,
    });
    this.relists++;
    const seen = new Set<string>();
    for (const raw of items) {
      const obj = this.#accept(raw);
      if (!obj) continue;
      seen.add(objectKey(obj));
      this.#upsert(obj);
    }
    for (const key of [...this.cache.keys()]) {
      if (!seen.has(key)) this.#delete(this.cache.get(key) as T);
    }
    this.#resourceVersion = resourceVersion;
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
  }

  #upsert(obj: T): void {
    const old = this.cache.upsert(obj);
    if (!old) for (const h of this.#handlers) h.onAdd?.(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      for (const h of this.#handlers) h.onUpdate?.(old, obj);
  }

  #delete(obj: T): void {
    const old = this.cache.remove(objectKey(obj));
    for (const h of this.#handlers) h.onDelete?.(old ?? obj);
  }

  #onEvent = (event: WatchEvent): void => {
    if (event.type === 'ERROR') {
      const code = event.object.code ?? 500;
      throw new KubeApiError(
        code,
        event.object.reason ?? 'WatchError',
        event.object.message ?? 'watch error event',
      );
    }
    const rv = event.object.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.#resourceVersion = rv;
      return;
    }
    if (rv) this.#resourceVersion = rv;
    if (event.type === 'DELETED') {
      // By key: a deleted object is removed even if it no longer matches its schema.
      const old = this.cache.get(objectKey(event.object));
      if (old) this.#delete(old);
      return;
    }
    const obj = this.#accept(event.object);
    if (obj) this.#upsert(obj);
    else {
      // An object edited into an invalid state is treated as absent until it is fixed.
      const old = this.cache.get(objectKey(event.object));
      if (old) this.#delete(old);
    }
  };

  async #run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ ...(this.#o.backoff ?? { initialMs: 200, maxMs: 30_000 }), jitter: 1 });
    let needList = true;
    let consecutiveGone = 0;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#list();
          needList = false;
        }
        const base = this.#o.watchTimeoutSeconds ?? 300;
        // Spread reconnects so many informers do not all reconnect at once.
        const timeoutSeconds = Math.max(1, Math.round(base * (1 + Math.random() * 0.25)));
        const ended = await this.#client.watch(
          this.resource,
          {
            namespace: this.#o.namespace,
            labelSelector: this.#o.labelSelector,
            fieldSelector: this.#o.fieldSelector,
            metadataOnly: this.#o.metadataOnly,
            resourceVersion: this.#resourceVersion,
            timeoutSeconds,
            stallMs: timeoutSeconds * 1000 + (this.#o.stallGraceMs ?? 15_000),
            signal,
          },
          this.#onEvent,
        );
        if (ended === 'aborted') break;
        consecutiveGone = 0;
        if (ended === 'stalled') {
          this.restarts++;
          this.#o.onRestart?.('stalled');
          this.#log.warn('watch stalled: no data within the server timeout; restarting it');
        } else {
          this.#o.onRestart?.('closed');
        }
        backoff.reset();
      } catch (e) {
        if (signal.aborted) break;
        this.restarts++;
        if (isGone(e)) {
          this.#log.info('watch resourceVersion expired (410 Gone); relisting');
          this.#o.onRestart?.('gone');
          needList = true;
          // A 410 straight after a relist means something is wrong upstream: do not spin.
          if (++consecutiveGone > 1) await sleep(backoff.next(), signal);
          continue;
        }
        this.#o.onRestart?.('error');
        const delay = backoff.next();
        this.#log.warn('watch failed; restarting with backoff', { error: e, delayMs: Math.round(delay) });
        // After repeated failures the resourceVersion may be stale; relist to be safe.
        if (backoff.attempts > 3) needList = true;
        await sleep(delay, signal);
      }
    }
  }
}
