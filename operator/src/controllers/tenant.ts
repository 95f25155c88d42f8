// Tenant: namespace, RBAC roles and bindings, ResourceQuota, compiler ServiceAccount and the key
// Secret; public keys and conditions in status. The finalizer is added only when a cleaner for
// state outside the cluster (the tenant's database schema) is configured: everything inside the
// cluster is owned by the Tenant and removed by the garbage collector.

import type { Controller, KubeObject, Manager, Reconciler, ResourceType } from '@tessera/controller-runtime';
import {
  type ConditionInput,
  enqueueMapped,
  enqueueObject,
  enqueueOwner,
  isAlreadyExists,
  resources as res,
  setConditions,
} from '@tessera/controller-runtime';
import { GROUP, type Tenant, type TenantStatus } from '@tessera/crds';
import { BY_NAMESPACE, type Informers, TenantResource, tenantForNamespace } from './context.ts';
import {
  COMPILER_SERVICE_ACCOUNT,
  KEY_SECRET_NAME,
  TENANT_FINALIZER,
  TENANT_QUOTA_NAME,
  tenantNamespace,
} from './names.ts';
import {
  currentKeyRevoked,
  keyGenerationOf,
  newKeySecret,
  publicKeysOf,
  revokedSigningKeyIdsOf,
  rotatedKeySecret,
  secretKeyGeneration,
} from './tenant-keys.ts';
import {
  compilerServiceAccount,
  REVIEW_ROLE_PREFIX,
  tenantNamespaceObject,
  tenantQuota,
  tenantRbac,
} from './tenant-objects.ts';
import type { SecretLike } from './types.ts';

/** State a tenant has outside the cluster (its database schema), provisioned and dropped by the store. */
export interface TenantExternalState {
  provision(tenant: Tenant): Promise<void>;
  drop(tenant: Tenant): Promise<void>;
}

export class TenantReconciler implements Reconciler {
  readonly #mgr: Manager;
  readonly #i: Informers;
  readonly #external: TenantExternalState | undefined;

  constructor(mgr: Manager, informers: Informers, external?: TenantExternalState) {
    this.#mgr = mgr;
    this.#i = informers;
    this.#external = external;
  }

  register(c: Controller): Controller {
    const i = this.#i;
    const owner = <T extends KubeObject>(e: (k: string) => void) =>
      enqueueOwner<T>(e, 'Tenant', GROUP, false);
    // Children in the tenant namespace are owned by the (cluster-scoped) Tenant.
    return c
      .watch(i.tenants, enqueueObject)
      .watch(i.namespaces, owner)
      .watch(i.secrets, owner)
      .watch(i.roles, owner)
      .watch(i.roleBindings, owner)
      .watch(i.quotas, owner)
      .watch(i.serviceAccounts, owner)
      .watch(i.tenants, (e) =>
        // Another tenant claiming the same namespace changes who wins it.
        enqueueMapped(e, (t: Tenant) =>
          i.tenants.cache.byIndex(BY_NAMESPACE, tenantNamespace(t)).map((x) => x.metadata.name ?? ''),
        ),
      );
  }

