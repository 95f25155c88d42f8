// Wires the informers and the five controllers into a Manager.
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClientRateLimit, InformerOptions, KubeObject, Logger } from '@tessera/controller-runtime';
import { Controller, Manager } from '@tessera/controller-runtime';
import { ArtifactEvidence, type ArtifactReader } from './controllers/artifact-evidence.ts';
import { createInformers, type Informers } from './controllers/context.ts';
import { GrayRuleReconciler } from './controllers/grayrule.ts';
import { HostAppReconciler } from './controllers/hostapp.ts';
import { MiniProgramReconciler } from './controllers/miniprogram.ts';
import { MiniProgramVersionReconciler } from './controllers/miniprogramversion.ts';
import { type TenantExternalState, TenantReconciler } from './controllers/tenant.ts';

export const DEFAULT_WORKERS = 64;

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** Unique per process (pod name in a cluster). */
  identity?: string;
  /** Lease for leader election; undefined disables election (single replica, tests). */
  leaderElection?: {
    namespace: string;
    name?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** Base URL of the store, handed to compile Jobs. */
  storeUrl: string;
  /**
   * Where the operator reads artifacts to check that what status claims is what it releases
   * (storeArtifactReader in a cluster). 'trust-status' skips the check: only for tests that run
   * without a store and never for a real install.
   */
  artifacts: ArtifactReader | 'trust-status';
  compilerImage?: string;
  /**
   * Concurrent reconciles per controller (controller-runtime's MaxConcurrentReconciles). A
   * reconcile mostly waits on one or two API round trips and a worker is only a pending promise;
   * what protects the API server is the client-side QPS/burst, not this. Measured on a loaded
   * 2-core harness (e2e/bench/operator): 1,000 new versions left their last Job 26 s behind the
   * last create with 16 workers (keys waited 15 s in the queue on average) and 7.5 s with 64.
   */
  workers?: number;
  /** Client-side QPS/burst (see ManagerOptions.clientRateLimit); default 200/400. */
  clientRateLimit?: ClientRateLimit | false;
  health?: { host: string; port: number; authenticateMetrics?: boolean };
  /** Only reconcile tessera.dev objects matching this label selector (sharding, tests). */
  selector?: string;
  informer?: Pick<
    InformerOptions<KubeObject>,
    'resyncMs' | 'watchTimeoutSeconds' | 'stallGraceMs' | 'backoff'
  >;
  external?: TenantExternalState;
}

export interface Operator {
  manager: Manager;
  informers: Informers;
  controllers: Controller[];
  start(onLostLeadership?: () => void): Promise<void>;
  stop(): Promise<void>;
}

export function createOperator(o: OperatorOptions): Operator {
  const identity = o.identity ?? `tessera-operator-${randomBytes(4).toString('hex')}`;
  const manager = new Manager({
    kubeConfig: o.kubeConfig,
    logger: o.logger,
    health: o.health,
    informerDefaults: o.informer,
    clientRateLimit: o.clientRateLimit,
    leaderElection: o.leaderElection
      ? { ...o.leaderElection, name: o.leaderElection.name ?? 'tessera-operator', identity }
      : undefined,
  });
  const informers = createInformers(manager, o.selector);
  const workers = o.workers ?? DEFAULT_WORKERS;
  const evidence = o.artifacts === 'trust-status' ? null : new ArtifactEvidence(o.artifacts);
  const make = (
    name: string,
    r: { register(c: Controller): Controller } & ConstructorParameters<typeof Controller>[1],
  ) => {
    const c = new Controller(name, r, { workers, metrics: manager.metrics, logger: manager.log });
    r.register(c);
    manager.add(c);
    return c;
  };
  const controllers = [
    make('tenant', new TenantReconciler(manager, informers, o.external)),
    make(
      'miniprogramversion',
      new MiniProgramVersionReconciler(
        manager,
        informers,
        { storeUrl: o.storeUrl, image: o.compilerImage },
        evidence,
      ),
    ),
    make('miniprogram', new MiniProgramReconciler(manager, informers, evidence)),
    make('grayrule', new GrayRuleReconciler(manager, informers)),
    make('hostapp', new HostAppReconciler(manager, informers, evidence)),
  ];
  return {
    manager,
    informers,
    controllers,
    start: (onLost) => manager.start(onLost),
    stop: () => manager.stop(),
  };
}
