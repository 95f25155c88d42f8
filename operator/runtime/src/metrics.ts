// Prometheus metrics, on a registry per manager so several managers (tests) do not collide.
// Names and labels are controller-runtime's (controller_runtime_*, workqueue_*, rest_client_*,
// leader_election_master_status), so dashboards and alerts written for Go operators work
// unchanged; what controller-runtime has no name for is prefixed tessera_operator_.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueMetrics } from './workqueue.ts';

// controller-runtime's reconcile-time buckets
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5,
  1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
// client-go's workqueue buckets (1 µs .. 10 s, ×10)
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
const REST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller, by result (success, error, requeue_after).',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller.',
    labelNames: ['controller'],
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  readonly maxConcurrentReconciles = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue.',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue.',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue.',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name', 'controller'],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name', 'controller'],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'tessera_operator_informer_restarts_total',
    help: 'Watch restarts by resource and reason (gone, error, stalled, closed).',
    labelNames: ['resource', 'reason'],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'tessera_operator_api_requests_total',
    help: 'Requests the operator sent to the API server, by verb and resource.',
    labelNames: ['verb', 'resource'],
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'rest_client_request_duration_seconds',
    help: 'Request latency in seconds, by HTTP verb (not watches).',
    labelNames: ['verb'],
    buckets: REST_BUCKETS,
    registers: [this.registry],
  });
  readonly rateLimiterWait = new Histogram({
    name: 'rest_client_rate_limiter_duration_seconds',
    help: 'Client-side rate limiter latency in seconds (TESSERA_CLIENT_QPS/BURST), by HTTP verb.',
    labelNames: ['verb'],
    buckets: REST_BUCKETS,
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'],
    registers: [this.registry],
  });

  /** Process metrics (RSS, heap, event-loop lag, GC) on this registry; once per process. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  queueMetrics(controller: string): QueueMetrics {
    const depth = this.queueDepth.labels(controller, controller);
    const adds = this.queueAdds.labels(controller, controller);
    const retries = this.queueRetries.labels(controller, controller);
    const latency = this.queueLatency.labels(controller, controller);
    return {
      depth: (n) => depth.set(n),
      added: () => adds.inc(),
      retried: () => retries.inc(),
      latency: (s) => latency.observe(s),
    };
  }
}
