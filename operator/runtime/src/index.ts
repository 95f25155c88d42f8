export { Applier, FIELD_MANAGER } from './apply.ts';
export { Backoff, type BackoffOptions, sleep } from './backoff.ts';
export { Cache, type IndexFunc } from './cache.ts';
export {
  type Condition,
  type ConditionInput,
  type ConditionStatus,
  findCondition,
  isTrue,
  removeCondition,
  rfc3339,
  setCondition,
  setConditions,
} from './conditions.ts';
export { Controller, type ControllerOptions, type ReconcileResult, type Reconciler } from './controller.ts';
export { isSubset, jsonEqual } from './equality.ts';
export { EventRecorder, type EventType } from './events.ts';
export { enqueueMapped, enqueueObject, enqueueOwner, generationChanged } from './handlers.ts';
export { serverPort, startHealthServer } from './health.ts';
export { type EventHandler, Informer, type InformerOptions } from './informer.ts';
export {
  type ClientRateLimit,
  DEFAULT_CLIENT_RATE_LIMIT,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  KubeApiError,
  KubeClient,
  type ListOptions,
  type WatchEvent,
} from './kube-client.ts';
export { type KubeConnection, KubeconfigError, loadKubeconfig } from './kubeconfig.ts';
export { type LeaderElectionOptions, LeaderElector } from './leader-election.ts';
export { createLogger, type Logger, type LogLevel, silentLogger } from './logger.ts';
export { Manager, type ManagerOptions } from './manager.ts';
export { OperatorMetrics } from './metrics.ts';
export { kubeScrapeAuthorizer, type ScrapeAuthorizer, type ScrapeVerdict } from './metrics-auth.ts';
export {
  controllerOf,
  type KubeObject,
  type ObjectMeta,
  type OwnerReference,
  objectKey,
  ownerReferenceTo,
  splitKey,
} from './object.ts';
export {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  type RateLimiter,
} from './rate-limiter.ts';
export * as resources from './resources.ts';
export { apiVersionOf, type ResourceType, resourceId } from './resources.ts';
export { StatusWriter } from './status.ts';
export { WorkQueue } from './workqueue.ts';
