import { z } from 'zod';

/** API group and version shared by every Tessera resource. */
export const GROUP = 'tessera.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/**
 * A CEL rule evaluated by the API server (x-kubernetes-validations). The same
 * rule is documented on the zod schema so the CRD generator can emit it.
 */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

/** Attaches a description (required on every CRD field) and optional CEL rules. */
export function doc<T extends z.ZodType>(
  schema: T,
  description: string,
  rules: CelRule[] = [],
  extensions: Record<string, unknown> = {},
): T {
  const meta: Record<string, unknown> = { description, ...extensions };
  if (rules.length > 0) meta['x-kubernetes-validations'] = rules;
  return schema.meta(meta);
}

/** Makes a field immutable once set: the API server rejects any change. */
export function immutable(what: string): CelRule {
  return { rule: 'self == oldSelf', message: `${what} is immutable; create a new object instead` };
}

// Semantic Versioning 2.0.0 (semver.org), in RE2 syntax so the API server accepts it.
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
export const semver = (description: string) =>
  doc(
    z
      .string()
      .max(64)
      .regex(new RegExp(SEMVER_PATTERN), 'must be a semantic version such as 1.4.0 or 2.0.0-rc.1'),
    description,
  );

export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const dnsLabel = (description: string) =>
  doc(
    z
      .string()
      .min(1)
      .max(63)
      .regex(
        new RegExp(DNS_LABEL_PATTERN),
        'must be a lowercase RFC 1123 label: a-z, 0-9 and "-", starting and ending with an alphanumeric character',
      ),
    description,
  );
export const objectName = (description: string) =>
  doc(
    z
      .string()
      .min(1)
      .max(253)
      .regex(
        new RegExp(DNS_SUBDOMAIN_PATTERN),
        'must be a lowercase RFC 1123 subdomain: a-z, 0-9, "-" and ".", starting and ending with an alphanumeric character',
      ),
    description,
  );

export const SHA256_DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
export const digest = (description: string) =>
  doc(
    z
      .string()
      .regex(new RegExp(SHA256_DIGEST_PATTERN), 'must be "sha256:" followed by 64 lowercase hex characters'),
    description,
  );

export const text = (max: number, description: string) => doc(z.string().max(max), description);

/** metav1.Condition, as a list-map keyed by type. */
export const ConditionSchema = doc(
  z.object({
    type: doc(
      z
        .string()
        .min(1)
        .max(316)
        .regex(/^([a-zA-Z0-9.-]+\/)?[A-Za-z]([A-Za-z0-9_]*[A-Za-z0-9])?$/),
      'Type of the condition in CamelCase, e.g. Ready, Compiled, Approved, Released.',
    ),
    status: doc(z.enum(['True', 'False', 'Unknown']), 'Status of the condition: True, False or Unknown.'),
    observedGeneration: doc(
      z.int().min(0).optional(),
      'The .metadata.generation that the condition was set based upon.',
    ),
    lastTransitionTime: doc(
      z.iso.datetime({ offset: true }),
      'Last time the condition changed from one status to another (RFC 3339).',
    ),
    reason: doc(
      z
        .string()
        .min(1)
        .max(1024)
        .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/),
      'Machine-readable CamelCase reason for the last transition.',
    ),
    message: text(32768, 'Human-readable message saying what happened and, when not ready, what to do.'),
  }),
  'A condition in metav1.Condition form.',
);
export type Condition = z.infer<typeof ConditionSchema>;

export const conditions = () =>
  doc(
    z.array(ConditionSchema).max(16).optional(),
    'Current state of the object as a list of conditions; Ready summarises them.',
    [],
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  );

export const observedGeneration = () =>
  doc(z.int().min(0).optional(), 'The .metadata.generation the controller last acted on.');

/** The subset of ObjectMeta the platform reads; the API server owns the rest. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(z.looseObject({})).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** Wraps a kind's spec and status into the full resource schema. */
export function resource<K extends string, S extends z.ZodType, St extends z.ZodType>(
  kind: K,
  spec: S,
  status: St,
) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(kind),
    metadata: ObjectMetaSchema,
    spec,
    status: status.optional(),
  });
}
