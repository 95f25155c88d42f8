/**
 * Vitest global setup of the e2e project: one real control plane for the whole
 * run, shared by every test file (each file works in its own namespace).
 * Reuses a running cluster when TESSERA_KUBECONFIG is already set (e.g. after
 * `make cluster-up`), which keeps the edit-test loop fast.
 */
import type { TestProject } from 'vitest/node';
import { startCluster } from './cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.TESSERA_KUBECONFIG;
  if (existing) {
    project.provide('kubeconfig', existing);
    return undefined;
  }
  const started = Date.now();
  const cluster = await startCluster();
  console.log(
    `[harness] control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cluster.server}`,
  );
  process.env.TESSERA_KUBECONFIG = cluster.kubeconfigPath;
  project.provide('kubeconfig', cluster.kubeconfigPath);
  const stopOnSignal = () => {
    void cluster.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  return async () => {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await cluster.stop();
  };
}
