// The Kubernetes client on its own, for short-lived programs (the CLI) that must not load the
// controller runtime (metrics, informers) or the generated client-node API.
export {
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  KubeApiError,
  KubeClient,
  type ListOptions,
  type ListResult,
  type WatchEvent,
  type WatchOptions,
} from './kube-client.ts';
export {
  type KubeAuth,
  type KubeConnection,
  KubeconfigError,
  type KubeconfigOptions,
  kubeconfigContexts,
  loadKubeconfig,
} from './kubeconfig.ts';
export type { KubeObject } from './object.ts';
export { apiVersionOf, type ResourceType } from './resources.ts';
