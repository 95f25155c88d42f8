// /healthz (process alive), /readyz (caches synced) and /metrics on one small HTTP server.
// Probes stay open (the kubelet sends no token); /metrics can require an authorised scraper.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ScrapeAuthorizer } from './metrics-auth.ts';

export interface HealthChecks {
  live: () => boolean;
  ready: () => boolean;
  registry: Registry;
  /** When set, /metrics answers 401/403 unless the scraper's bearer token is authorised. */
  authorizeScrape?: ScrapeAuthorizer;
}

async function serveMetrics(
  checks: HealthChecks,
  authorization: string | undefined,
  res: ServerResponse,
): Promise<void> {
  if (checks.authorizeScrape) {
    const verdict = await checks.authorizeScrape(authorization);
    if (verdict !== 'allowed') {
      const unauthenticated = verdict === 'unauthenticated';
      res.writeHead(unauthenticated ? 401 : 403, {
        'content-type': 'text/plain',
        ...(unauthenticated ? { 'www-authenticate': 'Bearer' } : {}),
      });
      res.end(
        unauthenticated
          ? 'send a Kubernetes bearer token: Authorization: Bearer <token>\n'
          : 'this identity may not get /metrics; bind a ClusterRole with nonResourceURLs ["/metrics"] verbs ["get"]\n',
      );
      return;
    }
  }
  const body = await checks.registry.metrics();
  res.writeHead(200, { 'content-type': checks.registry.contentType });
  res.end(body);
}

export async function startHealthServer(host: string, port: number, checks: HealthChecks): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (ok: boolean) => {
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
      res.end(ok ? 'ok' : 'not ready');
    };
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/healthz') reply(checks.live());
    else if (path === '/readyz') reply(checks.ready());
    else if (path === '/metrics') {
      serveMetrics(checks, req.headers.authorization, res).catch(() => {
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('metrics unavailable (the API server did not answer the access review)\n');
      });
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
