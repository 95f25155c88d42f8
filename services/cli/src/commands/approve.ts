// approve / reject: the store records the decision in the version's status after checking that
// the caller holds the review role (RBAC verb "approve" on reviewroles/<role>), did not push the
// version (to approve it) and decided for no other role; the CLI never writes it itself.

import { TenantKind } from '@tessera/crds';
import { z } from 'zod';
import type { CommandContext } from '../context.ts';
import { usageError } from '../errors.ts';
import { StoreClient } from '../store/client.ts';
import { discoverStoreUrl, discoverTenant, resolveStoreToken } from '../store/discovery.ts';
import { requireVersionObject } from './find.ts';

const TenantPolicySchema = z.looseObject({
  spec: z.looseObject({
    reviewPolicy: z.looseObject({ requiredRoles: z.array(z.string()).optional() }).optional(),
  }),
});

/** Without --role: the one review role the tenant still needs for this version, if there is exactly one. */
async function defaultRole(ctx: CommandContext, tenant: string, given: string[]): Promise<string> {
  let required: string[] | undefined;
  try {
    const raw = await ctx.kube.get(
      `/apis/tessera.dev/v1alpha1/${TenantKind.plural}/${encodeURIComponent(tenant)}`,
    );
    required = TenantPolicySchema.safeParse(raw).data?.spec.reviewPolicy?.requiredRoles;
  } catch {
    required = undefined;
  }
  const missing = (required ?? []).filter((r) => !given.includes(r));
  if (missing.length === 1 && missing[0]) return missing[0];
  throw usageError(
    missing.length > 1
      ? `approve needs --role: the tenant's review policy still needs ${missing.join(', ')}`
      : 'approve needs --role <review-role> (e.g. compliance)',
  );
}

export async function approve(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  const version = await requireVersionObject(ctx, name);
  const tenant = await discoverTenant(ctx.kube, ctx.namespace, ctx.string('tenant'), ctx.io.env);
  const role =
    ctx.string('role') ??
    (await defaultRole(
      ctx,
      tenant,
      (version.status?.approvals ?? []).map((a) => a.role),
    ));
  const store = new StoreClient(
    await discoverStoreUrl(ctx.kube, ctx.namespace, ctx.string('store-url'), ctx.io.env),
    await resolveStoreToken(ctx.kube, ctx.string('token'), ctx.io.env),
  );
  const approval = await store.approve(tenant, name, role, ctx.string('comment'));
  ctx.result(
    { version: name, namespace: ctx.namespace, tenant, approval },
    () => `miniprogramversion/${name} approved as ${approval.role} by ${approval.subject}`,
  );
}

export async function reject(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  const role = ctx.string('role');
  const comment = ctx.string('comment')?.trim();
  if (!role) throw usageError('reject needs --role <review-role>: the review role you reject as');
  if (!comment) throw usageError('reject needs --comment <text>: say what must change in a new version');
  await requireVersionObject(ctx, name);
  const tenant = await discoverTenant(ctx.kube, ctx.namespace, ctx.string('tenant'), ctx.io.env);
  const store = new StoreClient(
    await discoverStoreUrl(ctx.kube, ctx.namespace, ctx.string('store-url'), ctx.io.env),
    await resolveStoreToken(ctx.kube, ctx.string('token'), ctx.io.env),
  );
  const rejection = await store.reject(tenant, name, role, comment);
  ctx.result(
    { version: name, namespace: ctx.namespace, tenant, rejection },
    () =>
      `miniprogramversion/${name} rejected as ${rejection.role} by ${rejection.subject}: ${rejection.comment ?? ''}`,
  );
}
