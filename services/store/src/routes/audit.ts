// Audit routes outside a tenant: the Kubernetes API server's audit webhook (bearer token from a
// Secret) and the platform chain, readable by platform admins (list on tenants, cluster-wide).

import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import {
  appendAudit,
  hasKubeAuditId,
  listAudit,
  PLATFORM_AUDIT_SCHEMA,
  verifyAudit,
} from '../audit/chain.ts';
import { KubeAuditEventList, type MappedEvent, mapKubeEvent } from '../audit/kube-events.ts';
import { bearerToken } from '../auth/kube.ts';
import type { StoreContext } from '../context.ts';
import { parseJson, readBody } from '../http/body.ts';
import { HttpProblem, problems, zodProblem } from '../http/problem.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { dbUnavailable, sendJson } from './respond.ts';

/** The API server batches at most a few hundred events; 4 MiB is ample at Metadata level. */
export const AUDIT_WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024;

export const AuditQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  since: z.iso.datetime({ offset: true, error: 'since must be an RFC 3339 time' }).optional(),
});

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requireWebhookToken(ctx: StoreContext, rc: RequestContext): void {
  if (!ctx.auditWebhookToken) {
    throw new HttpProblem(
      503,
      'audit-webhook-disabled',
      'the audit webhook is off: set TESSERA_AUDIT_WEBHOOK_TOKEN (auditWebhook.enabled in the chart)',
    );
  }
  const token = bearerToken(rc.req.headers.authorization);
  if (!token || !sameToken(token, ctx.auditWebhookToken))
    throw problems.unauthorized(
      'invalid-token',
      'send the audit webhook token: Authorization: Bearer <token>',
    );
}

function tenantOfNamespace(ctx: StoreContext): (namespace: string) => string | undefined {
  const byNamespace = new Map<string, string>();
  for (const name of ctx.state.tenantNames()) {
    const ns = ctx.state.tenantKeys(name)?.namespace;
    if (ns) byNamespace.set(ns, name);
  }
  return (namespace) => byNamespace.get(namespace);
}

/** Appends every kept event in one transaction: a batch lands whole or not at all. */
async function appendKubeEvents(ctx: StoreContext, mapped: MappedEvent[]): Promise<number> {
  const schemas = new Map<MappedEvent, string>();
  for (const m of mapped)
    schemas.set(m, 'tenant' in m.chain ? await ctx.schema(m.chain.tenant) : PLATFORM_AUDIT_SCHEMA);
  const client = await ctx.pool.connect();
  let duplicates = 0;
  try {
    await client.query('begin');
    for (const m of mapped) {
      const schema = schemas.get(m) as string;
      if (await hasKubeAuditId(client, schema, m.auditId)) {
        duplicates++;
        continue;
      }
      await appendAudit(client, schema, m.input);
    }
    await client.query('commit');
    return duplicates;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export function auditRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'POST',
    '/v1/audit/kube-events',
    'admin',
    {
      summary:
        'Kubernetes audit webhook: appends completed writes to tessera.dev resources (audit.k8s.io/v1 EventList)',
      request: KubeAuditEventList,
      auth: 'audit-webhook',
    },
    async (rc) => {
      requireWebhookToken(ctx, rc);
      const list = parseJson(await readBody(rc.req, AUDIT_WEBHOOK_BODY_LIMIT), KubeAuditEventList);
      const lookup = tenantOfNamespace(ctx);
      const opts = {
        tenantOfNamespace: lookup,
        isTenant: (name: string) => ctx.state.tenantKeys(name) !== undefined,
        selfUsernames: ctx.selfUsernames,
      };
      const mapped = list.items.map((e) => mapKubeEvent(e, opts)).filter((m) => m !== null);
      const duplicates = await appendKubeEvents(ctx, mapped).catch(dbUnavailable);
      sendJson(rc, 200, {
        received: list.items.length,
        appended: mapped.length - duplicates,
        duplicates,
        ignored: list.items.length - mapped.length,
      });
    },
  );

  router.add(
    'GET',
    '/v1/audit',
    'admin',
    { summary: 'List the platform audit chain (needs list on tenants)', auth: 'kubernetes' },
    async (rc) => {
      await requirePlatformAdmin(ctx, rc);
      const q = AuditQuery.safeParse(Object.fromEntries(rc.query));
      if (!q.success) throw zodProblem(q.error, 'query');
      const since = q.data.since ? new Date(q.data.since) : undefined;
      sendJson(rc, 200, {
        entries: await listAudit(ctx.pool, PLATFORM_AUDIT_SCHEMA, q.data.after, q.data.limit, since).catch(
          dbUnavailable,
        ),
      });
    },
  );

  router.add(
    'GET',
    '/v1/audit/verify',
    'admin',
    { summary: 'Verify the platform audit hash chain', auth: 'kubernetes' },
    async (rc) => {
      await requirePlatformAdmin(ctx, rc);
      const result = await verifyAudit(ctx.pool, PLATFORM_AUDIT_SCHEMA).catch(dbUnavailable);
      sendJson(rc, result.ok ? 200 : 409, result);
    },
  );
}

async function requirePlatformAdmin(ctx: StoreContext, rc: RequestContext): Promise<void> {
  if (!ctx.kube)
    throw new HttpProblem(503, 'kubernetes-auth-disabled', 'this store runs without Kubernetes access');
  const token = bearerToken(rc.req.headers.authorization);
  if (!token)
    throw problems.unauthorized(
      'missing-token',
      'send a Kubernetes bearer token: Authorization: Bearer <token>',
    );
  const user = await ctx.kube.authenticate(token);
  if (!(await ctx.kube.authorize(user, { namespace: '', verb: 'list', resource: 'tenants' })))
    throw problems.forbidden(
      `${user.username} may not read the platform audit log (needs list on tenants.tessera.dev); use --tenant for a tenant's log`,
    );
}
