// The objects a Tenant gets in its namespace, as pure functions of the Tenant.

import { type KubeObject, ownerReferenceTo } from '@tessera/controller-runtime';
import { GROUP, TENANT_ROLES, type Tenant } from '@tessera/crds';
import {
  COMPILER_SERVICE_ACCOUNT,
  managedLabels,
  roleName,
  TENANT_QUOTA_NAME,
  tenantNamespace,
} from './names.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];
const TESSERA = ['miniprograms', 'miniprogramversions', 'hostapps', 'grayrules'];
const TESSERA_STATUS = TESSERA.map((r) => `${r}/status`);
/** Source archives through the store (a subresource that exists only for RBAC). */
const READ_SOURCES = { apiGroups: [GROUP], resources: ['miniprogramversions/source'], verbs: ['get'] };

/**
 * RBAC rules per tenant role; `approve` on miniprogramversions lets a caller use the approvals
 * route at all, and `approve` on reviewroles/<role> (reviewRoleRbac) says for which review role.
 */
export function roleRules(role: (typeof TENANT_ROLES)[number]): Array<Record<string, unknown>> {
  switch (role) {
    case 'tenant-admin':
      return [
        { apiGroups: [GROUP], resources: TESSERA, verbs: [...READ, ...WRITE] },
        // status is written by its owner only (the operator; approvals by the store), never by a tenant
        { apiGroups: [GROUP], resources: TESSERA_STATUS, verbs: READ },
        { apiGroups: [GROUP], resources: ['miniprogramversions'], verbs: ['approve'] },
        READ_SOURCES,
        { apiGroups: [''], resources: ['configmaps'], verbs: [...READ, ...WRITE] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: READ },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events'], verbs: READ },
      ];
    case 'developer':
      return [
        {
          apiGroups: [GROUP],
          resources: ['miniprograms', 'miniprogramversions', 'grayrules'],
          verbs: [...READ, ...WRITE],
        },
        { apiGroups: [GROUP], resources: ['hostapps', ...TESSERA_STATUS], verbs: READ },
        READ_SOURCES,
        { apiGroups: [''], resources: ['configmaps'], verbs: [...READ, 'create', 'update', 'patch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: READ },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events'], verbs: READ },
      ];
    case 'reviewer':
      return [
        { apiGroups: [GROUP], resources: [...TESSERA, ...TESSERA_STATUS], verbs: READ },
        { apiGroups: [GROUP], resources: ['miniprogramversions'], verbs: ['approve'] },
        { apiGroups: [''], resources: ['events'], verbs: READ },
      ];
    case 'viewer':
      return [
        { apiGroups: [GROUP], resources: [...TESSERA, ...TESSERA_STATUS], verbs: READ },
        { apiGroups: [''], resources: ['events'], verbs: READ },
      ];
  }
}

/**
 * What compile Jobs may do, through the store only: fetch their source and upload their
 * artifact. These subresources exist only for RBAC (the store checks them with a
 * SubjectAccessReview); the compiler ServiceAccount has no Kubernetes API access at all.
 */
export const COMPILER_ROLE = 'compiler';
export const compilerRoleRules = (): Array<Record<string, unknown>> => [
  READ_SOURCES,
  { apiGroups: [GROUP], resources: ['miniprogramversions/artifact'], verbs: ['create'] },
];

export function tenantNamespaceObject(t: Tenant): KubeObject {
  const name = t.metadata.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: tenantNamespace(t),
      labels: managedLabels(name),
      ownerReferences: [ownerReferenceTo(t)],
    },
  };
}

export function tenantRbac(t: Tenant): { roles: KubeObject[]; bindings: KubeObject[] } {
  const ns = tenantNamespace(t);
  const tenant = t.metadata.name ?? '';
  const owner = [ownerReferenceTo(t)];
  const roles: KubeObject[] = [];
  const bindings: KubeObject[] = [];
  for (const role of TENANT_ROLES) {
    const meta = {
      name: roleName(role),
      namespace: ns,
      labels: managedLabels(tenant),
      ownerReferences: owner,
    };
    roles.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta,
      rules: roleRules(role),
    } as KubeObject);
    const subjects = (t.spec.members ?? []).filter((m) => m.role === role).map((m) => subjectOf(m, ns));
    bindings.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName(role) },
      // The API server omits an empty list; so do we, or every resync would see a difference.
      ...(subjects.length ? { subjects } : {}),
    } as KubeObject);
  }
  const review = reviewRoleRbac(t);
  roles.push(...review.roles);
  bindings.push(...review.bindings);
  const compilerMeta = {
    name: roleName(COMPILER_ROLE),
    namespace: ns,
    labels: managedLabels(tenant),
    ownerReferences: owner,
  };
  roles.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: compilerMeta,
    rules: compilerRoleRules(),
  } as KubeObject);
  bindings.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: compilerMeta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName(COMPILER_ROLE) },
    subjects: [{ kind: 'ServiceAccount', name: COMPILER_SERVICE_ACCOUNT, namespace: ns }],
  } as KubeObject);
  return { roles, bindings };
}

