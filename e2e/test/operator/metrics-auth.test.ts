// /metrics served the way controller-runtime serves secure metrics: a scraper needs a bearer
// token the API server accepts (TokenReview) for an identity allowed to get the non-resource URL
// /metrics (SubjectAccessReview). Probes stay open. The metric names are controller-runtime's.

import { type KubeObject, Manager, resources, serverPort, silentLogger } from '@tessera/controller-runtime';
import { createTestNamespace, loadKubeConfig } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client } from './helpers.ts';

const kube = client();
let ns: { name: string; remove: () => Promise<void> };
let manager: Manager;
let base: string;
const role = `tessera-test-metrics-reader-${Date.now().toString(36)}`;

async function tokenFor(sa: string): Promise<string> {
  await kube.create(resources.ServiceAccounts, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: sa, namespace: ns.name },
  } as KubeObject);
  const r = await kube.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns.name}/serviceaccounts/${sa}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    },
  );
  return r.status.token;
}

beforeAll(async () => {
  ns = await createTestNamespace('metrics');
  await kube.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
    },
  });
  await kube.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: ns.name }],
    },
  });
  manager = new Manager({
    kubeConfig: loadKubeConfig(),
    logger: silentLogger,
    health: { host: '127.0.0.1', port: 0, authenticateMetrics: true },
  });
  await manager.start();
  base = `http://127.0.0.1:${serverPort(manager.server as NonNullable<typeof manager.server>)}`;
});

afterAll(async () => {
  await manager?.stop();
  await kube
    .request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${role}`)
    .catch(() => {});
  await kube.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`).catch(() => {});
  await ns?.remove();
});

it('keeps the probes open and refuses a scrape without a token', async () => {
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  expect(await res.text()).toMatch(/bearer token/);
  const forged = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-a-real-token' } });
  expect(forged.status).toBe(401);
});

it('refuses an authenticated identity without get on /metrics', async () => {
  const token = await tokenFor('intruder');
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(403);
  expect(await res.text()).toMatch(/nonResourceURLs/);
});

it('serves controller-runtime metric names to an allowed scraper', async () => {
  const token = await tokenFor('prometheus');
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('# TYPE controller_runtime_reconcile_total counter');
  expect(text).toContain('# TYPE workqueue_depth gauge');
  expect(text).toContain('# TYPE rest_client_request_duration_seconds histogram');
});
