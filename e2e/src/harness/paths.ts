import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository checkout. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where generated CRD YAML lives. */
export const CRD_DIR = join(REPO_ROOT, 'crds', 'manifests');

/** Local state of harness clusters started by `make cluster-up`, the demo and tests. */
export const STATE_DIR = process.env.TESSERA_STATE_DIR ?? join(REPO_ROOT, '.tessera');

/**
 * Directory with etcd, kube-apiserver, kube-controller-manager, kubectl and helm.
 * TESSERA_TOOLS_DIR points at already-installed binaries (e.g. release downloads);
 * otherwise `make tools` builds them into bin/.
 */
export function toolsDir(): string {
  return process.env.TESSERA_TOOLS_DIR ?? join(REPO_ROOT, 'bin');
}

export function tool(
  name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kubectl' | 'helm',
): string {
  const path = join(toolsDir(), name);
  if (!existsSync(path)) {
    throw new Error(
      `${name} not found at ${path}. Run \`make tools\` to build it, or set TESSERA_TOOLS_DIR to a directory that has it.`,
    );
  }
  return path;
}
