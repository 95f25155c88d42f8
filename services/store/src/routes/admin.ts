// Admin routes: approvals (verb `approve`), audit log and its verification, stats.

import { z } from 'zod';
import { appendAudit, listAudit, verifyAudit } from '../audit/chain.ts';
import type { StoreContext } from '../context.ts';
import { statsForDay } from '../db/events.ts';
import { parseJson, readBody } from '../http/body.ts';
import { HttpProblem, problems, zodProblem } from '../http/problem.ts';
import type { Router } from '../http/router.ts';
import { enqueueWebhookEvent } from '../webhooks/deliveries.ts';
import { AuditQuery } from './audit.ts';
import { requireKube } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';

export const ApprovalRequestSchema = z.strictObject({
  role: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a review role name such as compliance'),
  comment: z.string().max(1024).optional(),
});

const StatsQuery = z.object({
  appId: z.string().min(1).max(128),
  day: z.iso.date().optional(),
});

const VERSION_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function adminRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'POST',
    '/v1/tenants/{tenant}/versions/{name}/approvals',
    'admin',
    {
      summary: 'Approve a MiniProgramVersion (needs the custom verb approve on miniprogramversions)',
      request: ApprovalRequestSchema,
      auth: 'kubernetes',
    },
    async (rc) => {
      const tenant = rc.params.tenant ?? '';
      const name = rc.params.name ?? '';
      if (!VERSION_NAME.test(name) || name.length > 253)
        throw problems.badRequest('the version name must be a Kubernetes object name');
      const body = parseJson(await readBody(rc.req, 8 * 1024), ApprovalRequestSchema);
      const { user, namespace } = await requireKube(ctx, rc, tenant, 'approve', 'miniprogramversions', name);
      if (!ctx.approvals)
        throw new HttpProblem(503, 'kubernetes-auth-disabled', 'approvals need Kubernetes access');
      const approval = {
        role: body.role,
        subject: user.username,
        time: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ...(body.comment ? { comment: body.comment } : {}),
      };
      const outcome = await ctx.approvals.approve(namespace, name, approval);
      if (outcome === 'not-found') throw problems.notFound(`MiniProgramVersion ${namespace}/${name}`);
      if (outcome === 'duplicate') {
        throw problems.conflict(
          'duplicate-approval',
          `${user.username} already approved ${name} as ${body.role}`,
        );
      }
      const schema = await ctx.schema(tenant).catch(dbUnavailable);
      await appendAudit(ctx.pool, schema, {
        actor: user.username,
        action: 'version.approve',
        target: `${namespace}/${name}`,
        remote: rc.remoteAddress,
        details: { role: body.role },
      }).catch(dbUnavailable);
      await enqueueWebhookEvent(
        ctx.pool,
        schema,
        'version.approved',
        `approved:${namespace}/${name}/${body.role}/${user.username}`,
        {
          namespace,
          version: name,
          role: body.role,
          subject: user.username,
        },
      ).catch((e) => ctx.log.warn({ err: String(e) }, 'approval webhook not queued'));
      sendJson(rc, 201, approval);
    },
  );

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
