// Admin routes: audit log and its verification, stats (review decisions: reviews.ts).

import { z } from 'zod';
import { listAudit, verifyAudit } from '../audit/chain.ts';
import type { StoreContext } from '../context.ts';
import { statsForDay } from '../db/events.ts';
import { zodProblem } from '../http/problem.ts';
import type { Router } from '../http/router.ts';
import { AuditQuery } from './audit.ts';
import { requireKube } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';

const StatsQuery = z.object({
  appId: z.string().min(1).max(128),
  day: z.iso.date().optional(),
});

export function adminRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'GET',
    '/v1/tenants/{tenant}/audit',
    'admin',
    { summary: 'List audit entries (needs get on the Tenant)', auth: 'kubernetes' },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      await requireTenantRead(ctx, rc, tenant);
      const q = AuditQuery.safeParse(Object.fromEntries(rc.query));
      if (!q.success) throw zodProblem(q.error, 'query');
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      sendJson(rc, 200, {
        entries: await listAudit(
          ctx.pool,
          schema,
          q.data.after,
          q.data.limit,
          q.data.since ? new Date(q.data.since) : undefined,
        ).catch(dbUnavailable),
      });
    },
  );

  router.add(
    'GET',
    '/v1/tenants/{tenant}/audit/verify',
    'admin',
    { summary: 'Verify the audit hash chain', auth: 'kubernetes' },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      await requireTenantRead(ctx, rc, tenant);
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      const result = await verifyAudit(ctx.pool, schema).catch(dbUnavailable);
      sendJson(rc, result.ok ? 200 : 409, result);
    },
  );

  router.add(
    'GET',
    '/v1/tenants/{tenant}/stats',
    'admin',
    { summary: 'Launches, DAU, cold start p50/p95, error rate per version', auth: 'kubernetes' },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      await requireTenantRead(ctx, rc, tenant);
      const q = StatsQuery.safeParse(Object.fromEntries(rc.query));
      if (!q.success) throw zodProblem(q.error, 'query');
      const day = q.data.day ?? new Date(ctx.now()).toISOString().slice(0, 10);
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      sendJson(rc, 200, {
        appId: q.data.appId,
        day,
        versions: await statsForDay(ctx.pool, schema, q.data.appId, day).catch(dbUnavailable),
      });
    },
  );
}

async function requireTenantRead(ctx: StoreContext, rc: Parameters<typeof requireKube>[1], tenant: string) {
  return requireKube(ctx, rc, tenant, 'get', 'miniprograms');
}
