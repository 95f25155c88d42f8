// Feeds ReleaseState from the Kubernetes API with the operator's controller-runtime informers
// (@tessera/controller-runtime: list+watch, relist on 410 Gone, stall detection, backoff, cache):
// Tenants (public keys), tenant key Secrets and host-app credential Secrets, published user
// lists, release ConfigMaps, and MiniProgramVersions (phase changes for lifecycle webhooks).
//
// Order: keys, credentials and user lists are listed before the release ConfigMaps, so that at
// start-up each release document is verified and compiled once, with what it needs at hand
// (documents that arrive before their tenant's keys are applied again when the keys come).

import {
  Informer,
  type InformerOptions,
  type KubeClient,
  type KubeObject,
  type ResourceType,
  type Logger as RuntimeLogger,
  resources,
} from '@tessera/controller-runtime';
import {
  LABEL_RELEASE,
  LABEL_TENANT,
  LABEL_USER_LIST,
  MiniProgramVersionKind,
  type PublicKey,
  resourceOf,
  TenantKind,
} from '@tessera/crds';
import type { Logger } from 'pino';
import { readAllCredentials, readKeks, sdkKeysOf } from './keys.ts';
import type { ConfigMapLike, ReleaseState } from './state.ts';

export const KEY_SECRET_NAME = 'tessera-tenant-keys';

type ConfigMapObject = KubeObject & { data?: Record<string, string> };
type SecretObject = KubeObject & { data?: Record<string, string> };

export interface TenantObject extends KubeObject {
  spec?: { namespace?: string; crypto?: { revokedSigningKeyIds?: string[] } };
  status?: { namespace?: string; publicKeys?: PublicKey[]; revokedSigningKeyIds?: string[] };
}

export interface VersionObject extends KubeObject {
  spec?: { miniProgram?: string; version?: string };
  status?: { phase?: string; artifact?: { digest?: string } };
}

export interface ReleaseWatcher {
  /** every informer has listed once (readiness) */
  synced(): boolean;
  /** watch restarts by reason, for metrics and tests */
  restarts(): Record<string, number>;
  stop(): Promise<void>;
}

export interface ReleaseWatchHooks {
  onTenant?: (tenant: string) => void;
  /** every version of a Tenant object seen (for the store's finalizer) */
  onTenantObject?: (tenant: TenantObject) => void;
  onTenantDeleted?: (tenant: string) => void;
  onChange?: () => void;
  /** a MiniProgramVersion reached Compiled or Failed (for lifecycle webhooks) */
  onVersionPhase?: (tenant: string, version: VersionObject, phase: 'Compiled' | 'Failed') => void;
}

/** Watch tuning passed to every informer (tests shorten the timeouts). */
export type WatchOptions = Pick<
  InformerOptions<KubeObject>,
  'watchTimeoutSeconds' | 'stallGraceMs' | 'backoff'
>;