/** Role and RoleBinding names of a review role: tessera:review:<role>. */
export const REVIEW_ROLE_PREFIX = 'tessera:review:';
export const reviewRoleName = (reviewRole: string) => `${REVIEW_ROLE_PREFIX}${reviewRole}`;

/**
 * The store approves or rejects as review role R only for callers allowed verb `approve` on
 * reviewroles/R (a resource that exists only for RBAC). One Role per review role named by the
 * policy or by a member, bound to the reviewer members holding that reviewerRole; a required
 * role nobody holds gets a binding without subjects, so nobody can approve as it.
 */
export const reviewRoleRules = (reviewRole: string): Array<Record<string, unknown>> => [
  { apiGroups: [GROUP], resources: ['reviewroles'], resourceNames: [reviewRole], verbs: ['approve'] },
];

export function reviewRoleRbac(t: Tenant): { roles: KubeObject[]; bindings: KubeObject[] } {
  const ns = tenantNamespace(t);
  const tenant = t.metadata.name ?? '';
  const members = (t.spec.members ?? []).filter((m) => m.role === 'reviewer' && m.reviewerRole);
  const reviewRoles = [
    ...new Set([...(t.spec.reviewPolicy?.requiredRoles ?? []), ...members.map((m) => m.reviewerRole ?? '')]),
  ].sort();
  const roles: KubeObject[] = [];
  const bindings: KubeObject[] = [];
  for (const reviewRole of reviewRoles) {
    const meta = {
      name: reviewRoleName(reviewRole),
      namespace: ns,
      labels: managedLabels(tenant),
      ownerReferences: [ownerReferenceTo(t)],
    };
    roles.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta,
      rules: reviewRoleRules(reviewRole),
    } as KubeObject);
    const subjects = members.filter((m) => m.reviewerRole === reviewRole).map((m) => subjectOf(m, ns));
    bindings.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: reviewRoleName(reviewRole) },
      ...(subjects.length ? { subjects } : {}),
    } as KubeObject);
  }
  return { roles, bindings };
}

function subjectOf(m: NonNullable<Tenant['spec']['members']>[number], ns: string) {
  return m.kind === 'ServiceAccount'
    ? { kind: 'ServiceAccount', name: m.name, namespace: m.namespace ?? ns }
    : { kind: m.kind, name: m.name, apiGroup: 'rbac.authorization.k8s.io' };
}

export function tenantQuota(t: Tenant): KubeObject {
  const q = t.spec.quotas;
  const miniPrograms = q?.miniPrograms ?? 100;
  const perMp = q?.versionsPerMiniProgram ?? 50;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: {
      name: TENANT_QUOTA_NAME,
      namespace: tenantNamespace(t),
      labels: managedLabels(t.metadata.name ?? ''),
      ownerReferences: [ownerReferenceTo(t)],
    },
    spec: {
      hard: {
        [`count/miniprograms.${GROUP}`]: canonicalQuantity(miniPrograms),
        // A namespace-wide bound; the per-MiniProgram limit is checked by the MiniProgram controller.
        [`count/miniprogramversions.${GROUP}`]: canonicalQuantity(miniPrograms * perMp),
      },
    },
  } as KubeObject;
}

/** The compile Jobs' identity: no API permissions (only the store-checked compiler role), no automounted API token. */
export function compilerServiceAccount(t: Tenant): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: COMPILER_SERVICE_ACCOUNT,
      namespace: tenantNamespace(t),
      labels: managedLabels(t.metadata.name ?? ''),
      ownerReferences: [ownerReferenceTo(t)],
    },
    automountServiceAccountToken: false,
  } as KubeObject;
}

/**
 * An integer in the canonical form the API server stores (5000 -> "5k"), so the live object
 * compares equal to the desired one.
 */
export function canonicalQuantity(n: number): string {
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (n !== 0 && n % 1000 === 0 && i < suffixes.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n}${suffixes[i]}`;
}
