// Prometheus metrics, on a registry per manager so several managers (tests) do not collide.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueMetrics } from './workqueue.ts';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'tessera_operator_reconcile_total',
    help: 'Reconciles by controller and result (success, error, requeue, requeue_after).',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'tessera_operator_reconcile_duration_seconds',
    help: 'Time spent in one reconcile, by controller.',
    labelNames: ['controller'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'tessera_operator_workqueue_depth',
    help: 'Keys waiting in the work queue, by controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: 'tessera_operator_workqueue_adds_total',
    help: 'Keys added to the work queue, by controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: 'tessera_operator_workqueue_retries_total',
    help: 'Rate-limited re-adds after an error, by controller.',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: 'tessera_operator_workqueue_queue_duration_seconds',
    help: 'Time a key waits in the queue before a worker takes it.',
    labelNames: ['controller'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30],
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
    name: 'tessera_operator_api_request_duration_seconds',
    help: 'Round trip of API requests (not watches), by HTTP method.',
    labelNames: ['method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rateLimiterWait = new Histogram({
    name: 'tessera_operator_client_rate_limiter_duration_seconds',
    help: 'Time API requests waited for the client-side rate limiter (TESSERA_CLIENT_QPS/BURST).',
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10],
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({
    name: 'tessera_operator_leader',
    help: '1 while this process holds the leader lease.',
    registers: [this.registry],
  });

  /** Process metrics (RSS, heap, event-loop lag, GC) on this registry; once per process. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  queueMetrics(controller: string): QueueMetrics {
    const depth = this.queueDepth.labels(controller);
    const adds = this.queueAdds.labels(controller);
    const retries = this.queueRetries.labels(controller);
    const latency = this.queueLatency.labels(controller);
    return {
      depth: (n) => depth.set(n),
      added: () => adds.inc(),
      retried: () => retries.inc(),
      latency: (s) => latency.observe(s),
    };
  }
}