/** The runtime logs (message, fields); the store logs with pino (fields, message). */
export function runtimeLogger(log: Logger): RuntimeLogger {
  const fields = (f: Record<string, unknown> | undefined) =>
    f ? Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v instanceof Error ? v.message : v])) : {};
  return {
    debug: (m, f) => log.debug(fields(f), m),
    info: (m, f) => log.info(fields(f), m),
    warn: (m, f) => log.warn(fields(f), m),
    error: (m, f) => log.error(fields(f), m),
    child: (f) => runtimeLogger(log.child(f)),
  };
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function watchReleaseState(
  client: KubeClient,
  state: ReleaseState,
  log: Logger,
  hooks: ReleaseWatchHooks = {},
  options: WatchOptions = {},
): ReleaseWatcher {
  const restarts: Record<string, number> = {};
  const informer = <T extends KubeObject>(r: ResourceType, extra: InformerOptions<T> = {}) =>
    new Informer<T>(client, r, {
      ...options,
      logger: runtimeLogger(log),
      onRestart: (reason) => {
        restarts[reason] = (restarts[reason] ?? 0) + 1;
      },
      ...extra,
    });

  const tenantInf = informer<TenantObject>(resourceOf(TenantKind));
  const secretInf = informer<SecretObject>(resources.Secrets, { labelSelector: LABEL_TENANT });
  const listInf = informer<ConfigMapObject>(resources.ConfigMaps, { labelSelector: LABEL_USER_LIST });
  // per-mini-program release documents and host-app indexes (the platforms credentials are bound to)
  const releaseInf = informer<ConfigMapObject>(resources.ConfigMaps, {
    labelSelector: `${LABEL_RELEASE} in (mini-program,index)`,
  });
  const versionInf = informer<VersionObject>(resourceOf(MiniProgramVersionKind));
  const first = [tenantInf, secretInf, listInf];
  const all = [...first, releaseInf, versionInf];

  const tenants = new Map<
    string,
    { namespace?: string; publicKeys: PublicKey[]; revoked?: Set<string>; keks?: Map<string, CryptoKey> }
  >();
  const tenantByNamespace = new Map<string, string>();

  const isIndex = (cm: ConfigMapLike) => cm.metadata?.labels?.[LABEL_RELEASE] === 'index';
  const applyRelease = async (cm: ConfigMapLike) => {
    const r = isIndex(cm) ? await state.applyIndexConfigMap(cm) : await state.applyConfigMap(cm);
    const configMap = `${cm.metadata?.namespace}/${cm.metadata?.name}`;
    if (!r.ok && !r.superseded) log.warn({ configMap, reason: r.reason }, 'release ConfigMap refused');
    if (r.ok)
      for (const refused of r.refusedRules)
        log.warn(
          { configMap, rule: refused.rule, reason: refused.reason },
          'gray rule left out until its user list verifies',
        );
    hooks.onChange?.();
  };
  const later = (what: string, p: Promise<unknown>) =>
    void p.catch((e: unknown) => log.warn({ err: errText(e) }, `${what} failed`));

  const publishTenant = (name: string) => {
    const t = tenants.get(name);
    if (!t?.namespace) return;
    tenantByNamespace.set(t.namespace, name);
    state.setTenantKeys(name, {
      namespace: t.namespace,
      keks: t.keks ?? new Map(),
      publicKeys: t.publicKeys.map((k) => ({ keyId: k.keyId, key: k.publicKey })),
      revokedKeyIds: t.revoked ?? new Set(),
    });
    // release documents that arrived before the tenant's keys are applied now
    for (const cm of releaseInf.cache.list(t.namespace)) later('release apply', applyRelease(cm));
    hooks.onTenant?.(name);
  };

  const upsertTenant = (t: TenantObject) => {
    const name = t.metadata?.name;
    if (!name) return;
    tenants.set(name, {
      ...(tenants.get(name) ?? {}),
      namespace: t.status?.namespace ?? t.spec?.namespace ?? `tessera-${name}`,
      publicKeys: t.status?.publicKeys ?? [],
      // the spec is the platform team's word, the status the operator's: either revokes
      revoked: new Set([
        ...(t.spec?.crypto?.revokedSigningKeyIds ?? []),
        ...(t.status?.revokedSigningKeyIds ?? []),
      ]),
    });
    publishTenant(name);
    hooks.onTenantObject?.(t);
  };
  tenantInf.addHandler({
    onAdd: upsertTenant,
    onUpdate: (_, t) => upsertTenant(t),
    onDelete: (t) => {
      const name = t.metadata?.name;
      if (!name) return;
      const ns = tenants.get(name)?.namespace;
      if (ns && tenantByNamespace.get(ns) === name) tenantByNamespace.delete(ns);
      tenants.delete(name);
      state.deleteTenant(name);
      hooks.onTenantDeleted?.(name);
    },
  });

  const upsertSecret = async (s: SecretObject) => {
    const tenant = s.metadata?.labels?.[LABEL_TENANT];
    if (!tenant) return;
    if (s.metadata?.name === KEY_SECRET_NAME) {
      const keks = await readKeks(s);
      // merge into the entry as it is now: the Tenant may have been updated meanwhile
      tenants.set(tenant, { ...(tenants.get(tenant) ?? { publicKeys: [] }), keks });
      publishTenant(tenant);
      return;
    }
    for (const creds of readAllCredentials(s)) await state.setCredentials(creds);
  };
  secretInf.addHandler({
    onAdd: (s) => later('secret', upsertSecret(s)),
    onUpdate: (old, s) => {
      // keys rotated out (the previous pair dropped, or replaced by a second rotation) go
      const now = new Set(sdkKeysOf(s));
      for (const key of sdkKeysOf(old)) if (!now.has(key)) state.deleteCredentials(key);
      later('secret', upsertSecret(s));
    },
    onDelete: (s) => {
      for (const key of sdkKeysOf(s)) state.deleteCredentials(key);
    },
  });

  listInf.addHandler({
    onAdd: (cm) =>
      later(
        'user list',
        state.setUserListConfigMap(cm).then(() => hooks.onChange?.()),
      ),
    onUpdate: (_, cm) =>
      later(
        'user list',
        state.setUserListConfigMap(cm).then(() => hooks.onChange?.()),
      ),
    onDelete: (cm) => state.deleteUserListConfigMap(cm),
  });

  releaseInf.addHandler({
    onAdd: (cm) => later('release apply', applyRelease(cm)),
    onUpdate: (_, cm) => later('release apply', applyRelease(cm)),
    onDelete: (cm) => {
      if (isIndex(cm)) state.deleteIndexConfigMap(cm);
      else state.deleteConfigMap(cm);
      hooks.onChange?.();
    },
  });

  /** last seen phase per MiniProgramVersion uid */
  const phases = new Map<string, string | undefined>();
  const seeVersion = (v: VersionObject) => {
    const uid = v.metadata?.uid ?? '';
    const phase = v.status?.phase;
    const before = phases.get(uid);
    phases.set(uid, phase);
    if (phase === before || (phase !== 'Compiled' && phase !== 'Failed')) return;
    const tenant = tenantByNamespace.get(v.metadata?.namespace ?? '');
    if (tenant) hooks.onVersionPhase?.(tenant, v, phase);
  };
  versionInf.addHandler({
    onAdd: seeVersion,
    onUpdate: (_, v) => seeVersion(v),
    onDelete: (v) => phases.delete(v.metadata?.uid ?? ''),
  });

  const stopping = new AbortController();
  for (const i of first) i.start();
  void (async () => {
    for (const i of first) if (!(await i.waitForSync(stopping.signal))) return;
    if (stopping.signal.aborted) return;
    releaseInf.start();
    versionInf.start();
  })();

  return {
    synced: () => all.every((i) => i.hasSynced()),
    restarts: () => ({ ...restarts }),
    stop: async () => {
      stopping.abort();
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}
