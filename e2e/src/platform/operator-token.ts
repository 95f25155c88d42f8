// The operator reads artifacts from the store with a Kubernetes bearer token (in a cluster, its
// ServiceAccount token). Here the operator process runs with the admin kubeconfig, so it gets a
// ServiceAccount of its own that may only read MiniProgramVersions, and a token file.
import { writeFile } from 'node:fs/promises';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';

const NAME = 'tessera-operator-artifact-reader';

const ignoreExists = (e: unknown) => {
  if ((e as { code?: number }).code !== 409) throw e;
};

export async function writeOperatorStoreToken(
  kubeconfig: string,
  namespace: string,
  file: string,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name: NAME } } })
    .catch(ignoreExists);
  await rbac
    .createClusterRole({
      body: {
        metadata: { name: NAME },
        rules: [{ apiGroups: ['tessera.dev'], resources: ['miniprogramversions'], verbs: ['get'] }],
      },
    })
    .catch(ignoreExists);
  await rbac
    .createClusterRoleBinding({
      body: {
        metadata: { name: `${NAME}-${namespace}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
        subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
      },
    })
    .catch(ignoreExists);
  const request = await core.createNamespacedServiceAccountToken({
    name: NAME,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 7 * 24 * 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token issued for ServiceAccount ${namespace}/${NAME}`);
  await writeFile(file, token, { mode: 0o600 });
}
