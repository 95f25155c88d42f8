// Names and labels of the objects the operator creates, in one place so the store, the CLI and
// the pod runner can derive the same names.
import { createHash } from 'node:crypto';
import { LABEL_MANAGED_BY, LABEL_TENANT, MANAGED_BY, type Tenant } from '@tessera/crds';

export const LABEL_COMPONENT = 'tessera.dev/component';
export const LABEL_VERSION = 'tessera.dev/version';
export const LABEL_MPV = 'tessera.dev/mini-program-version';
export const TENANT_FINALIZER = 'tessera.dev/tenant-cleanup';

export const KEY_SECRET_NAME = 'tessera-tenant-keys';
export const COMPILER_SERVICE_ACCOUNT = 'tessera-compiler';
export const TENANT_QUOTA_NAME = 'tessera-quota';

export const tenantNamespace = (t: Pick<Tenant, 'metadata' | 'spec'>): string =>
  t.spec.namespace ?? `tessera-${t.metadata.name ?? ''}`;

export const roleName = (role: string) => `tessera:${role}`;

export const credentialsSecretName = (hostApp: string) => boundedName(`tessera-credentials-${hostApp}`, 253);

export function shortHash(input: string, length = 10): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

/** Deterministic, DNS-label-safe name that fits `max` characters. */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  const h = shortHash(name, 10);
  return `${name.slice(0, max - 11).replace(/[-.]+$/, '')}-${h}`;
}

/**
 * One compile Job per MiniProgramVersion object, named from its uid: a recreated version (new
 * uid) gets a new Job, the same version never gets two. 63 characters at most because the Job
 * name becomes a label value on its pods.
 */
export const compileJobName = (versionName: string, uid: string) =>
  `${versionName.slice(0, 40).replace(/[-.]+$/, '')}-compile-${shortHash(uid, 8)}`.replace(/\./g, '-');

export const managedLabels = (tenant: string, extra: Record<string, string> = {}) => ({
  [LABEL_MANAGED_BY]: MANAGED_BY,
  [LABEL_TENANT]: tenant,
  ...extra,
});
