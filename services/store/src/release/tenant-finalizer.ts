// The store holds state of every tenant outside the cluster (its PostgreSQL schema: artifacts,
// sources, events, audit log). Like any controller with external state it puts a finalizer on
// the Tenant, and removes it only after that state is gone: a store that is down while a tenant
// is deleted keeps the Tenant terminating until it is back, instead of leaking the schema.
// Every replica does this; both steps are idempotent and guarded by resourceVersion.

import { KubeApiError, type KubeClient, type KubeObject } from '@tessera/controller-runtime';
import { resourceOf, TenantKind } from '@tessera/crds';
import type { Logger } from 'pino';

export const STORE_FINALIZER = 'tessera.dev/store-data';

export interface TenantFinalizer {
  observe(tenant: KubeObject): void;
}

export function tenantFinalizer(
  client: KubeClient,
  log: Logger,
  dropTenantData: (tenant: string) => Promise<void>,
): TenantFinalizer {
  const tenants = resourceOf(TenantKind);
  const busy = new Set<string>();
  const patch = (name: string, body: unknown[]) => client.patch(tenants, undefined, name, body, 'json');

  async function reconcile(t: KubeObject): Promise<void> {
    const name = t.metadata?.name ?? '';
    const rv = t.metadata?.resourceVersion ?? '';
    const finalizers = t.metadata?.finalizers ?? [];
    const index = finalizers.indexOf(STORE_FINALIZER);
    if (!t.metadata?.deletionTimestamp) {
      if (index >= 0) return;
      await patch(name, [
        { op: 'test', path: '/metadata/resourceVersion', value: rv },
        finalizers.length
          ? { op: 'add', path: '/metadata/finalizers/-', value: STORE_FINALIZER }
          : { op: 'add', path: '/metadata/finalizers', value: [STORE_FINALIZER] },
      ]);
      return;
    }
    if (index < 0) return;
    await dropTenantData(name);
    await patch(name, [
      { op: 'test', path: '/metadata/resourceVersion', value: rv },
      { op: 'test', path: `/metadata/finalizers/${index}`, value: STORE_FINALIZER },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ]);
    log.info({ tenant: name }, 'tenant data removed; store finalizer released');
  }

  return {
    observe(t) {
      const name = t.metadata?.name;
      if (!name || busy.has(name)) return;
      busy.add(name);
      reconcile(t)
        .catch((e: unknown) => {
          // 409/422: the object changed meanwhile; the watch delivers the new version.
          const status = e instanceof KubeApiError ? e.status : 0;
          if (status !== 409 && status !== 422 && status !== 404) {
            log.warn(
              { tenant: name, err: e instanceof Error ? e.message : String(e) },
              'tenant finalizer step failed; retried on the next event',
            );
          }
        })
        .finally(() => busy.delete(name));
    },
  };
}
