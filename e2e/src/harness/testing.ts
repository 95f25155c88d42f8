/** Helpers for tests that run against the harness control plane. */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { tool } from './paths.ts';

const run = promisify(execFile);

/** Path of the admin kubeconfig of the harness (from the global setup). */
export function kubeconfigPath(): string {
  const path = process.env.TESSERA_KUBECONFIG ?? inject('kubeconfig');
  if (!path) throw new Error('no harness cluster: run this test in the e2e vitest project');
  return path;
}

export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

/** Creates a namespace unique to the calling test; delete it with the returned function. */
export async function createTestNamespace(
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const core = loadKubeConfig().makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { 'tessera.dev/test': 'true' } } } });
  return {
    name,
    remove: async () => {
      await core.deleteNamespace({ name }).catch(() => undefined);
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the harness kubectl against the harness cluster; never throws on a non-zero exit. */
export async function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  const bin = tool('kubectl');
  const child = run(bin, ['--kubeconfig', kubeconfigPath(), ...args], { maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
