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

/**
 * A CEL rule whose message is computed (x-kubernetes-validations messageExpression), for
 * messages that name the offending operator or value.
 */
export interface CelMessageRule {
  rule: string;
  messageExpression: string;
  fieldPath?: string;
  reason?: CelRule['reason'];
}

/**
 * Attaches a description (required on every CRD field) and optional CEL rules. Rules already
 * attached to `schema` (by a helper such as `semver`) are kept; the new ones are added.
 */
export function doc<T extends z.ZodType>(
  schema: T,
  description: string,
  rules: Array<CelRule | CelMessageRule> = [],
  extensions: Record<string, unknown> = {},
): T {
  const prior = (schema.meta()?.['x-kubernetes-validations'] as CelRule[] | undefined) ?? [];
  const meta: Record<string, unknown> = { ...schema.meta(), description, ...extensions };
  const all = [...prior, ...rules];
  if (all.length > 0) meta['x-kubernetes-validations'] = all;
  return schema.meta(meta);
}

/** A CEL string literal holding `text`. */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A string of at most `max` characters matching `pattern` (RE2 and JavaScript agree on it),
 * checked by a CEL rule rather than an OpenAPI pattern so that the API server's message says
 * in words what is expected (`expected`) instead of printing the expression.
 */
export function patterned(max: number, pattern: string, expected: string, description: string) {
  const re = new RegExp(pattern);
  return doc(
    z
      .string()
      .max(max)
      .check(z.refine((s) => re.test(s), expected)),
    description,
    [{ rule: `self.matches(${celString(pattern)})`, message: expected }],
  );
}

/**
 * A string checked by one of the API server's CEL format validators (`format.<name>()`), with
 * the same check in JavaScript for the zod schema.
 */
function formatted(
  max: number,
  format: string,
  test: (s: string) => boolean,
  expected: string,
  description: string,
) {
  return doc(z.string().max(max).check(z.refine(test, expected)), description, [
    { rule: `!format.${format}().validate(self).hasValue()`, message: expected },
  ]);
}

// Go's unicode.IsSpace, which CEL's trim() (strings.TrimSpace) strips; JavaScript's trim()
// differs (it strips U+FEFF and keeps U+0085), so the zod check spells the set out.
const BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** A name shown to people: at most `max` characters and not empty or only whitespace. */
export const displayName = (max: number, description: string) =>
  doc(
    z
      .string()
      .max(max)
      .check(z.refine((s) => !BLANK.test(s), 'must not be empty or only whitespace')),
    description,
    [{ rule: "self.trim() != ''", message: 'must not be empty or only whitespace' }],
  );

/** Makes a field immutable once set: the API server rejects any change. */
export function immutable(what: string): CelRule {
  return { rule: 'self == oldSelf', message: `${what} is immutable; create a new object instead` };
}

// Semantic Versioning 2.0.0 (semver.org): no leading "v", no leading zeros. The API server
// checks it with CEL's isSemver (the same grammar), the zod schema with this expression.
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
const SEMVER_RE = new RegExp(SEMVER_PATTERN);
export const SEMVER_EXPECTED = 'must be a semantic version such as 1.4.0 or 2.0.0-rc.1 (no leading v)';
export const isSemver = (s: string): boolean => SEMVER_RE.test(s);
export const semver = (description: string) =>
  doc(z.string().max(64).check(z.refine(isSemver, SEMVER_EXPECTED)), description, [
    { rule: 'isSemver(self)', message: SEMVER_EXPECTED },
  ]);

export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL_RE = new RegExp(DNS_LABEL_PATTERN);
const DNS_SUBDOMAIN_RE = new RegExp(DNS_SUBDOMAIN_PATTERN);
/** Kubernetes' IsDNS1123Label. */
export const isDnsLabel = (s: string): boolean => s.length <= 63 && DNS_LABEL_RE.test(s);
/** Kubernetes' IsDNS1123Subdomain. */
export const isDnsSubdomain = (s: string): boolean => s.length <= 253 && DNS_SUBDOMAIN_RE.test(s);
const DNS_LABEL_EXPECTED =
  'must be a lowercase RFC 1123 label: a-z, 0-9 and "-", starting and ending with an alphanumeric character';
