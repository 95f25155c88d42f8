// Kubernetes audit events (audit.k8s.io/v1, posted by the API server's webhook backend) mapped to
// audit-chain entries. Only completed writes to the tessera.dev group are kept; request and
// response bodies are never copied, so nothing secret reaches the log even when the API server
// policy is more verbose than the one the chart ships.

import { z } from 'zod';
import type { AuditInput } from './chain.ts';

export const TESSERA_GROUP = 'tessera.dev';

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

const UserInfo = z.object({
  username: z.string().max(512).default(''),
  groups: z.array(z.string().max(512)).max(256).default([]),
});

const KubeAuditEvent = z.object({
  auditID: z.string().min(1).max(128),
  stage: z.string().max(64),
  verb: z.string().max(64),
  requestURI: z.string().max(8192).default(''),
  user: UserInfo,
  impersonatedUser: UserInfo.optional(),
  sourceIPs: z.array(z.string().max(64)).max(32).default([]),
  userAgent: z.string().max(1024).optional(),
  objectRef: z
    .object({
      resource: z.string().max(253).optional(),
      namespace: z.string().max(253).optional(),
      name: z.string().max(253).optional(),
      apiGroup: z.string().max(253).optional(),
      apiVersion: z.string().max(64).optional(),
      subresource: z.string().max(253).optional(),
    })
    .optional(),
  responseStatus: z.object({ code: z.number().int().optional() }).optional(),
  requestReceivedTimestamp: z.string().max(64).optional(),
  stageTimestamp: z.string().max(64).optional(),
});

export const KubeAuditEventList = z.object({
  kind: z.literal('EventList', { error: 'kind must be EventList (audit.k8s.io/v1)' }),
  apiVersion: z.literal('audit.k8s.io/v1', { error: 'apiVersion must be audit.k8s.io/v1' }),
  items: z.array(KubeAuditEvent).max(10_000),
});

export type KubeAuditEvent = z.infer<typeof KubeAuditEvent>;

/** Where an entry goes: a tenant's chain, or the platform chain for everything else. */
export type ChainRef = { tenant: string } | { platform: true };

export interface MappedEvent {
  chain: ChainRef;
  auditId: string;
  input: AuditInput;
}

export interface MapOptions {
  /** namespace → tenant owning it (undefined: not a tenant namespace) */
  tenantOfNamespace(namespace: string): string | undefined;
  /** whether the store knows a tenant by this name (Tenant objects go to their own chain) */
  isTenant(name: string): boolean;
  /**
   * Usernames of the store itself: its API writes are logged directly, naming the end user,
   * so their echo from the API server is dropped.
   */
  selfUsernames: ReadonlySet<string>;
}

/** Whether an event is a finished write to a Tessera resource. */
export function isTesseraWrite(e: KubeAuditEvent): boolean {
  return e.stage === 'ResponseComplete' && WRITE_VERBS.has(e.verb) && e.objectRef?.apiGroup === TESSERA_GROUP;
}

function chainFor(e: KubeAuditEvent, opts: MapOptions): ChainRef {
  const ref = e.objectRef;
  if (ref?.namespace) {
    const tenant = opts.tenantOfNamespace(ref.namespace);
    return tenant ? { tenant } : { platform: true };
  }
  // a deleted Tenant's schema (and chain) is dropped with it: its deletion is kept by the platform
  const deletion = e.verb === 'delete' || e.verb === 'deletecollection';
  if (ref?.resource === 'tenants' && ref.name && !deletion && opts.isTenant(ref.name))
    return { tenant: ref.name };
  return { platform: true };
}

/** null: not kept (a read, another group, an earlier stage, or the store's own echo). */
export function mapKubeEvent(e: KubeAuditEvent, opts: MapOptions): MappedEvent | null {
  if (!isTesseraWrite(e)) return null;
  if (opts.selfUsernames.has(e.user.username)) return null;
  const ref = e.objectRef ?? {};
  const resource = `${ref.resource ?? ''}${ref.subresource ? `/${ref.subresource}` : ''}`;
  const actor = e.impersonatedUser?.username || e.user.username;
  const target = ref.namespace ? `${ref.namespace}/${ref.name ?? ''}` : (ref.name ?? '');
  const details: Record<string, unknown> = {
    source: 'kubernetes',
    auditID: e.auditID,
    verb: e.verb,
    resource: ref.resource ?? '',
    subresource: ref.subresource ?? '',
    namespace: ref.namespace ?? '',
    name: ref.name ?? '',
    apiVersion: `${ref.apiGroup}/${ref.apiVersion ?? ''}`,
    code: e.responseStatus?.code ?? 0,
    user: e.user.username,
    groups: e.user.groups,
    sourceIPs: e.sourceIPs,
    userAgent: e.userAgent ?? '',
    requestReceived: e.requestReceivedTimestamp ?? '',
    completed: e.stageTimestamp ?? '',
  };
  if (e.impersonatedUser) {
    details.impersonatedUser = e.impersonatedUser.username;
    details.impersonatedGroups = e.impersonatedUser.groups;
  }
  return {
    chain: chainFor(e, opts),
    auditId: e.auditID,
    input: {
      actor,
      action: `kube.${e.verb}.${resource}`,
      target,
      remote: e.sourceIPs[0] ?? '',
      details,
    },
  };
}
