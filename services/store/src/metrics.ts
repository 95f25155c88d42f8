import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface StoreMetrics {
  registry: Registry;
  duration: Histogram<'route' | 'method' | 'status'>;
  releaseRejected: Counter;
  releaseDocs: Gauge;
}

export function createMetrics(defaults = true): StoreMetrics {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: 'tessera_store_' });
  return {
    registry,
    duration: new Histogram({
      name: 'tessera_store_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    releaseRejected: new Counter({
      name: 'tessera_store_release_configmaps_rejected_total',
      help: 'Release ConfigMaps refused (bad signature, schema, unknown key)',
      registers: [registry],
    }),
    releaseDocs: new Gauge({
      name: 'tessera_store_release_documents',
      help: 'Release documents loaded',
      registers: [registry],
    }),
  };
}
