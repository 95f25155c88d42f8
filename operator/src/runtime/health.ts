// /healthz (process alive), /readyz (caches synced) and /metrics on one small HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  live: () => boolean;
  ready: () => boolean;
  registry: Registry;
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
      checks.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': checks.registry.contentType });
          res.end(body);
        },
        () => res.writeHead(500).end(),
      );
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
