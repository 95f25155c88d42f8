// The informers every controller shares, with the indexes reconcilers query. Objects from the API
// are parsed with the zod schemas of @tessera/crds at this trust boundary; objects that do not
// parse are skipped (and logged) rather than crashing a reconciler.

import type { Informer, KubeObject, Manager } from '@tessera/controller-runtime';
import { resources as res } from '@tessera/controller-runtime';
import {
  type GrayRule,
  GrayRuleKind,
  GrayRuleSchema,
  type HostApp,
  HostAppKind,
  HostAppSchema,
  LABEL_MANAGED_BY,
  MANAGED_BY,
  type MiniProgram,
  MiniProgramKind,
  MiniProgramSchema,
  type MiniProgramVersion,
  MiniProgramVersionKind,
  MiniProgramVersionSchema,
  resourceOf,
  type Tenant,
  TenantKind,
  TenantSchema,
} from '@tessera/crds';
import type { z } from 'zod';
import { LABEL_COMPONENT, tenantNamespace } from './names.ts';
import type { Job, Pod } from './types.ts';

export const TenantResource = resourceOf(TenantKind);
export const MiniProgramResource = resourceOf(MiniProgramKind);
export const VersionResource = resourceOf(MiniProgramVersionKind);
export const HostAppResource = resourceOf(HostAppKind);
export const GrayRuleResource = resourceOf(GrayRuleKind);

export const BY_NAMESPACE = 'namespace';
export const BY_MINI_PROGRAM = 'miniProgram';
/** GrayRules by the namespace/name of the ConfigMap their spec.users.configMapRef names. */
export const BY_USER_LIST = 'userList';

const parser =
  <S extends z.ZodType>(schema: S) =>
  (obj: unknown): z.infer<S> | undefined => {
    const r = schema.safeParse(obj);
    return r.success ? r.data : undefined;
  };

export interface Informers {
  tenants: Informer<Tenant>;
  miniPrograms: Informer<MiniProgram>;
  versions: Informer<MiniProgramVersion>;
  hostApps: Informer<HostApp>;
  grayRules: Informer<GrayRule>;
  namespaces: Informer<KubeObject>;
  secrets: Informer<KubeObject & { data?: Record<string, string> }>;
  configMaps: Informer<KubeObject & { data?: Record<string, string> }>;
  /** Every ConfigMap's metadata: user lists are not ours to label, their content is read on demand. */
  configMapMeta: Informer<KubeObject>;
  serviceAccounts: Informer<KubeObject>;
  roles: Informer<KubeObject>;
  roleBindings: Informer<KubeObject>;
  quotas: Informer<KubeObject>;
  jobs: Informer<Job>;
  pods: Informer<Pod>;
}

const managed = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;
const compile = `${LABEL_COMPONENT}=compile`;
const mpKey = (o: { metadata: { namespace?: string }; spec: { miniProgram: string } }) => [
  `${o.metadata.namespace ?? ''}/${o.spec.miniProgram}`,
];

export function createInformers(mgr: Manager, selector?: string): Informers {
  const own = selector ? { labelSelector: selector } : {};
  const i: Informers = {
    tenants: mgr.informer<Tenant>(TenantResource, { ...own, parse: parser(TenantSchema) }),
    miniPrograms: mgr.informer<MiniProgram>(MiniProgramResource, {
      ...own,
      parse: parser(MiniProgramSchema),
    }),
    versions: mgr.informer<MiniProgramVersion>(VersionResource, {
      ...own,
      parse: parser(MiniProgramVersionSchema),
    }),
    hostApps: mgr.informer<HostApp>(HostAppResource, { ...own, parse: parser(HostAppSchema) }),
    grayRules: mgr.informer<GrayRule>(GrayRuleResource, { ...own, parse: parser(GrayRuleSchema) }),
    namespaces: mgr.informer(res.Namespaces, { labelSelector: managed }),
    secrets: mgr.informer(res.Secrets, { labelSelector: managed }),
    configMaps: mgr.informer(res.ConfigMaps, { labelSelector: managed }),
    configMapMeta: mgr.informer(res.ConfigMaps, {
      metadataOnly: true,
      transform: (cm) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: slimMeta(cm.metadata) }),
    }),
    serviceAccounts: mgr.informer(res.ServiceAccounts, { labelSelector: managed }),
    roles: mgr.informer(res.Roles, { labelSelector: managed }),
    roleBindings: mgr.informer(res.RoleBindings, { labelSelector: managed }),
    quotas: mgr.informer(res.ResourceQuotas, { labelSelector: managed }),
    jobs: mgr.informer<Job>(res.Jobs, { labelSelector: compile, transform: slimJob }),
    pods: mgr.informer<Pod>(res.Pods, { labelSelector: compile, transform: slimPod }),
  };
  i.tenants.cache.addIndex(BY_NAMESPACE, (t) => [tenantNamespace(t)]);
  i.versions.cache.addIndex(BY_MINI_PROGRAM, mpKey);
  i.grayRules.cache.addIndex(BY_MINI_PROGRAM, mpKey);
  i.grayRules.cache.addIndex(BY_USER_LIST, (r) =>
    r.spec.users?.configMapRef ? [`${r.metadata.namespace ?? ''}/${r.spec.users.configMapRef.name}`] : [],
  );
  i.pods.cache.addIndex('job', (p) => {
    const job = p.metadata?.labels?.['job-name'] ?? p.metadata?.labels?.['batch.kubernetes.io/job-name'];
    return job ? [`${p.metadata?.namespace ?? ''}/${job}`] : [];
  });
  return i;
}

export function tenantForNamespace(informers: Informers, namespace: string): Tenant | undefined {
  const found = informers.tenants.cache.byIndex(BY_NAMESPACE, namespace);
  // Two tenants claiming one namespace is a configuration error; the oldest wins.
  return found.sort((a, b) =>
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
  )[0];
}

// Jobs and Pods are the bulk of the cache; keep only what the controllers read.
function slimMeta(m: KubeObject['metadata']): KubeObject['metadata'] {
  return {
    name: m?.name,
    namespace: m?.namespace,
    uid: m?.uid,
    resourceVersion: m?.resourceVersion,
    labels: m?.labels,
    ownerReferences: m?.ownerReferences,
    deletionTimestamp: m?.deletionTimestamp,
  };
}

export function slimJob(j: Job): Job {
  return { apiVersion: j.apiVersion, kind: j.kind, metadata: slimMeta(j.metadata), status: j.status };
}

export function slimPod(p: Pod): Pod {
  return {
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: slimMeta(p.metadata),
    status: {
      phase: p.status?.phase,
      containerStatuses: p.status?.containerStatuses?.map((c) => ({
        name: c.name,
        state: c.state?.terminated ? { terminated: c.state.terminated } : {},
        ...(c.lastState?.terminated ? { lastState: { terminated: c.lastState.terminated } } : {}),
      })),
    },
  };
}
