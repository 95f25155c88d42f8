// The manager owns the client, shared informers, controllers, leader election, the health and
// metrics server, and orderly shutdown: stop taking work, finish in-flight reconciles, release
// the lease, stop watches.
import type { Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { Applier, FIELD_MANAGER } from './apply.ts';
import type { Controller } from './controller.ts';
import { EventRecorder } from './events.ts';
import { startHealthServer } from './health.ts';
import { Informer, type InformerOptions } from './informer.ts';
import { type ClientRateLimit, DEFAULT_CLIENT_RATE_LIMIT, KubeClient } from './kube-client.ts';
import { LeaderElector } from './leader-election.ts';
import { createLogger, type Logger } from './logger.ts';
import { OperatorMetrics } from './metrics.ts';
import { kubeScrapeAuthorizer } from './metrics-auth.ts';
import type { KubeObject } from './object.ts';
import { type ResourceType, resourceId } from './resources.ts';
import { StatusWriter } from './status.ts';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  component?: string;
  fieldManager?: string;
  /**
   * host:port for /healthz, /readyz, /metrics; undefined = no server. Port 0 picks one.
   * `authenticateMetrics`: /metrics only for bearer tokens allowed to get it (TokenReview +
   * SubjectAccessReview), as controller-runtime's secure metrics serving.
   */
  health?: { host: string; port: number; authenticateMetrics?: boolean };
  leaderElection?: {
    namespace: string;
    name: string;
    identity: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /**
   * Client-side QPS/burst for the controllers' requests (false: none). Events and the leader
   * Lease get their own budget of the same size, as client-go's separate clients do, so a flood
   * of reconciles never delays a lease renewal.
   */
  clientRateLimit?: ClientRateLimit | false;
  /** Default informer options (resync, watch timeouts) applied to every informer. */
  informerDefaults?: Pick<
    InformerOptions<KubeObject>,
    'resyncMs' | 'watchTimeoutSeconds' | 'stallGraceMs' | 'backoff'
  >;
}

export class Manager {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics = new OperatorMetrics();
  readonly applier: Applier;
  readonly status: StatusWriter;
  readonly events: EventRecorder;
  readonly #o: ManagerOptions;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #controllers: Controller[] = [];
  readonly #elector: LeaderElector | undefined;
  readonly #stop = new AbortController();
  #server: Server | undefined;
  #controllersRunning = false;
  #stopped: Promise<void> | undefined;
  #leadershipLost: (() => void) | undefined;
  #electionDone: Promise<void> | undefined;
  /** leader_election_master_status for this manager's lease (the component name without one) */
  get #leaderGauge() {
    return this.metrics.isLeader.labels(
      this.#o.leaderElection?.name ?? this.#o.component ?? 'tessera-operator',
    );
  }

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.log = options.logger ?? createLogger();
    const rateLimit =
      options.clientRateLimit === false ? undefined : (options.clientRateLimit ?? DEFAULT_CLIENT_RATE_LIMIT);
    const newClient = () => {
      const client = new KubeClient(options.kubeConfig, { rateLimit });
      client.onRequest((verb, resource) => this.metrics.apiRequests.labels(verb, resource).inc());
      client.onLatency((method, waited, seconds) => {
        this.metrics.apiLatency.labels(method).observe(seconds);
        this.metrics.rateLimiterWait.labels(method).observe(waited);
      });
      return client;
    };
    this.client = newClient();
    const component = options.component ?? 'tessera-operator';
    this.applier = new Applier(this.client, options.fieldManager ?? FIELD_MANAGER);
    this.status = new StatusWriter(this.client);
    this.events = new EventRecorder(newClient(), component, this.log);
    if (options.leaderElection) {
      this.#elector = new LeaderElector(newClient(), this.log, options.leaderElection);
      this.#leaderGauge.set(0);
    }
  }

  get server(): Server | undefined {
    return this.#server;
  }

  get leading(): boolean {
    return this.#elector ? this.#elector.leading : this.#controllersRunning;
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** A shared informer per resource + namespace + selectors. Call before start(). */
  informer<T extends KubeObject>(resource: ResourceType, options: InformerOptions<T> = {}): Informer<T> {
    const id = [
      resourceId(resource),
      options.namespace ?? '',
      options.labelSelector ?? '',
      options.fieldSelector ?? '',
      options.metadataOnly ? 'metadata' : '',
    ].join('|');
    const existing = this.#informers.get(id);
    if (existing) return existing as unknown as Informer<T>;
    const informer = new Informer<T>(this.client, resource, {
      ...this.#o.informerDefaults,
      logger: this.log,
      onRestart: (reason) => this.metrics.informerRestarts.labels(resourceId(resource), reason).inc(),
      ...options,
    });
    this.#informers.set(id, informer as unknown as Informer<KubeObject>);
    return informer;
  }

  add(controller: Controller): void {
    this.#controllers.push(controller);
  }

  synced(): boolean {
    for (const i of this.#informers.values()) if (!i.hasSynced()) return false;
    return true;
  }

  /**
   * Starts informers and the health server, waits for caches, then runs controllers (after
   * winning the election when configured). `onLostLeadership` is called if leadership is lost;
   * the process should exit then, as controller-runtime does.
   */
  async start(onLostLeadership?: () => void): Promise<void> {
    this.#leadershipLost = onLostLeadership;
    if (this.#o.health) {
      this.#server = await startHealthServer(this.#o.health.host, this.#o.health.port, {
        live: () => !this.#stop.signal.aborted,
        ready: () => this.synced(),
        registry: this.metrics.registry,
        ...(this.#o.health.authenticateMetrics ? { authorizeScrape: kubeScrapeAuthorizer(this.client) } : {}),
      });
    }
    for (const i of this.#informers.values()) i.start();
    await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(this.#stop.signal)));
    if (this.#stop.signal.aborted) return;
    this.log.info('caches synced', { informers: this.#informers.size });
    if (!this.#elector) {
      this.#startControllers(this.#stop.signal);
      return;
    }
    this.#electionDone = this.#elector.run(
      this.#stop.signal,
      (leadership) => this.#startControllers(leadership),
      () => {
        this.#leaderGauge.set(0);
        void this.#stopControllers().then(() => this.#leadershipLost?.());
      },
    );
  }

  #startControllers(signal: AbortSignal): void {
    this.#leaderGauge.set(1);
    this.#controllersRunning = true;
    for (const c of this.#controllers) c.start(signal);
  }

  async #stopControllers(): Promise<void> {
    if (!this.#controllersRunning) return;
    this.#controllersRunning = false;
    await Promise.all(this.#controllers.map((c) => c.stop()));
  }

  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.log.info('shutting down');
      await this.#stopControllers();
      this.#stop.abort();
      await this.#electionDone;
      await this.#elector?.release();
      await Promise.all([...this.#informers.values()].map((i) => i.stop()));
      if (this.#server) await new Promise<void>((r) => this.#server?.close(() => r()));
      this.#leaderGauge.set(0);
      this.log.info('stopped');
    })();
    return this.#stopped;
  }
}
