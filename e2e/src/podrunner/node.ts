// The Node object the pod runner stands for, and its heartbeat: a Lease in kube-node-lease renewed
// every `leaseSeconds / 4`, and the Ready condition's lastHeartbeatTime refreshed less often, as
// the kubelet does.
import { availableParallelism, totalmem } from 'node:os';
import { POD_IP } from './fields.ts';
import { isConflict, isNotFound, type KubeRest } from './kube-rest.ts';

export const NODE_LABEL = 'tessera.dev/pod-runner';
const LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeOptions {
  nodeName: string;
  labels?: Record<string, string>;
  maxPods?: number;
  leaseSeconds?: number;
  /** Port of the log server (status.daemonEndpoints.kubeletEndpoint), for `kubectl logs`. */
  kubeletPort?: number;
}

const now = () => new Date().toISOString();
const microNow = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function nodeLabels(options: NodeOptions): Record<string, string> {
  return {
    'kubernetes.io/hostname': options.nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
    [NODE_LABEL]: 'true',
    ...options.labels,
  };
}

function nodeStatus(options: NodeOptions) {
  const capacity = {
    cpu: String(availableParallelism()),
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: String(options.maxPods ?? 110),
    'ephemeral-storage': '100Gi',
  };
  const at = now();
  return {
    capacity,
    allocatable: capacity,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'tessera local pod runner is posting ready status',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
    ],
    // InternalIP only: the API server tries Hostname first and the node name does not resolve
    addresses: [{ type: 'InternalIP', address: POD_IP }],
    ...(options.kubeletPort ? { daemonEndpoints: { kubeletEndpoint: { Port: options.kubeletPort } } } : {}),
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'tessera local pod runner',
      containerRuntimeVersion: 'podrunner://0.1.0',
      kubeletVersion: 'v0.0.0-podrunner',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
}

/** Creates (or takes over) the Node and writes its Ready status. */
export async function registerNode(rest: KubeRest, options: NodeOptions): Promise<void> {
  const path = `/api/v1/nodes/${encodeURIComponent(options.nodeName)}`;
  const labels = nodeLabels(options);
  try {
    await rest.post('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: options.nodeName, labels },
      spec: {},
    });
  } catch (error) {
    if (!isConflict(error)) throw error;
    await rest.patch(path, { metadata: { labels }, spec: { unschedulable: false } });
  }
  await rest.patch(`${path}/status`, { status: nodeStatus(options) });
}

async function renewLease(rest: KubeRest, options: NodeOptions, nodeUid: string | undefined) {
  const base = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
  const spec = {
    holderIdentity: options.nodeName,
    leaseDurationSeconds: options.leaseSeconds ?? 40,
    renewTime: microNow(),
  };
  try {
    await rest.patch(`${base}/${encodeURIComponent(options.nodeName)}`, { spec });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await rest.post(base, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: options.nodeName,
        namespace: LEASE_NAMESPACE,
        ...(nodeUid
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: options.nodeName, uid: nodeUid }] }
          : {}),
      },
      spec,
    });
  }
}

/** Starts the heartbeat; returns a function that stops it. Errors are reported, never thrown. */
export function startHeartbeat(
  rest: KubeRest,
  options: NodeOptions,
  onError: (error: unknown) => void,
): () => void {
  const leaseSeconds = options.leaseSeconds ?? 40;
  let beats = 0;
  let nodeUid: string | undefined;
  const beat = async () => {
    try {
      if (!nodeUid) {
        const node = (await rest.get(`/api/v1/nodes/${encodeURIComponent(options.nodeName)}`)) as {
          metadata?: { uid?: string };
        };
        nodeUid = node.metadata?.uid;
      }
      await renewLease(rest, options, nodeUid);
      // the node status itself every fourth beat, like the kubelet's nodeStatusReportFrequency
      if (beats++ % 4 === 3)
        await rest.patch(`/api/v1/nodes/${encodeURIComponent(options.nodeName)}/status`, {
          status: { conditions: nodeStatus(options).conditions },
        });
    } catch (error) {
      onError(error);
    }
  };
  void beat();
  const timer = setInterval(beat, (leaseSeconds * 1000) / 4);
  timer.unref();
  return () => clearInterval(timer);
}

export async function deleteNode(rest: KubeRest, nodeName: string): Promise<void> {
  await rest.delete(`/api/v1/nodes/${encodeURIComponent(nodeName)}`).catch(() => undefined);
  await rest
    .delete(
      `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${encodeURIComponent(nodeName)}`,
    )
    .catch(() => undefined);
}