const DNS_SUBDOMAIN_EXPECTED =
  'must be a lowercase RFC 1123 subdomain: a-z, 0-9, "-" and ".", starting and ending with an alphanumeric character';

// objectName, dnsLabel and digest keep an OpenAPI pattern, whose failure message prints the
// expression: HostApp and Tenant use them inside lists too large for a CEL rule per item. Kinds
// whose lists are bounded use resourceName and sha256Digest, which say what is expected.
export const dnsLabel = (description: string) =>
  doc(z.string().min(1).max(63).regex(DNS_LABEL_RE, DNS_LABEL_EXPECTED), description);
export const objectName = (description: string) =>
  doc(z.string().min(1).max(253).regex(DNS_SUBDOMAIN_RE, DNS_SUBDOMAIN_EXPECTED), description);
/** A Kubernetes object name (DNS subdomain), checked by CEL with the expectation in words. */
export const resourceName = (description: string) =>
  formatted(253, 'dns1123Subdomain', isDnsSubdomain, DNS_SUBDOMAIN_EXPECTED, description);

// Kubernetes label keys (IsQualifiedName: an optional DNS subdomain prefix and "/", then a name
// of at most 63 characters) and label values (IsValidLabelValue).
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
export function isLabelKey(s: string): boolean {
  const slash = s.indexOf('/');
  const name = slash === -1 ? s : s.slice(slash + 1);
  if (slash !== -1 && (slash === 0 || !isDnsSubdomain(s.slice(0, slash)))) return false;
  return name.length <= 63 && QUALIFIED_NAME_RE.test(name);
}
export const isLabelValue = (s: string): boolean => s === '' || (s.length <= 63 && QUALIFIED_NAME_RE.test(s));
const LABEL_KEY_EXPECTED =
  'must be a Kubernetes label key: an optional DNS subdomain prefix and "/", then at most 63 characters of a-z, A-Z, 0-9, "-", "_" and ".", starting and ending with a letter or digit';
const LABEL_VALUE_EXPECTED =
  'must be a Kubernetes label value: empty, or at most 63 characters of a-z, A-Z, 0-9, "-", "_" and ".", starting and ending with a letter or digit';
export const labelKey = (description: string) =>
  formatted(317, 'qualifiedName', isLabelKey, LABEL_KEY_EXPECTED, description);
export const labelValue = (description: string) =>
  formatted(63, 'labelValue', isLabelValue, LABEL_VALUE_EXPECTED, description);
/** A map of Kubernetes labels (keys and values checked as the API server checks labels). */
export const labels = (maxEntries: number, description: string) =>
  doc(
    z.record(z.string().max(317), z.string().max(63)).check(
      z.refine((m) => Object.keys(m).length <= maxEntries, `at most ${maxEntries} labels`),
      z.refine((m) => Object.keys(m).every(isLabelKey), LABEL_KEY_EXPECTED),
      z.refine((m) => Object.values(m).every(isLabelValue), LABEL_VALUE_EXPECTED),
    ),
    description,
    [
      {
        rule: 'self.all(k, !format.qualifiedName().validate(k).hasValue())',
        message: `every key ${LABEL_KEY_EXPECTED}`,
      },
      {
        rule: 'self.all(k, !format.labelValue().validate(self[k]).hasValue())',
        message: `every value ${LABEL_VALUE_EXPECTED}`,
      },
    ],
    { maxProperties: maxEntries },
  );

export const SHA256_DIGEST_PATTERN = '^sha256:[a-f0-9]{64}$';
const DIGEST_EXPECTED = 'must be "sha256:" followed by 64 lowercase hex characters';
export const digest = (description: string) =>
  doc(z.string().max(71).regex(new RegExp(SHA256_DIGEST_PATTERN), DIGEST_EXPECTED), description);
/** A sha256 digest, checked by CEL with the expectation in words. */
export const sha256Digest = (description: string) =>
  patterned(71, SHA256_DIGEST_PATTERN, DIGEST_EXPECTED, description);

export const text = (max: number, description: string) => doc(z.string().max(max), description);

/** An RFC 3339 date-time with a zone, bounded like every other string. */
export const dateTime = () => z.iso.datetime({ offset: true }).max(64);

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
      dateTime(),
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
