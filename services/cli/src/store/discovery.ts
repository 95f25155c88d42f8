// Where the store is and which tenant a namespace belongs to, found the way a user would expect:
// explicit flags first, then environment, then what the cluster publishes.
//
// Store URL:  --store-url, $TESSERA_STORE_URL, the namespace annotation tessera.dev/store-url,
//             then ConfigMap kube-public/tessera-discovery key storeURL (created by the Helm chart).
// Tenant:     --tenant, $TESSERA_TENANT, the namespace label tessera.dev/tenant (set by the
//             operator), the Tenant whose status.namespace is the namespace, then the
//             tessera.dev/tenant label of the operator's ConfigMaps in the namespace (readable by
//             developers, who usually may not read Namespace or Tenant objects).

import { LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY, TenantKind } from '@tessera/crds';
import { z } from 'zod';
import { CliError, EXIT, inputError } from '../errors.ts';
import { KubeApiError, type KubeClient } from '../kube/client.ts';
import { corePath } from '../kube/resources.ts';

export const STORE_URL_ANNOTATION = 'tessera.dev/store-url';
export const DISCOVERY_NAMESPACE = 'kube-public';
export const DISCOVERY_CONFIGMAP = 'tessera-discovery';
export const DISCOVERY_STORE_URL_KEY = 'storeURL';

const NamespaceSchema = z.looseObject({
  metadata: z.looseObject({
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
});
const ConfigMapSchema = z.looseObject({ data: z.record(z.string(), z.string()).optional() });
const TenantListItemSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  status: z.looseObject({ namespace: z.string().optional() }).optional(),
});

type Namespace = z.infer<typeof NamespaceSchema>;

// A source the user may not read (or that does not exist) just moves on to the next one; the
// caller ends with a message that lists every way to say it explicitly.
const isForbidden = (e: unknown) =>
  e instanceof KubeApiError && (e.status === 403 || e.status === 401 || e.status === 404);

/** Reads the namespace if the user may; undefined when it is missing or forbidden. */
async function readNamespace(kube: KubeClient, ns: string): Promise<Namespace | undefined> {
  try {
    const raw = await kube.get(corePath('namespaces', undefined, ns));
    const parsed = NamespaceSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  } catch (e) {
    if (isForbidden(e)) return undefined;
    throw e;
  }
}

function validUrl(url: string, from: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return url.replace(/\/+$/, '');
  } catch {
    throw inputError(`store URL "${url}" from ${from} is not an http(s) URL`);
  }
}

export async function discoverStoreUrl(
  kube: KubeClient,
  ns: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (flag) return validUrl(flag, '--store-url');
  if (env.TESSERA_STORE_URL) return validUrl(env.TESSERA_STORE_URL, '$TESSERA_STORE_URL');
  const annotated = (await readNamespace(kube, ns))?.metadata.annotations?.[STORE_URL_ANNOTATION];
  if (annotated) return validUrl(annotated, `the ${STORE_URL_ANNOTATION} annotation of namespace ${ns}`);
  let cm: unknown;
  try {
    cm = await kube.get(corePath('configmaps', DISCOVERY_NAMESPACE, DISCOVERY_CONFIGMAP));
  } catch (e) {
    if (!isForbidden(e)) throw e;
  }
  const fromCm = ConfigMapSchema.safeParse(cm).data?.data?.[DISCOVERY_STORE_URL_KEY];
  if (fromCm) return validUrl(fromCm, `ConfigMap ${DISCOVERY_NAMESPACE}/${DISCOVERY_CONFIGMAP}`);
  throw inputError(
    `cannot find the store: pass --store-url or set TESSERA_STORE_URL (or publish it in ConfigMap ${DISCOVERY_NAMESPACE}/${DISCOVERY_CONFIGMAP}, key ${DISCOVERY_STORE_URL_KEY})`,
  );
}

export async function discoverTenant(
  kube: KubeClient,
  ns: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (flag) return flag;
  if (env.TESSERA_TENANT) return env.TESSERA_TENANT;
  const labelled = (await readNamespace(kube, ns))?.metadata.labels?.[LABEL_TENANT];
  if (labelled) return labelled;
  try {
    const tenants = await kube.list(`/apis/tessera.dev/v1alpha1/${TenantKind.plural}`);
    for (const raw of tenants) {
      const t = TenantListItemSchema.safeParse(raw);
      if (t.success && t.data.status?.namespace === ns) return t.data.metadata.name;
    }
  } catch (e) {
    if (!isForbidden(e)) throw e;
  }
  try {
    const cms = await kube.list(corePath('configmaps', ns), {
      labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY},${LABEL_TENANT}`,
      limit: '1',
    });
    const label = z
      .looseObject({ metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }) })
      .safeParse(cms[0]).data?.metadata.labels[LABEL_TENANT];
    if (label) return label;
  } catch (e) {
    if (!isForbidden(e)) throw e;
  }
  throw inputError(
    `cannot tell which tenant namespace ${ns} belongs to (no ${LABEL_TENANT} label visible to you); pass --tenant or set TESSERA_TENANT, or use -n with a tenant namespace`,
  );
}

/** The bearer token sent to the store: --token, $TESSERA_TOKEN, then the kubeconfig user's token. */
export async function resolveStoreToken(
  kube: KubeClient,
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const token = flag ?? env.TESSERA_TOKEN ?? (await kube.bearerToken());
  if (token) return token;
  throw new CliError(
    EXIT.infra,
    'the store needs a Kubernetes bearer token, but your kubeconfig user authenticates without one (e.g. a client certificate); pass --token or set TESSERA_TOKEN (e.g. from "kubectl create token <service-account>")',
  );
}
