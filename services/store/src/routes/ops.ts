// Health, readiness, metrics and the OpenAPI document.

import type { StoreContext } from '../context.ts';
import type { Router } from '../http/router.ts';
import { openApiDocument } from '../openapi.ts';
import { sendJson } from './respond.ts';

export function opsRoutes(router: Router, ctx: StoreContext): void {
  router.add('GET', '/healthz', 'ops', { summary: 'Liveness', auth: 'none' }, (rc) =>
    sendJson(rc, 200, { ok: true }),
  );

  router.add(
    'GET',
    '/readyz',
    'ops',
    { summary: 'Readiness: informer synced, PostgreSQL and Redis reachable', auth: 'none' },
    async (rc) => {
      const [db, redis] = await Promise.all([
        ctx.pool
          .query('select 1')
          .then(() => true)
          .catch(() => false),
        ctx.nonces.healthy().catch(() => false),
      ]);
      const checks = { informer: ctx.informerSynced(), postgres: db, redis };
      const ok = checks.informer && checks.postgres && checks.redis;
      sendJson(rc, ok ? 200 : 503, { ok, checks }, ok ? {} : { 'retry-after': '2' });
    },
  );

  router.add('GET', '/metrics', 'ops', { summary: 'Prometheus metrics', auth: 'none' }, async (rc) => {
    const text = await ctx.registry.metrics();
    rc.res.writeHead(200, { 'content-type': ctx.registry.contentType });
    rc.res.end(text);
  });

  let doc: string | undefined;
  router.add('GET', '/openapi.json', 'ops', { summary: 'This OpenAPI document', auth: 'none' }, (rc) => {
    doc ??= JSON.stringify(openApiDocument(router));
    rc.res.writeHead(200, { 'content-type': 'application/json' });
    rc.res.end(doc);
  });
}
