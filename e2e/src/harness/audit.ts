// The API server's audit webhook for the harness: the chart's policy file and a webhook
// kubeconfig that points at a store under test with a bearer token, plus the flags using them.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './paths.ts';

export const AUDIT_POLICY_FILE = join(REPO_ROOT, 'charts', 'tessera', 'files', 'audit-policy.yaml');

export interface AuditWebhook {
  /** e.g. http://127.0.0.1:<port>/v1/audit/kube-events (the store may start after the API server) */
  url: string;
  /** the store's TESSERA_AUDIT_WEBHOOK_TOKEN */
  token: string;
}

export function auditWebhookKubeconfig(webhook: AuditWebhook): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tessera-store', cluster: { server: webhook.url } }],
    users: [{ name: 'kube-apiserver', user: { token: webhook.token } }],
    contexts: [{ name: 'audit', context: { cluster: 'tessera-store', user: 'kube-apiserver' } }],
    'current-context': 'audit',
  });
}

/** kube-apiserver flags; batches are flushed every second so tests see events quickly. */
export async function auditWebhookFlags(dir: string, webhook: AuditWebhook): Promise<string[]> {
  const config = join(dir, 'audit-webhook.kubeconfig');
  await writeFile(config, auditWebhookKubeconfig(webhook), { mode: 0o600 });
  return [
    `--audit-policy-file=${AUDIT_POLICY_FILE}`,
    `--audit-webhook-config-file=${config}`,
    '--audit-webhook-mode=batch',
    '--audit-webhook-batch-max-wait=1s',
    '--audit-webhook-initial-backoff=1s',
  ];
}
