// Authorisation helpers shared by the route groups.

import { authenticateHostApp } from '../auth/hostapp.ts';
import { bearerToken, type KubeUser } from '../auth/kube.ts';
import type { StoreContext } from '../context.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { RequestContext } from '../http/router.ts';

/** Namespace of a tenant, from the loaded tenant key material (404 when unknown). */
export function tenantNamespace(ctx: StoreContext, tenant: string): string {
  const keys = ctx.state.tenantKeys(tenant);
  if (!keys) throw problems.notFound(`tenant ${tenant}`);
  return keys.namespace;
}

/** TokenReview + SubjectAccessReview in the tenant's namespace. */
export async function requireKube(
  ctx: StoreContext,
  rc: RequestContext,
  tenant: string,
  verb: string,
  resource: string,
  name?: string,
  subresource?: string,
): Promise<{ user: KubeUser; namespace: string }> {
  if (!ctx.kube) {
    throw new HttpProblem(
      503,
      'kubernetes-auth-disabled',
      'this store runs without Kubernetes access; CI and admin routes are off',
    );
  }
  const token = bearerToken(rc.req.headers.authorization);
  if (!token)
    throw problems.unauthorized(
      'missing-token',
      'send a Kubernetes bearer token: Authorization: Bearer <token>',
    );
  const user = await ctx.kube.authenticate(token);
  const namespace = tenantNamespace(ctx, tenant);
  const allowed = await ctx.kube.authorize(user, {
    namespace,
    verb,
    resource,
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  });
  if (!allowed) {
    const what = `${resource}${subresource ? `/${subresource}` : ''}${name ? ` ${name}` : ''}`;
    throw problems.forbidden(
      `${user.username} may not ${verb} ${what} in namespace ${namespace}; ask a tenant admin for the role that grants it`,
    );
  }
  return { user, namespace };
}

/** Artifact reads: a host app of that tenant, or a Kubernetes identity allowed to get versions. */
export async function authorizeBlobRead(
  ctx: StoreContext,
  rc: RequestContext,
  kind: 'artifact' | 'source',
): Promise<void> {
  const tenant = rc.params.tenant ?? '';
  const auth = rc.req.headers.authorization;
  const isKube = auth?.startsWith('Bearer ') === true && !auth.startsWith('Bearer tst1.');
  if (!isKube && kind === 'artifact') {
    const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, Buffer.alloc(0), { allowSession: true });
    // another tenant's artifact is indistinguishable from a missing one
    if (who.tenant !== tenant) throw problems.notFound(`artifact ${rc.params.sha256}`);
    return;
  }
  await requireKube(ctx, rc, tenant, 'get', 'miniprogramversions');
}
