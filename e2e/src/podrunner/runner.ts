// The local pod runner: registers a Node, binds unscheduled pods to it (there is no
// kube-scheduler in the harness), and runs the pods bound to it through PodWorker.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ImageMap } from './image-map.ts';
import { DEFAULT_IMAGE_MAP } from './image-map.ts';
import { isConflict, isNotFound, KubeRest } from './kube-rest.ts';
import { startLogServer } from './log-server.ts';
import { deleteNode, type NodeOptions, nodeLabels, registerNode, startHeartbeat } from './node.ts';
import { isTerminalPhase, type Pod, PodSchema } from './pod-schema.ts';
import { PodWorker } from './pod-worker.ts';

export interface BindOptions {
  /** Bind unscheduled pods with one of these schedulerNames. Default ['default-scheduler']. */
  schedulerNames?: string[];
  /** Only bind pods in these namespaces (default: all). Keeps a shared cluster's other pods alone. */
  namespaces?: string[];
  /** Only bind pods whose labels include all of these. */
  matchLabels?: Record<string, string>;
  /** Bind nothing; only run pods whose spec.nodeName already names this node. */
  disabled?: boolean;
}

export interface PodRunnerOptions {
  /** Path of a kubeconfig, or a loaded KubeConfig. */
  kubeconfig: string | KubeConfig;
  nodeName: string;
  /** Image → command table; default DEFAULT_IMAGE_MAP (the compiler image). */
  imageMap?: ImageMap;
  /** Where the runner creates its own directory of pod directories (removed again by stop()). */
  workDir: string;
  bind?: BindOptions;
  nodeLabels?: Record<string, string>;
  /** Delete the Node (and its Lease) on stop. Default true. */
  deleteNodeOnStop?: boolean;
  restartBackoffMs?: number;
  setupRetryMs?: number;
  /** Full relist interval, a safety net under the watch. Default 10 s. */
  resyncMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface PodRunner {
  nodeName: string;
  stop(): Promise<void>;
}

interface PodList {
  metadata?: { resourceVersion?: string };
  items?: unknown[];
}

export async function startPodRunner(options: PodRunnerOptions): Promise<PodRunner> {
  const kc = typeof options.kubeconfig === 'string' ? loadKubeConfig(options.kubeconfig) : options.kubeconfig;
  const rest = new KubeRest(kc);
  const log = options.log ?? (() => {});
  const nodeOptions: NodeOptions = { nodeName: options.nodeName, labels: options.nodeLabels ?? {} };
  const labels = nodeLabels(nodeOptions);
  const bind = options.bind ?? {};
  const schedulerNames = new Set(bind.schedulerNames ?? ['default-scheduler']);
  const namespaces = bind.namespaces ? new Set(bind.namespaces) : undefined;
  // a directory of its own under workDir, so stop() never removes anything it did not create
  await mkdir(options.workDir, { recursive: true });
  const root = await mkdtemp(join(options.workDir, `${options.nodeName}-`));
  const workers = new Map<string, PodWorker>();
  const logServer = await startLogServer(root, (namespace, name, container) => {
    for (const w of workers.values())
      if (w.namespace === namespace && w.name === name) return w.logTarget(container);
    return undefined;
  }).catch(async (error: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw error;
  });
  nodeOptions.kubeletPort = logServer.port;
  try {
    await registerNode(rest, nodeOptions);
  } catch (error) {
    await logServer.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const stopHeartbeat = startHeartbeat(rest, nodeOptions, (e) =>
    log('heartbeat failed', { error: String(e) }),
  );

  const ctx = {
    rest,
    nodeName: options.nodeName,
    imageMap: options.imageMap ?? DEFAULT_IMAGE_MAP,
    workDir: root,
    restartBackoffMs: options.restartBackoffMs ?? 10_000,
    setupRetryMs: options.setupRetryMs ?? 2_000,
    log,
  };
  const binding = new Set<string>();
  let stopped = false;

  const wantsBinding = (pod: Pod): boolean => {
    if (bind.disabled || pod.spec.nodeName || pod.metadata.deletionTimestamp) return false;
    if (isTerminalPhase(pod.status?.phase)) return false;
    if (!schedulerNames.has(pod.spec.schedulerName ?? 'default-scheduler')) return false;
    if (namespaces && !namespaces.has(pod.metadata.namespace)) return false;
    for (const [k, v] of Object.entries(bind.matchLabels ?? {}))
      if (pod.metadata.labels?.[k] !== v) return false;
    for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
    return true;
  };

  const bindPod = async (pod: Pod) => {
    const { namespace, name, uid } = pod.metadata;
    if (binding.has(uid)) return;
    binding.add(uid);
    try {
      await rest.post(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`,
        {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid },
          target: { apiVersion: 'v1', kind: 'Node', name: options.nodeName },
        },
      );
      log('pod bound', { pod: `${namespace}/${name}` });
    } catch (error) {
      // conflict: another scheduler (or runner) bound it first; not found: it is gone
      if (!isConflict(error) && !isNotFound(error)) {
        log('binding failed', { pod: `${namespace}/${name}`, error: String(error) });
        binding.delete(uid);
      }
    }
  };

  const finalizeDeletion = async (pod: Pod) => {
    await rest
      .delete(
        `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`,
        {
          kind: 'DeleteOptions',
          apiVersion: 'v1',
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        },
      )
      .catch(() => undefined);
  };

  const observe = (raw: unknown) => {
    const parsed = PodSchema.safeParse(raw);
    if (!parsed.success) {
      log('ignoring a pod the runner cannot read', { issue: parsed.error.issues[0]?.message });
      return;
    }
    const pod = parsed.data;
    if (wantsBinding(pod)) {
      void bindPod(pod);
      return;
    }
    if (pod.spec.nodeName !== options.nodeName) return;
    const existing = workers.get(pod.metadata.uid);
    if (existing) {
      existing.update(pod);
      return;
    }
    if (isTerminalPhase(pod.status?.phase)) {
      // finished before this runner started (or after a restart): only deletion is left to do
      if (pod.metadata.deletionTimestamp) void finalizeDeletion(pod);
      return;
    }
    const worker = new PodWorker(ctx, pod);
    workers.set(pod.metadata.uid, worker);
    worker.start();
    if (pod.metadata.deletionTimestamp) worker.update(pod);
  };

  const forget = (uid: string) => {
    binding.delete(uid);
    const worker = workers.get(uid);
    if (!worker) return;
    workers.delete(uid);
    void worker.gone();
  };

  // List, then watch from the list's resourceVersion; any end of the watch (timeout, error, 410
  // Gone) relists. A periodic relist catches anything a silently stalled watch missed.
  let currentWatch: { abort(): void } | undefined;
  const listAndWatch = async () => {
    while (!stopped) {
      try {
        const list = await rest.get<PodList>('/api/v1/pods');
        const seen = new Set<string>();
        for (const item of list.items ?? []) {
          const uid = (item as { metadata?: { uid?: string } }).metadata?.uid;
          if (uid) seen.add(uid);
          observe(item);
        }
        for (const uid of [...workers.keys()]) if (!seen.has(uid)) forget(uid);
        const rv = list.metadata?.resourceVersion ?? '';
        const watch = await rest.watch(
          `/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=${Math.max(1, Math.round((options.resyncMs ?? 10_000) / 1000))}&resourceVersion=${encodeURIComponent(rv)}`,
          (type, object) => {
            if (type === 'ADDED' || type === 'MODIFIED') observe(object);
            else if (type === 'DELETED') {
              const uid = (object as { metadata?: { uid?: string } } | undefined)?.metadata?.uid;
              if (uid) forget(uid);
            }
          },
        );
        currentWatch = watch;
        await watch.done;
      } catch (error) {
        if (stopped) return;
        log('pod list/watch failed; retrying', { error: String(error) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const loop = listAndWatch();

  return {
    nodeName: options.nodeName,
    async stop() {
      stopped = true;
      currentWatch?.abort();
      await loop;
      stopHeartbeat();
      await logServer.close();
      await Promise.all([...workers.values()].map((w) => w.shutdown()));
      workers.clear();
      if (options.deleteNodeOnStop !== false) await deleteNode(rest, options.nodeName);
      await rm(root, { recursive: true, force: true });
    },
  };
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
