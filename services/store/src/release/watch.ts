// Feeds ReleaseState from the Kubernetes API: release ConfigMaps, tenant key Secrets, host-app
// credential Secrets and Tenants. This is a small loader on @kubernetes/client-node's informer
// (the operator's controller runtime is not exported as a package yet); a watch error restarts
// the informer after a short delay, which relists.

import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type V1ConfigMap,
  type V1Secret,
} from '@kubernetes/client-node';
import { GROUP, LABEL_RELEASE, LABEL_TENANT, type PublicKey, VERSION } from '@tessera/crds';
import type { Logger } from 'pino';
import { readCredentials, readKeks } from './keys.ts';
import type { ReleaseState } from './state.ts';

export const KEY_SECRET_NAME = 'tessera-tenant-keys';

interface TenantObject extends KubernetesObject {
  spec?: { namespace?: string };
  status?: { namespace?: string; publicKeys?: PublicKey[] };
}

export interface VersionObject extends KubernetesObject {
  spec?: { miniProgram?: string; version?: string };
  status?: { phase?: string; artifact?: { digest?: string } };
}

export interface ReleaseWatcher {
  synced(): boolean;
  stop(): void;
}

export function watchReleaseState(
  kc: KubeConfig,
  state: ReleaseState,
  log: Logger,
  hooks: {
    onTenant?: (tenant: string) => void;
    /** every version of a Tenant object seen (for the store's finalizer) */
    onTenantObject?: (tenant: KubernetesObject) => void;
    onTenantDeleted?: (tenant: string) => void;
    onChange?: () => void;
    /** a MiniProgramVersion reached Compiled or Failed (for lifecycle webhooks) */
    onVersionPhase?: (tenant: string, version: VersionObject, phase: 'Compiled' | 'Failed') => void;
  } = {},
  relistMs = 5 * 60_000,
): ReleaseWatcher {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const tenants = new Map<
    string,
    { namespace?: string; publicKeys: PublicKey[]; keks?: Map<string, CryptoKey> }
  >();
  const tenantByNamespace = new Map<string, string>();
  const configMaps = new Map<string, V1ConfigMap>();
  const stopped = { value: false };
  const syncedSet = new Set<string>();
  /** last seen phase per MiniProgramVersion uid */
  const phases = new Map<string, string | undefined>();

  const publishTenant = (name: string) => {
    const t = tenants.get(name);
    if (!t?.namespace) return;
    tenantByNamespace.set(t.namespace, name);
    state.setTenantKeys(name, {
      namespace: t.namespace,
      keks: t.keks ?? new Map(),
      publicKeys: t.publicKeys.map((k) => ({ keyId: k.keyId, key: k.publicKey })),
    });
    // release documents that arrived before the tenant's keys are applied now
    for (const cm of configMaps.values()) if (cm.metadata?.namespace === t.namespace) void applyCm(cm);
    hooks.onTenant?.(name);
  };

  const applied = new Set<string>();
  const applyCm = async (cm: V1ConfigMap) => {
    const r = await state.applyConfigMap(cm);
    const key = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    if (r.ok) applied.add(key);
    else applied.delete(key);
    if (!r.ok)
      log.warn(
        { configMap: `${cm.metadata?.namespace}/${cm.metadata?.name}`, reason: r.reason },
        'release ConfigMap refused',
      );
    hooks.onChange?.();
  };

  function run<T extends KubernetesObject>(
    name: string,
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
    labelSelector: string | undefined,
    handlers: { upsert: (o: T) => void | Promise<void>; remove: (o: T) => void },
  ) {
    const informer = makeInformer<T>(kc, path, list, labelSelector);
    informer.on('add', (o) => void handlers.upsert(o));
    informer.on('update', (o) => void handlers.upsert(o));
    informer.on('delete', (o) => handlers.remove(o));
    informer.on('connect', () => syncedSet.add(name));
    informer.on('error', (err: unknown) => {
      if (stopped.value) return;
      log.warn(
        { informer: name, err: err instanceof Error ? err.message : String(err) },
        'watch failed; restarting',
      );
      setTimeout(() => {
        if (!stopped.value) void informer.start().catch(() => undefined);
      }, 1000);
    });
    void informer
      .start()
      .catch((err: unknown) => log.warn({ informer: name, err: String(err) }, 'informer start failed'));
    return informer;
  }

  const informers = [
    run<TenantObject>(
      'tenants',
      `/apis/${GROUP}/${VERSION}/tenants`,
      () =>
        custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'tenants' }) as Promise<
          KubernetesListObject<TenantObject>
        >,
      undefined,
      {
        upsert: (t) => {
          const name = t.metadata?.name;
          if (!name) return;
          const prev = tenants.get(name);
          tenants.set(name, {
            ...(prev ?? {}),
            namespace: t.status?.namespace ?? t.spec?.namespace ?? `tessera-${name}`,
            publicKeys: t.status?.publicKeys ?? [],
          });
          publishTenant(name);
          hooks.onTenantObject?.(t);
        },
        remove: (t) => {
          const name = t.metadata?.name;
          if (!name) return;
          tenants.delete(name);
          state.deleteTenant(name);
          hooks.onTenantDeleted?.(name);
        },
      },
    ),
    run<V1Secret>(
      'secrets',
      '/api/v1/secrets',
      () => core.listSecretForAllNamespaces({ labelSelector: LABEL_TENANT }),
      LABEL_TENANT,
      {
        upsert: async (s) => {
          const tenant = s.metadata?.labels?.[LABEL_TENANT];
          if (!tenant) return;
          if (s.metadata?.name === KEY_SECRET_NAME) {
            const keks = await readKeks(s);
            // merge into the entry as it is now: the Tenant may have been updated meanwhile
            tenants.set(tenant, { ...(tenants.get(tenant) ?? { publicKeys: [] }), keks });
            publishTenant(tenant);
            return;
          }
          const creds = readCredentials(s);
          if (creds) await state.setCredentials(creds);
        },
        remove: (s) => {
          const key = s.data?.sdkKey;
          if (key) state.deleteCredentials(Buffer.from(key, 'base64').toString('utf8'));
        },
      },
    ),
    run<V1ConfigMap>(
      'release-configmaps',
      '/api/v1/configmaps',
      () => core.listConfigMapForAllNamespaces({ labelSelector: `${LABEL_RELEASE}=mini-program` }),
      `${LABEL_RELEASE}=mini-program`,
      {
        upsert: async (cm) => {
          const key = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
          // a periodic relist re-delivers unchanged objects: skip re-verifying those
          if (
            configMaps.get(key)?.metadata?.resourceVersion === cm.metadata?.resourceVersion &&
            applied.has(key)
          )
            return;
          configMaps.set(key, cm);
          await applyCm(cm);
        },
        remove: (cm) => {
          configMaps.delete(`${cm.metadata?.namespace}/${cm.metadata?.name}`);
          applied.delete(`${cm.metadata?.namespace}/${cm.metadata?.name}`);
          state.deleteConfigMap(cm);
          hooks.onChange?.();
        },
      },
    ),
    run<VersionObject>(
      'miniprogramversions',
      `/apis/${GROUP}/${VERSION}/miniprogramversions`,
      () =>
        custom.listClusterCustomObject({
          group: GROUP,
          version: VERSION,
          plural: 'miniprogramversions',
        }) as Promise<KubernetesListObject<VersionObject>>,
      undefined,
      {
        upsert: (v) => {
          const uid = v.metadata?.uid ?? '';
          const phase = v.status?.phase;
          const before = phases.get(uid);
          phases.set(uid, phase);
          if (phase === before || (phase !== 'Compiled' && phase !== 'Failed')) return;
          const tenant = tenantByNamespace.get(v.metadata?.namespace ?? '');
          if (tenant) hooks.onVersionPhase?.(tenant, v, phase);
        },
        remove: (v) => {
          phases.delete(v.metadata?.uid ?? '');
        },
      },
    ),
  ];

  // Safety net for watches that stall without an error (seen with some client-node
  // versions): relist everything periodically; unchanged objects are skipped above.
  const relist = setInterval(() => {
    for (const i of informers) {
      void Promise.resolve(i.stop())
        .then(() => (stopped.value ? undefined : i.start()))
        .catch((err: unknown) => log.warn({ err: String(err) }, 'periodic relist failed'));
    }
  }, relistMs);
  relist.unref();

  return {
    synced: () => syncedSet.size === informers.length,
    stop: () => {
      stopped.value = true;
      clearInterval(relist);
      for (const i of informers) void i.stop();
    },
  };
}

/** Reads an imported user-id list (one id per line) from a ConfigMap. */
export function kubeUserListLoader(kc: KubeConfig) {
  const core = kc.makeApiClient(CoreV1Api);
  return async (namespace: string, name: string, key: string): Promise<string[]> => {
    const cm = await core.readNamespacedConfigMap({ name, namespace });
    const text = cm.data?.[key] ?? '';
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  };
}
