import type { z } from 'zod';
import { GrayRuleSchema, GrayRuleSpecSchema, GrayRuleStatusSchema } from './grayrule.ts';
import { HostAppSchema, HostAppSpecSchema, HostAppStatusSchema } from './hostapp.ts';
import { type CelRule, GROUP, VERSION } from './meta.ts';
import { MiniProgramSchema, MiniProgramSpecSchema, MiniProgramStatusSchema } from './miniprogram.ts';
import {
  MiniProgramVersionSchema,
  MiniProgramVersionSpecSchema,
  MiniProgramVersionStatusSchema,
} from './miniprogramversion.ts';
import { TENANT_NAME_RULE, TenantSchema, TenantSpecSchema, TenantStatusSchema } from './tenant.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindInfo {
  kind: string;
  plural: string;
  singular: string;
  shortName: string;
  namespaced: boolean;
  description: string;
  schema: z.ZodType;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: PrinterColumn[];
  /** CEL rules over the whole object (they may read metadata.name). */
  rules?: CelRule[];
}

const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the object is ready.',
};
const reason: PrinterColumn = {
  name: 'Reason',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  description: 'Why the object is or is not ready.',
  priority: 1,
};
const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Time since creation.',
};

export const TenantKind: KindInfo = {
  kind: 'Tenant',
  plural: 'tenants',
  singular: 'tenant',
  shortName: 'tn',
  namespaced: false,
  description:
    'Tenant is one enterprise or business unit: it gets a namespace, RBAC roles, quotas, key material and a database schema.',
  schema: TenantSchema,
  rules: [TENANT_NAME_RULE],
  spec: TenantSpecSchema,
  status: TenantStatusSchema,
  printerColumns: [
    {
      name: 'Display Name',
      type: 'string',
      jsonPath: '.spec.displayName',
      description: 'Tenant display name.',
    },
    { name: 'Namespace', type: 'string', jsonPath: '.status.namespace', description: 'Tenant namespace.' },
    ready,
    reason,
    age,
  ],
};

export const MiniProgramKind: KindInfo = {
  kind: 'MiniProgram',
  plural: 'miniprograms',
  singular: 'miniprogram',
  shortName: 'mp',
  namespaced: true,
  description:
    'MiniProgram is one application identity, its domains, privacy scopes and released (stable) version.',
  schema: MiniProgramSchema,
  spec: MiniProgramSpecSchema,
  status: MiniProgramStatusSchema,
  printerColumns: [
    { name: 'App ID', type: 'string', jsonPath: '.spec.appId', description: 'Application id.' },
    { name: 'Stable', type: 'string', jsonPath: '.spec.stableVersion', description: 'Stable version.' },
    { name: 'Latest', type: 'string', jsonPath: '.status.latestVersion', description: 'Latest version.' },
    {
      name: 'Gray Rules',
      type: 'integer',
      jsonPath: '.status.activeGrayRules',
      description: 'Active gray rules.',
    },
    { name: 'Suspended', type: 'boolean', jsonPath: '.spec.suspended', description: 'Taken down.' },
    {
      name: 'Owner',
      type: 'string',
      jsonPath: '.spec.owner',
      description: 'Owning team or contact.',
      priority: 1,
    },
    ready,
    reason,
    age,
  ],
};

export const MiniProgramVersionKind: KindInfo = {
  kind: 'MiniProgramVersion',
  plural: 'miniprogramversions',
  singular: 'miniprogramversion',
  shortName: 'mpv',
  namespaced: true,
  description:
    'MiniProgramVersion is one immutable build of a mini-program: the operator compiles, encrypts and signs it in a Job.',
  schema: MiniProgramVersionSchema,
  spec: MiniProgramVersionSpecSchema,
  status: MiniProgramVersionStatusSchema,
  printerColumns: [
    { name: 'Mini Program', type: 'string', jsonPath: '.spec.miniProgram', description: 'Mini-program.' },
    { name: 'Version', type: 'string', jsonPath: '.spec.version', description: 'Semantic version.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Lifecycle phase.' },
    {
      name: 'Approved',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Approved")].status',
      description: 'Whether the review policy is satisfied.',
    },
    {
      name: 'Size',
      type: 'integer',
      jsonPath: '.status.artifact.size',
      description: 'Encrypted package size in bytes.',
      priority: 1,
    },
    ready,
    reason,
    age,
  ],
};

export const HostAppKind: KindInfo = {
  kind: 'HostApp',
  plural: 'hostapps',
  singular: 'hostapp',
  shortName: 'ha',
  namespaced: true,
  description:
    'HostApp is an application embedding the runtime SDK: which mini-programs it lists, its host APIs, menus, branding and credentials.',
  schema: HostAppSchema,
  spec: HostAppSpecSchema,
  status: HostAppStatusSchema,
  printerColumns: [
    { name: 'Display Name', type: 'string', jsonPath: '.spec.displayName', description: 'Host app name.' },
    {
      name: 'Mini Programs',
      type: 'integer',
      jsonPath: '.status.listedMiniPrograms',
      description: 'Mini-programs listed.',
    },
    {
      name: 'Credentials',
      type: 'string',
      jsonPath: '.status.credentialsSecret',
      description: 'Credentials Secret.',
      priority: 1,
    },
    ready,
    reason,
    age,
  ],
};

export const GrayRuleKind: KindInfo = {
  kind: 'GrayRule',
  plural: 'grayrules',
  singular: 'grayrule',
  shortName: 'gr',
  namespaced: true,
  description:
    'GrayRule gives a candidate version to matching users (attributes, user lists, percentage) instead of the stable one.',
  schema: GrayRuleSchema,
  spec: GrayRuleSpecSchema,
  status: GrayRuleStatusSchema,
  printerColumns: [
    { name: 'Mini Program', type: 'string', jsonPath: '.spec.miniProgram', description: 'Mini-program.' },
    { name: 'Version', type: 'string', jsonPath: '.spec.version', description: 'Candidate version.' },
    {
      name: 'Percent',
      type: 'number',
      jsonPath: '.spec.rollout.percentage',
      description: 'Rollout percentage.',
    },
    { name: 'Priority', type: 'integer', jsonPath: '.spec.priority', description: 'Priority.', priority: 1 },
    { name: 'Active', type: 'boolean', jsonPath: '.status.active', description: 'Currently in effect.' },
    ready,
    reason,
    age,
  ],
};

export const KINDS: readonly KindInfo[] = [
  TenantKind,
  MiniProgramKind,
  MiniProgramVersionKind,
  HostAppKind,
  GrayRuleKind,
];

export const CATEGORY = 'tessera';
export const crdName = (k: KindInfo) => `${k.plural}.${GROUP}`;

/** Where a kind is served, in the shape API clients address it (the operator runtime's ResourceType). */
export const resourceOf = (k: KindInfo) => ({
  group: GROUP,
  version: VERSION,
  kind: k.kind,
  plural: k.plural,
  namespaced: k.namespaced,
});
export { GROUP, VERSION };
