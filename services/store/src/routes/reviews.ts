// Review decisions: approve or reject a MiniProgramVersion as one review role. The caller needs
// verb `approve` on the version and verb `approve` on reviewroles/<role> (the operator grants the
// latter to the Tenant members whose reviewerRole it is); then the separation-of-duties rules
// (review/rules.ts) are checked against the version's current approvals and pushers.

import type { Approval } from '@tessera/crds';
import { z } from 'zod';
import { appendAudit } from '../audit/chain.ts';
import type { StoreContext } from '../context.ts';
import { parseJson, readBody } from '../http/body.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { versionPushers } from '../review/pushers.ts';
import { checkReview } from '../review/rules.ts';
import { enqueueWebhookEvent } from '../webhooks/deliveries.ts';
import { requireKube } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';

const ROLE = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z][a-z0-9-]*$/, 'must be a review role name such as compliance');

export const ApprovalRequestSchema = z.strictObject({
  role: ROLE,
  comment: z.string().max(1024).optional(),
});

export const RejectionRequestSchema = z.strictObject({
  role: ROLE,
  comment: z.string().trim().min(1, 'a rejection needs a comment saying what must change').max(1024),
});

const VERSION_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type Decision = Approval['decision'] & string;

async function decide(ctx: StoreContext, rc: RequestContext, decision: Decision): Promise<void> {
  const tenant = rc.params.tenant ?? '';
  const name = rc.params.name ?? '';
  if (!VERSION_NAME.test(name) || name.length > 253)
    throw problems.badRequest('the version name must be a Kubernetes object name');
  const body = parseJson(
    await readBody(rc.req, 8 * 1024),
    decision === 'Rejected' ? RejectionRequestSchema : ApprovalRequestSchema,
  );
  const { user, namespace } = await requireKube(ctx, rc, tenant, 'approve', 'miniprogramversions', name);
  await requireReviewRole(ctx, user, namespace, body.role);
  if (!ctx.approvals)
    throw new HttpProblem(503, 'kubernetes-auth-disabled', 'approvals need Kubernetes access');
  const schema = await ctx.schema(tenant).catch(dbUnavailable);
  const approval: Approval = {
    role: body.role,
    subject: user.username,
    time: new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(body.comment ? { comment: body.comment } : {}),
    decision,
  };
  const outcome = await ctx.approvals.approve(namespace, name, approval, async (v) => {
    const pushers = await versionPushers(ctx.pool, schema, v).catch(dbUnavailable);
    checkReview(
      { name, approvals: v.status?.approvals ?? [], pushers },
      { subject: user.username, role: body.role, decision },
    );
  });
  if (outcome === 'not-found') throw problems.notFound(`MiniProgramVersion ${namespace}/${name}`);
  const verb = decision === 'Rejected' ? 'reject' : 'approve';
  await appendAudit(ctx.pool, schema, {
    actor: user.username,
    action: `version.${verb}`,
    target: `${namespace}/${name}`,
    remote: rc.remoteAddress,
    details: { role: body.role, decision, ...(body.comment ? { comment: body.comment } : {}) },
  }).catch(dbUnavailable);
  const event = decision === 'Rejected' ? 'version.rejected' : 'version.approved';
  await enqueueWebhookEvent(
    ctx.pool,
    schema,
    event,
    `${decision.toLowerCase()}:${namespace}/${name}/${body.role}/${user.username}`,
    { namespace, version: name, role: body.role, subject: user.username, decision },
  ).catch((e) => ctx.log.warn({ err: String(e) }, 'review webhook not queued'));
  sendJson(rc, 201, approval);
}

async function requireReviewRole(
  ctx: StoreContext,
  user: { username: string; groups: string[] },
  namespace: string,
  role: string,
): Promise<void> {
  const allowed = await ctx.kube?.authorize(user, {
    namespace,
    verb: 'approve',
    resource: 'reviewroles',
    name: role,
  });
  if (!allowed) {
    throw problems.forbidden(
      `${user.username} does not hold the review role ${role} in namespace ${namespace} (verb approve on reviewroles/${role}); a platform admin grants it by adding a Tenant member with role reviewer and reviewerRole ${role}`,
    );
  }
}

export function reviewRoutes(router: Router, ctx: StoreContext): void {
  router.add(
    'POST',
    '/v1/tenants/{tenant}/versions/{name}/approvals',
    'admin',
    {
      summary:
        'Approve a MiniProgramVersion as a review role (needs verb approve on miniprogramversions and on reviewroles/<role>; not its pusher; one role per identity)',
      request: ApprovalRequestSchema,
      auth: 'kubernetes',
    },
    (rc) => decide(ctx, rc, 'Approved'),
  );
  router.add(
    'POST',
    '/v1/tenants/{tenant}/versions/{name}/rejections',
    'admin',
    {
      summary:
        'Reject a MiniProgramVersion as a review role, with a comment; blocks its release for good (same permissions as approving)',
      request: RejectionRequestSchema,
      auth: 'kubernetes',
    },
    (rc) => decide(ctx, rc, 'Rejected'),
  );
}
