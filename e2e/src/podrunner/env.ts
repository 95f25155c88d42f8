// The environment of a container, resolved the way the kubelet does: envFrom sources first (in
// order, later ones win), then env entries (in order), with `$(VAR)` references to variables
// defined earlier expanded and `$$(VAR)` kept literally.
import { fieldValue } from './fields.ts';
import type { Container, Pod } from './pod-schema.ts';
import { PodConfigError, type PodSources } from './sources.ts';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Expands `$(NAME)` with values from `env`; unknown references stay as written. */
export function expandReferences(input: string, env: Record<string, string>): string {
  return input.replace(/\$\$|\$\(([^)\s]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    if (name !== undefined && Object.hasOwn(env, name)) return env[name] ?? '';
    return match;
  });
}

export async function resolveEnv(
  pod: Pod,
  container: Container,
  sources: PodSources,
  nodeName: string,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref?.name) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const data = from.configMapRef ? await sources.configMap(ref.name) : await sources.secret(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new PodConfigError('CreateContainerConfigError', `${kind.toLowerCase()} "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) {
      // the kubelet skips keys that are not valid variable names (and records an event)
      if (ENV_NAME.test(prefix + key)) env[prefix + key] = value.toString('utf8');
    }
  }
  for (const item of container.env ?? []) {
    const value = await envValue(pod, item, env, sources, nodeName);
    if (value !== undefined) env[item.name] = value;
  }
  return env;
}

async function envValue(
  pod: Pod,
  item: NonNullable<Container['env']>[number],
  env: Record<string, string>,
  sources: PodSources,
  nodeName: string,
): Promise<string | undefined> {
  const from = item.valueFrom;
  if (!from) return expandReferences(item.value ?? '', env);
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, nodeName);
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'secret' : 'configmap';
    const data = from.secretKeyRef
      ? await sources.secret(ref.name ?? '')
      : await sources.configMap(ref.name ?? '');
    const value = data?.[ref.key];
    if (value === undefined) {
      if (ref.optional) return undefined;
      throw new PodConfigError(
        'CreateContainerConfigError',
        data
          ? `couldn't find key ${ref.key} in ${kind} ${pod.metadata.namespace}/${ref.name}`
          : `${kind} "${ref.name}" not found`,
      );
    }
    return value.toString('utf8');
  }
  throw new PodConfigError(
    'CreateContainerConfigError',
    `env ${item.name}: resourceFieldRef is not supported by the local pod runner`,
  );
}
