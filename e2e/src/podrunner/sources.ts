// Reads what a pod references (Secrets, ConfigMaps, ServiceAccount tokens) from the API server,
// once per lookup within one setup attempt.
import { isNotFound, type KubeRest } from './kube-rest.ts';
import { DataObjectSchema, TokenRequestResponseSchema } from './pod-schema.ts';

export type DataMap = Record<string, Buffer>;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface PodSources {
  /** undefined when the Secret does not exist. */
  secret(name: string): Promise<DataMap | undefined>;
  configMap(name: string): Promise<DataMap | undefined>;
  /** A bound token for the pod's ServiceAccount through the TokenRequest API. */
  token(audience: string | undefined, expirationSeconds: number): Promise<IssuedToken>;
}

/** Raised for a reference the pod cannot start without; the container waits with this reason. */
export class PodConfigError extends Error {
  readonly reason: 'CreateContainerConfigError' | 'ContainerCreating';
  constructor(reason: 'CreateContainerConfigError' | 'ContainerCreating', message: string) {
    super(message);
    this.name = 'PodConfigError';
    this.reason = reason;
  }
}

const namespacePath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}`;

export function apiSources(
  rest: KubeRest,
  pod: { namespace: string; name: string; uid: string; serviceAccountName: string },
): PodSources {
  const cache = new Map<string, Promise<DataMap | undefined>>();
  const read = (kind: 'secrets' | 'configmaps', name: string) => {
    const key = `${kind}/${name}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = rest.get(`${namespacePath(pod.namespace)}/${kind}/${encodeURIComponent(name)}`).then(
        (raw) => {
          const parsed = DataObjectSchema.parse(raw);
          const out: DataMap = {};
          for (const [k, v] of Object.entries(parsed.data ?? {}))
            out[k] = kind === 'secrets' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
          for (const [k, v] of Object.entries(parsed.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
          return out;
        },
        (error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        },
      );
      cache.set(key, hit);
    }
    return hit;
  };
  return {
    secret: (name) => read('secrets', name),
    configMap: (name) => read('configmaps', name),
    async token(audience, expirationSeconds) {
      const raw = await rest.post(
        `${namespacePath(pod.namespace)}/serviceaccounts/${encodeURIComponent(pod.serviceAccountName)}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: audience ? [audience] : [],
            expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid },
          },
        },
      );
      const parsed = TokenRequestResponseSchema.parse(raw);
      return { token: parsed.status.token, expiresAt: new Date(parsed.status.expirationTimestamp) };
    },
  };
}
