// The API server's audit webhook for the harness: the chart's policy file and a webhook
// kubeconfig with a bearer token, plus the flags using them. The API server sends the token
// over TLS only, so the harness puts a TLS front (its serving certificate, 127.0.0.1) before
// the plain-HTTP store under test, as an ingress or service mesh does in a cluster.

import { readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from './paths.ts';

export const AUDIT_POLICY_FILE = join(REPO_ROOT, 'charts', 'tessera', 'files', 'audit-policy.yaml');

export interface AuditWebhook {
  /** the store's webhook, e.g. http://127.0.0.1:<port>/v1/audit/kube-events (may start later) */
  url: string;
  /** the store's TESSERA_AUDIT_WEBHOOK_TOKEN */
  token: string;
}

export function auditWebhookKubeconfig(server: string, caFile: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tessera-store', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'kube-apiserver', user: { token } }],
    contexts: [{ name: 'audit', context: { cluster: 'tessera-store', user: 'kube-apiserver' } }],
    'current-context': 'audit',
  });
}

/** HTTPS on 127.0.0.1 forwarding every request to `target` (502 while it is down). */
async function startTlsFront(certFile: string, keyFile: string, target: URL): Promise<Server> {
  const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
  const server = createServer({ cert, key }, (req, res) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export interface AuditFront {
  flags: string[];
  close(): Promise<void>;
}

/** kube-apiserver flags and the TLS front; batches are flushed every second so tests see events quickly. */
export async function startAuditWebhook(
  dir: string,
  tls: { caCert: string; servingCert: string; servingKey: string },
  webhook: AuditWebhook,
): Promise<AuditFront> {
  const target = new URL(webhook.url);
  const front = await startTlsFront(tls.servingCert, tls.servingKey, target);
  const { port } = front.address() as AddressInfo;
  const config = join(dir, 'audit-webhook.kubeconfig');
  await writeFile(
    config,
    auditWebhookKubeconfig(`https://127.0.0.1:${port}${target.pathname}`, tls.caCert, webhook.token),
    { mode: 0o600 },
  );
  return {
    flags: [
      `--audit-policy-file=${AUDIT_POLICY_FILE}`,
      `--audit-webhook-config-file=${config}`,
      '--audit-webhook-mode=batch',
      '--audit-webhook-batch-max-wait=1s',
      '--audit-webhook-initial-backoff=1s',
    ],
    close: () => new Promise<void>((resolve) => front.close(() => resolve())),
  };
}
