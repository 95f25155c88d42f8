import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Container, V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { kubeconfigPath } from '../../src/harness/testing.ts';
import { type PodRunner, startPodRunner } from '../../src/podrunner/index.ts';

export const TEST_IMAGE = 'tessera-test/script:1';
export const SCRIPT = fileURLToPath(new URL('./fixtures/container.ts', import.meta.url));

export async function startTestRunner(namespace: string): Promise<PodRunner & { workDir: string }> {
  const workDir = join(tmpdir(), 'tessera-podrunner-tests');
  const runner = await startPodRunner({
    kubeconfig: kubeconfigPath(),
    nodeName: `podrunner-${randomBytes(3).toString('hex')}`,
    workDir,
    imageMap: [{ image: 'tessera-test/script*', command: [process.execPath, SCRIPT] }],
    // only this test's namespace: other tests share the cluster and may run their own runner
    bind: { namespaces: [namespace] },
    restartBackoffMs: 200,
    setupRetryMs: 300,
  });
  return Object.assign(runner, { workDir });
}

export function container(env: Record<string, string>, extra: Partial<V1Container> = {}): V1Container {
  return {
    name: 'main',
    image: TEST_IMAGE,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    ...extra,
  };
}

export function job(name: string, spec: Partial<V1PodSpec>, jobSpec: Partial<V1Job['spec']> = {}): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...jobSpec,
      template: { spec: { restartPolicy: 'Never', containers: [], ...spec } },
    },
  };
}

export function pod(name: string, spec: Partial<V1PodSpec>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { restartPolicy: 'Never', containers: [], terminationGracePeriodSeconds: 5, ...spec },
  };
}

/** Polls `probe` until it returns a value other than undefined. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
