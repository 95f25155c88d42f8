// Values of `fieldRef` selectors (downward API), shared by env vars and downwardAPI volumes.
import type { Pod } from './pod-schema.ts';
import { PodConfigError } from './sources.ts';

export const POD_IP = '127.0.0.1';

const quoted = (map: Record<string, string> | undefined) =>
  Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join('\n');

export function fieldValue(pod: Pod, fieldPath: string, nodeName: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'metadata.labels':
      return quoted(pod.metadata.labels);
    case 'metadata.annotations':
      return quoted(pod.metadata.annotations);
    case 'spec.nodeName':
      return nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.podIP':
    case 'status.hostIPs':
    case 'status.podIPs':
      return POD_IP;
    default:
      throw new PodConfigError(
        'CreateContainerConfigError',
        `unsupported fieldRef ${JSON.stringify(fieldPath)}`,
      );
  }
}
