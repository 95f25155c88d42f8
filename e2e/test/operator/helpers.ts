// Shared helpers for the operator tests: an in-process operator scoped to one test run by a
// label selector (so parallel test files and other teams' objects never interfere), a client
// for assertions, polling, and Job completion simulated by writing the Pod status the way a
// kubelet would (the real Job controller then marks the Job complete).
import { randomBytes } from 'node:crypto';
import { KubeClient, type KubeObject, resources, silentLogger } from '@tessera/controller-runtime';
import { loadKubeConfig } from '@tessera/e2e/harness/testing';
import { createOperator, type Operator, type OperatorOptions } from '@tessera/operator';

export const API = 'tessera.dev/v1alpha1';
export const RUN_LABEL = 'tessera.dev/test-run';

export function runId(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function client(): KubeClient {
  return new KubeClient(loadKubeConfig());
}

export function startOperator(run: string, options: Partial<OperatorOptions> = {}): Operator {
  const op = createOperator({
    kubeConfig: loadKubeConfig(),
    logger: silentLogger,
    storeUrl: 'http://127.0.0.1:9/store',
    // no store here: what status claims is trusted (the hostile probes check the evidence)
    artifacts: 'trust-status',
    selector: `${RUN_LABEL}=${run}`,
    workers: 4,
    ...options,
  });
  return op;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sha = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

export function artifact(seed = 'a') {
  return {
    digest: sha(seed),
    plaintextDigest: sha('b'),
    sourceDigest: sha('c'),
    size: 1234,
    keyId: 'k1',
    signature: 'c2lnbmF0dXJl',
    compilerVersion: '0.1.0',
    pages: ['pages/index/index'],
  };
}

export function tenant(name: string, run: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: API,
    kind: 'Tenant',
    metadata: { name, labels: { [RUN_LABEL]: run } },
    spec: { displayName: name, namespace: name, ...spec },
  };
}

export function miniProgram(ns: string, name: string, run: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: API,
    kind: 'MiniProgram',
    metadata: { name, namespace: ns, labels: { [RUN_LABEL]: run } },
    spec: { appId: `app-${name}`, displayName: name, ...spec },
  };
}

export function version(ns: string, mp: string, v: string, run: string) {
  return {
    apiVersion: API,
    kind: 'MiniProgramVersion',
    metadata: { name: `${mp}-${v.replace(/\./g, '-')}`, namespace: ns, labels: { [RUN_LABEL]: run } },
    // an upload source: only the compile Job reads it (a configMap source must exist first)
    spec: { miniProgram: mp, version: v, source: { upload: { digest: `sha256:${'a'.repeat(64)}` } } },
  };
}

export const R = {
  tenants: {
    group: 'tessera.dev',
    version: 'v1alpha1',
    kind: 'Tenant',
    plural: 'tenants',
    namespaced: false,
  },
  miniPrograms: {
    group: 'tessera.dev',
    version: 'v1alpha1',
    kind: 'MiniProgram',
    plural: 'miniprograms',
    namespaced: true,
  },
  versions: {
    group: 'tessera.dev',
    version: 'v1alpha1',
    kind: 'MiniProgramVersion',
    plural: 'miniprogramversions',
    namespaced: true,
  },
  hostApps: {
    group: 'tessera.dev',
    version: 'v1alpha1',
    kind: 'HostApp',
    plural: 'hostapps',
    namespaced: true,
  },
  grayRules: {
    group: 'tessera.dev',
    version: 'v1alpha1',
    kind: 'GrayRule',
    plural: 'grayrules',
    namespaced: true,
  },
  ...resources,
};

export type Obj = KubeObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & {
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
};

export function condition(o: Obj | undefined, type: string) {
  return o?.status?.conditions?.find((c) => c.type === type);
}

/**
 * Plays kubelet for one compile pod: waits for the Job controller to create it, then writes a
 * terminated container with `message` as its termination message and the pod phase.
 */
export async function finishCompilePod(
  kube: KubeClient,
  ns: string,
  jobName: string,
  message: string,
  succeeded = true,
): Promise<void> {
  const pod = await waitFor(`pod of Job ${jobName}`, async () => {
    const list = await kube.list<KubeObject>(resources.Pods, {
      namespace: ns,
      labelSelector: `job-name=${jobName}`,
    });
    return list.items[0];
  });
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  const status = {
    phase: succeeded ? 'Succeeded' : 'Failed',
    startTime: now,
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }],
    containerStatuses: [
      {
        name: 'compile',
        image: 'tessera/compiler',
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: {
          terminated: {
            exitCode: succeeded ? 0 : 2,
            reason: succeeded ? 'Completed' : 'Error',
            message,
            startedAt: now,
            finishedAt: now,
          },
        },
      },
    ],
  };
  await kube.patch(resources.Pods, ns, pod.metadata?.name ?? '', { status }, 'merge', 'status');
}

export async function deleteTenant(kube: KubeClient, name: string): Promise<void> {
  await kube.delete(R.tenants, undefined, name).catch(() => undefined);
}
