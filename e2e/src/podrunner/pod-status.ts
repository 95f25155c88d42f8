// Builds the pod status the kubelet would report, as a strategic-merge patch: conditions merge by
// type (so conditions other writers add, such as DisruptionTarget, survive) and container
// statuses by name; the container state keys the runner does not use are set to null so a
// `running` state replaces a `waiting` one instead of merging with it.
import { POD_IP } from './fields.ts';

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        signal?: number;
        reason: string;
        message?: string;
        startedAt?: string;
        finishedAt: string;
        containerID?: string;
      };
    };

export interface ContainerStatusInput {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: ContainerState | undefined;
  restartCount: number;
  containerID?: string | undefined;
}

export interface PodStatusInput {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  startTime: string;
  reason?: string | undefined;
  message?: string | undefined;
  /** Volumes and environment are in place (PodReadyToStartContainers). */
  sandboxReady: boolean;
  containers: ContainerStatusInput[];
}

export const nowRfc3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const stateForPatch = (state: ContainerState | undefined) => ({
  waiting: null,
  running: null,
  terminated: null,
  ...state,
});

const condition = (type: string, ok: boolean, reason?: string) => ({
  type,
  status: ok ? 'True' : 'False',
  ...(reason ? { reason } : { reason: null }),
  lastProbeTime: null,
});

export function podStatusPatch(input: PodStatusInput, transitions: Map<string, string>) {
  const running = input.containers.every((c) => 'running' in c.state);
  const terminal = input.phase === 'Succeeded' || input.phase === 'Failed';
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const conditions = [
    condition('PodReadyToStartContainers', input.sandboxReady && !terminal),
    condition('Initialized', true, terminal ? 'PodCompleted' : undefined),
    condition('ContainersReady', running, running ? undefined : notReadyReason),
    condition('Ready', running, running ? undefined : notReadyReason),
  ].map((c) => {
    // lastTransitionTime only moves when the status flips
    const key = `${c.type}=${c.status}`;
    let at = transitions.get(key);
    if (!at) {
      at = nowRfc3339();
      transitions.delete(`${c.type}=${c.status === 'True' ? 'False' : 'True'}`);
      transitions.set(key, at);
    }
    return { ...c, lastTransitionTime: at };
  });
  return {
    status: {
      phase: input.phase,
      reason: input.reason ?? null,
      message: input.message ?? null,
      hostIP: POD_IP,
      hostIPs: [{ ip: POD_IP }],
      podIP: POD_IP,
      podIPs: [{ ip: POD_IP }],
      startTime: input.startTime,
      conditions,
      containerStatuses: input.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `podrunner://${c.image}`,
        containerID: c.containerID ?? null,
        ready: 'running' in c.state,
        started: 'running' in c.state,
        restartCount: c.restartCount,
        state: stateForPatch(c.state),
        lastState: stateForPatch(c.lastState),
      })),
    },
  };
}
