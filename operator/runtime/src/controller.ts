// A controller: a work queue, event handlers that feed it, and workers that call the reconciler.
// Level-triggered: the reconciler gets only a key and reads current state from caches.
import type { EventHandler, Informer } from './informer.ts';
import { isConflict } from './kube-client.ts';
import { type Logger, silentLogger } from './logger.ts';
import type { OperatorMetrics } from './metrics.ts';
import type { KubeObject } from './object.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './workqueue.ts';

export interface ReconcileResult {
  /** Reconcile again after this delay (polling, schedule windows). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined>;
}

export interface ControllerOptions {
  workers?: number;
  rateLimiter?: RateLimiter;
  metrics?: OperatorMetrics;
  logger?: Logger;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #reconciler: Reconciler;
  readonly #workers: number;
  readonly #metrics: OperatorMetrics | undefined;
  readonly #log: Logger;
  #active = false;
  #sources: Array<() => void> = [];
  #running: Promise<void>[] = [];

  constructor(name: string, reconciler: Reconciler, options: ControllerOptions = {}) {
    this.name = name;
    this.#reconciler = reconciler;
    this.#workers = options.workers ?? 4;
    this.#metrics = options.metrics;
    this.#log = (options.logger ?? silentLogger).child({ controller: name });
    this.queue = new WorkQueue({
      rateLimiter: options.rateLimiter,
      metrics: options.metrics?.queueMetrics(name),
    });
  }

  /** The enqueue function for handlers; a no-op until the controller is started (leader). */
  readonly enqueue = (key: string): void => {
    if (this.#active) this.queue.add(key);
  };

  /**
   * An enqueue function that delays by `ms`, coalescing bursts: a key waiting or queued is not
   * added twice. For fan-in sources (many versions -> one MiniProgram summary).
   */
  enqueueAfter(ms: number): (key: string) => void {
    return (key) => {
      if (this.#active) this.queue.addAfter(key, ms);
    };
  }

  /** Registers a source; its handler is attached when the controller starts. */
  watch<T extends KubeObject>(
    informer: Informer<T>,
    handler: (enqueue: (key: string) => void) => EventHandler<T>,
    enqueue: (key: string) => void = this.enqueue,
  ): this {
    this.#sources.push(() => informer.addHandler(handler(enqueue)));
    return this;
  }

  start(signal: AbortSignal): void {
    if (this.#active) return;
    this.#active = true;
    for (const attach of this.#sources) attach();
    this.#metrics?.maxConcurrentReconciles.labels(this.name).set(this.#workers);
    for (let i = 0; i < this.#workers; i++) this.#running.push(this.#worker(signal));
    this.#log.info('controller started', { workers: this.#workers });
  }

  /** Stops taking keys and waits for in-flight reconciles. */
  async stop(): Promise<void> {
    this.#active = false;
    await this.queue.shutdown();
    await Promise.all(this.#running);
    this.#running = [];
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = performance.now();
      this.#metrics?.activeWorkers.labels(this.name).inc();
      let result = 'success';
      try {
        const r = await this.#reconciler.reconcile(key, signal);
        this.queue.forget(key);
        if (r?.requeueAfterMs !== undefined && r.requeueAfterMs >= 0) {
          result = 'requeue_after';
          this.queue.addAfter(key, r.requeueAfterMs);
        }
      } catch (e) {
        result = 'error';
        this.#metrics?.reconcileErrors.labels(this.name).inc();
        // A conflict only means the cache was behind the API server: retry quietly.
        (isConflict(e) ? this.#log.debug : this.#log.warn)('reconcile failed; retrying with backoff', {
          key,
          error: e,
          retries: this.queue.numRequeues(key),
        });
        this.queue.addRateLimited(key);
      } finally {
        const seconds = (performance.now() - started) / 1000;
        this.#metrics?.reconciles.labels(this.name, result).inc();
        this.#metrics?.reconcileDuration.labels(this.name).observe(seconds);
        this.#metrics?.workDuration.labels(this.name, this.name).observe(seconds);
        this.#metrics?.activeWorkers.labels(this.name).dec();
        this.queue.done(key);
      }
    }
  }
}
