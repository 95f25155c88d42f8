// What `__complete` looks up in the cluster: mini-programs, versions and namespaces, through the
// user's kubeconfig and the flags already typed. Bounded in time; any failure completes nothing.

import { kubeconfigContexts } from '@tessera/controller-runtime/kube';
import { MiniProgramKind, MiniProgramVersionKind } from '@tessera/crds';
import type { Lookup } from './commands/completion.ts';
import { KubeClient } from './kube/client.ts';
import { corePath, crdPath } from './kube/resources.ts';

const TIMEOUT_MS = 2000;

/** The value of a global flag among the typed words ("--namespace x", "--namespace=x", "-n x"). */
function flagValue(words: readonly string[], name: string, short?: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w.startsWith(`--${name}=`)) return w.slice(name.length + 3);
    if (w === `--${name}` || (short && w === `-${short}`)) return words[i + 1];
  }
  return undefined;
}

export function clusterLookup(words: readonly string[]): Lookup {
  const options = {
    kubeconfig: flagValue(words, 'kubeconfig'),
    context: flagValue(words, 'context'),
    namespace: flagValue(words, 'namespace', 'n'),
  };
  let client: KubeClient | undefined;
  const names = async (
    path: () => string,
    pick: (o: Item) => string | undefined = (o) => o.metadata?.name,
  ) => {
    try {
      client ??= new KubeClient(options);
      const kube = client;
      const items = (await Promise.race([
        kube.list(path()),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref()),
      ])) as Item[];
      return [...new Set(items.map(pick).filter((n): n is string => typeof n === 'string'))];
    } catch {
      return [];
    }
  };
  const ns = () => client?.namespace ?? options.namespace ?? 'default';
  return {
    miniPrograms: () => names(() => crdPath(MiniProgramKind, ns())),
    versionNames: () => names(() => crdPath(MiniProgramVersionKind, ns())),
    versionsOf: (miniProgram) =>
      names(
        () => crdPath(MiniProgramVersionKind, ns()),
        (o) => (o.spec?.miniProgram === miniProgram ? o.spec.version : undefined),
      ),
    namespaces: () => names(() => corePath('namespaces')),
    contexts: async () => {
      try {
        return kubeconfigContexts(options);
      } catch {
        return [];
      }
    },
  };
}

interface Item {
  metadata?: { name?: string };
  spec?: { miniProgram?: string; version?: string };
}