  async reconcile(key: string): Promise<undefined> {
    const t = this.#i.tenants.cache.get(key);
    if (!t) return;
    if (t.metadata.deletionTimestamp) {
      await this.#finalize(t);
      return;
    }
    if (this.#external && !t.metadata.finalizers?.includes(TENANT_FINALIZER)) {
      await this.#mgr.client.patch(TenantResource, undefined, key, {
        metadata: {
          finalizers: [...(t.metadata.finalizers ?? []), TENANT_FINALIZER],
          resourceVersion: t.metadata.resourceVersion,
        },
      });
      return; // the update event brings us back
    }
    const gen = t.metadata.generation ?? 0;
    const ns = tenantNamespace(t);
    const prev = t.status ?? {};
    const conds: ConditionInput[] = [];
    const owner = tenantForNamespace(this.#i, ns);
    if (owner && owner.metadata.name !== t.metadata.name) {
      conds.push({
        type: 'Ready',
        status: 'False',
        reason: 'NamespaceConflict',
        message: `namespace ${ns} already belongs to Tenant ${owner.metadata.name ?? ''}; set a different spec.namespace`,
        observedGeneration: gen,
      });
      await this.#writeStatus(t, {
        ...prev,
        observedGeneration: gen,
        conditions: setConditions(prev.conditions, conds),
      });
      return;
    }

    const { applier } = this.#mgr;
    const cache = <T extends KubeObject>(
      inf: { cache: { getNamed(ns: string | undefined, n: string): T | undefined } },
      name: string,
      namespaced = true,
    ) => inf.cache.getNamed(namespaced ? ns : undefined, name);
    const apply = (r: ResourceType, desired: KubeObject, live: KubeObject | undefined) =>
      applier.apply(r, desired, live);

    const nsApplied = await apply(
      res.Namespaces,
      tenantNamespaceObject(t),
      cache(this.#i.namespaces, ns, false),
    );
    if (nsApplied.changed && !cache(this.#i.namespaces, ns, false))
      this.#mgr.events.record(t, 'Normal', 'NamespaceCreated', `created namespace ${ns}`);
    const rbac = tenantRbac(t);
    for (const r of rbac.roles) await apply(res.Roles, r, cache(this.#i.roles, r.metadata?.name ?? ''));
    for (const b of rbac.bindings)
      await apply(res.RoleBindings, b, cache(this.#i.roleBindings, b.metadata?.name ?? ''));
    await this.#pruneReviewRoles(ns, new Set(rbac.roles.map((r) => r.metadata?.name ?? '')));
    await apply(res.ResourceQuotas, tenantQuota(t), cache(this.#i.quotas, TENANT_QUOTA_NAME));
    await apply(
      res.ServiceAccounts,
      compilerServiceAccount(t),
      cache(this.#i.serviceAccounts, COMPILER_SERVICE_ACCOUNT),
    );

    const secret = await this.#ensureKeys(t, ns);
    if (this.#external) await this.#external.provision(t);

    const revoked = revokedSigningKeyIdsOf(t);
    const publicKeys = secret ? publicKeysOf(secret, revoked) : prev.publicKeys;
    conds.push(
      secret
        ? {
            type: 'KeysReady',
            status: 'True',
            reason: 'KeysReady',
            message: `signing key ${publicKeys?.[0]?.keyId ?? ''} is current${revoked.size ? `; revoked: ${[...revoked].join(', ')}` : ''}`,
            observedGeneration: gen,
          }
        : {
            type: 'KeysReady',
            status: 'False',
            reason: 'KeysPending',
            message: `creating Secret ${ns}/${KEY_SECRET_NAME}`,
            observedGeneration: gen,
          },
      secret
        ? {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: `namespace ${ns}, roles, quota and keys are in place`,
            observedGeneration: gen,
          }
        : {
            type: 'Ready',
            status: 'False',
            reason: 'KeysPending',
            message: `waiting for Secret ${ns}/${KEY_SECRET_NAME}`,
            observedGeneration: gen,
          },
    );
    const { revokedSigningKeyIds: _before, ...kept } = prev;
    const status: TenantStatus = {
      ...kept,
      observedGeneration: gen,
      namespace: ns,
      keySecretName: KEY_SECRET_NAME,
      ...(publicKeys ? { publicKeys } : {}),
      ...(revoked.size ? { revokedSigningKeyIds: [...revoked].sort() } : {}),
      conditions: setConditions(prev.conditions, conds),
    };
    await this.#writeStatus(t, status);
  }

  /** A review role no member holds and the policy no longer names must stop granting anything. */
  async #pruneReviewRoles(ns: string, desired: Set<string>): Promise<void> {
    const stale = <T extends KubeObject>(list: T[]) =>
      list
        .map((o) => o.metadata?.name ?? '')
        .filter((n) => n.startsWith(REVIEW_ROLE_PREFIX) && !desired.has(n));
    const inNs = (o: KubeObject) => o.metadata?.namespace === ns;
    for (const name of stale(this.#i.roleBindings.cache.list().filter(inNs)))
      await this.#mgr.client.delete(res.RoleBindings, ns, name);
    for (const name of stale(this.#i.roles.cache.list().filter(inNs)))
      await this.#mgr.client.delete(res.Roles, ns, name);
  }

  async #writeStatus(t: Tenant, status: TenantStatus): Promise<void> {
    await this.#mgr.status.update(TenantResource, t, status);
  }

  /**
   * Creates the key Secret once, rotates it when spec.crypto.keyGeneration grows or when the
   * current signing key is revoked.
   */
  async #ensureKeys(t: Tenant, ns: string): Promise<SecretLike | undefined> {
    const live = this.#i.secrets.cache.getNamed(ns, KEY_SECRET_NAME) as SecretLike | undefined;
    if (!live) {
      try {
        const created = await this.#mgr.client.create(res.Secrets, await newKeySecret(t));
        this.#mgr.events.record(
          t,
          'Normal',
          'KeysGenerated',
          `generated key-encryption and signing keys in ${ns}/${KEY_SECRET_NAME}`,
        );
        return created;
      } catch (e) {
        // The cache lags our own create (or another operator instance won): use what exists.
        if (isAlreadyExists(e))
          return (await this.#mgr.client.get<SecretLike>(res.Secrets, ns, KEY_SECRET_NAME)) ?? undefined;
        throw e;
      }
    }
    if (currentKeyRevoked(t, live)) {
      const rotated = await this.#mgr.client.update(res.Secrets, await rotatedKeySecret(t, live));
      this.#mgr.events.record(
        t,
        'Warning',
        'SigningKeyRevoked',
        'the current signing key is revoked: rotated to a new key; versions signed by the revoked key are no longer released until compiled again',
      );
      return rotated;
    }
    if (secretKeyGeneration(live) < keyGenerationOf(t)) {
      const rotated = await this.#mgr.client.update(res.Secrets, await rotatedKeySecret(t, live));
      this.#mgr.events.record(
        t,
        'Normal',
        'KeysRotated',
        `rotated keys to generation ${keyGenerationOf(t)}; the previous public key stays published`,
      );
      return rotated;
    }
    return live;
  }

  async #finalize(t: Tenant): Promise<void> {
    if (!t.metadata.finalizers?.includes(TENANT_FINALIZER)) return;
    if (this.#external) await this.#external.drop(t);
    await this.#mgr.client.patch(TenantResource, undefined, t.metadata.name ?? '', {
      metadata: {
        finalizers: (t.metadata.finalizers ?? []).filter((f) => f !== TENANT_FINALIZER),
        resourceVersion: t.metadata.resourceVersion,
      },
    });
  }
}
