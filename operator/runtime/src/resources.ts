// How to address a resource over REST. Custom resources are described the same way from the
// per-kind constants of @tessera/crds.

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function resourceId(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function core(kind: string, plural: string, namespaced: boolean): ResourceType {
  return { group: '', version: 'v1', kind, plural, namespaced };
}

export const Namespaces = core('Namespace', 'namespaces', false);
export const Secrets = core('Secret', 'secrets', true);
export const ConfigMaps = core('ConfigMap', 'configmaps', true);
export const Pods = core('Pod', 'pods', true);
export const ServiceAccounts = core('ServiceAccount', 'serviceaccounts', true);
export const ResourceQuotas = core('ResourceQuota', 'resourcequotas', true);
export const CoreEvents = core('Event', 'events', true);
export const Jobs: ResourceType = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
};
export const Leases: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
};
export const Roles: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  namespaced: true,
};
export const RoleBindings: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  namespaced: true,
};
