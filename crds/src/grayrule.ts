import { RE2JS } from 're2js';
import { z } from 'zod';
import { isIpOrCidr } from './ip.ts';
import {
  celString,
  conditions,
  dateTime,
  doc,
  isSemver,
  observedGeneration,
  patterned,
  resource,
  resourceName,
  SEMVER_EXPECTED,
  semver,
  text,
} from './meta.ts';

export { type Cidr, inRange, isIp, isIpOrCidr, parseCidr, parseIp, requestAddress, toRange } from './ip.ts';

export const GRAY_OPERATORS = [
  'In',
  'NotIn',
  'Eq',
  'Ne',
  'Contains',
  'StartsWith',
  'EndsWith',
  'NumEq',
  'Gt',
  'Gte',
  'Lt',
  'Lte',
  'SemverEq',
  'SemverGt',
  'SemverGte',
  'SemverLt',
  'SemverLte',
  'DateAfter',
  'DateBefore',
  'Matches',
  'InCIDR',
  'Exists',
  'Is',
] as const;
export type GrayOperator = (typeof GRAY_OPERATORS)[number];

/** Operators that take several values (a match against any one of them). */
export const MULTI_VALUE_OPERATORS: readonly GrayOperator[] = [
  'In',
  'NotIn',
  'Contains',
  'StartsWith',
  'EndsWith',
  'Matches',
  'InCIDR',
];

// A decimal number: what the numeric operators compare with (no exponent, hex or spaces).
export const NUMBER_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';
// An RFC 3339 date-time with a time zone.
export const RFC3339_PATTERN =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
const NUMBER_RE = new RegExp(NUMBER_PATTERN);
const RFC3339_RE = new RegExp(RFC3339_PATTERN);

/** Whether `pattern` compiles as an RE2 expression (what the API server's CEL matches() runs). */
export function isRe2(pattern: string): boolean {
  try {
    RE2JS.compile(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the values of a family of operators must be: the check in JavaScript (zod and the
 * engine) and in CEL (the API server), with the same words.
 */
interface ValueKind {
  operators: readonly GrayOperator[];
  test: (value: string) => boolean;
  /** CEL expression over `v`, true when the value is acceptable */
  cel: string;
  expected: string;
}

export const GRAY_VALUE_KINDS: readonly ValueKind[] = [
  {
    operators: ['NumEq', 'Gt', 'Gte', 'Lt', 'Lte'],
    test: (v) => NUMBER_RE.test(v),
    cel: `v.matches(${celString(NUMBER_PATTERN)})`,
    expected: 'compares numbers: the value must be a decimal number such as 18 or -2.5',
  },
  {
    operators: ['SemverEq', 'SemverGt', 'SemverGte', 'SemverLt', 'SemverLte'],
    test: isSemver,
    cel: 'isSemver(v)',
    expected: `compares versions: the value ${SEMVER_EXPECTED}`,
  },
  {
    operators: ['DateAfter', 'DateBefore'],
    test: (v) => RFC3339_RE.test(v),
    cel: `v.matches(${celString(RFC3339_PATTERN)})`,
    expected: 'compares times: the value must be an RFC 3339 time with a zone such as 2026-01-01T00:00:00Z',
  },
  {
    operators: ['Is'],
    test: (v) => v === 'true' || v === 'false',
    cel: "v in ['true', 'false']",
    expected: 'compares booleans: the value must be true or false',
  },
  {
    operators: ['InCIDR'],
    test: isIpOrCidr,
    cel: 'isIP(v) || isCIDR(v)',
    expected:
      'matches IP ranges: every value must be an IP address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32',
  },
  {
    operators: ['Matches'],
    test: isRe2,
    // matches() fails to evaluate on a pattern that does not compile, which refuses the object;
    // the comparison only makes the pattern's compilation part of the rule.
    cel: "type(''.matches(v)) == bool",
    expected: 'takes RE2 regular expressions: every value must compile (no backreferences or lookaround)',
  },
];

const list = (ops: readonly string[]) => `[${ops.map((o) => `'${o}'`).join(', ')}]`;

/** What is wrong with the number of values an operator is given, in the API server's words. */
export function grayArityProblem(operator: GrayOperator, count: number): string | undefined {
  if (operator === 'Exists') return count > 0 ? 'Exists takes no values' : undefined;
  if (count === 0) {
    return MULTI_VALUE_OPERATORS.includes(operator)
      ? `${operator} needs at least one value`
      : `${operator} needs a value`;
  }
  if (count > 1 && !MULTI_VALUE_OPERATORS.includes(operator)) {
    return `${operator} takes exactly one value; only ${MULTI_VALUE_OPERATORS.join(', ')} take several`;
  }
  return undefined;
}

/** What is wrong with one value of an operator, in the API server's words. */
export function grayValueProblem(operator: GrayOperator, value: string): string | undefined {
  const kind = GRAY_VALUE_KINDS.find((k) => k.operators.includes(operator));
  return kind && !kind.test(value) ? `${operator} ${kind.expected}` : undefined;
}

/** Every problem with a condition's values; [] when valid (the zod schema's check). */
export function grayValueProblems(operator: GrayOperator, values: readonly string[]): string[] {
  const arity = grayArityProblem(operator, values.length);
  if (arity !== undefined) return [arity];
  const bad = values.map((v) => grayValueProblem(operator, v)).find((p) => p !== undefined);
  return bad === undefined ? [] : [bad];
}

const VALUE_RULES = [
  {
    rule: "self.operator == 'Exists' ? size(self.values) == 0 : size(self.values) > 0",
    messageExpression: `self.operator == 'Exists' ? 'Exists takes no values' : self.operator + (self.operator in ${list(MULTI_VALUE_OPERATORS)} ? ' needs at least one value' : ' needs a value')`,
    fieldPath: '.values',
  },
  {
    rule: `self.operator in ${list(MULTI_VALUE_OPERATORS)} || size(self.values) <= 1`,
    messageExpression: `self.operator + ${celString(` takes exactly one value; only ${MULTI_VALUE_OPERATORS.join(', ')} take several`)}`,
    fieldPath: '.values',
  },
  ...GRAY_VALUE_KINDS.map((k) => ({
    rule: `!(self.operator in ${list(k.operators)}) || self.values.all(v, ${k.cel})`,
    messageExpression: `self.operator + ${celString(` ${k.expected}`)}`,
    fieldPath: '.values',
  })),
];

const ATTRIBUTE_PATTERN = '^[a-zA-Z_][a-zA-Z0-9_.-]*$';
const attributeName = (description: string) =>
  patterned(
    64,
    ATTRIBUTE_PATTERN,
    'must be an attribute name such as userId, region or app.version',
    description,
  );

export const GrayConditionSchema = doc(
  z
    .object({
      attribute: doc(
        attributeName('').check(z.minLength(1)),
        'User or device attribute sent by the SDK (userId, region, platform, sdkVersion, remoteAddress, or a custom one).',
      ),
      operator: doc(
        z.enum(GRAY_OPERATORS),
        'Comparison: In, NotIn, Eq, Ne, Contains, StartsWith, EndsWith (strings), NumEq, Gt, Gte, Lt, Lte (decimal numbers), SemverEq/Gt/Gte/Lt/Lte (semantic versions), DateAfter/DateBefore (RFC 3339), Matches (RE2 regular expression), InCIDR (IP address in a CIDR range, IPv4 or IPv6), Exists, Is (boolean).',
      ),
      values: doc(
        z.array(z.string().max(256)).max(100).default([]),
        `Values to compare with: several for ${MULTI_VALUE_OPERATORS.join(', ')} (any one matches), none for Exists, exactly one otherwise.`,
      ),
      caseInsensitive: doc(z.boolean().default(false), 'Compare strings case-insensitively.'),
      inverted: doc(z.boolean().default(false), 'Negate the result of the comparison.'),
    })
    .check(
      z.superRefine((c, ctx) => {
        for (const message of grayValueProblems(c.operator, c.values)) {
          ctx.addIssue({ code: 'custom', path: ['values'], message });
        }
      }),
    ),
  'One condition on a user attribute. A missing or unparsable attribute never matches, except with NotIn (a missing attribute is not in the list) and inverted Exists.',
  VALUE_RULES,
);
export type GrayCondition = z.infer<typeof GrayConditionSchema>;

export const GrayRuleSpecSchema = doc(
  z.object({
    miniProgram: resourceName('Name of the MiniProgram in the same namespace.'),
    version: semver('Candidate version given to matching users instead of the stable version.'),
    hostApps: doc(
      z.array(resourceName('HostApp name.')).max(64).optional(),
      'Restrict the rule to these host apps; empty means all host apps that list the mini-program.',
    ),
    priority: doc(
      z.int().min(0).max(1000).default(100),
      'Rules are evaluated by ascending priority number; the first match wins.',
    ),
    match: doc(
      z
        .object({
          all: doc(z.array(GrayConditionSchema).max(16).optional(), 'Conditions that must all match.'),
          any: doc(
            z.array(GrayConditionSchema).max(16).optional(),
            'Conditions of which at least one must match.',
          ),
        })
        .optional(),
      'Attribute conditions; a user matches when all of `all` and at least one of `any` (if given) match.',
    ),
    users: doc(
      z
        .object({
          ids: doc(z.array(z.string().max(128)).max(1000).optional(), 'Explicit user ids.'),
          configMapRef: doc(
            z
              .object({
                name: resourceName('ConfigMap name.'),
                key: text(253, 'Key holding one user id per line.'),
              })
              .optional(),
            'A ConfigMap of imported user ids (one per line; 100,000+ supported).',
          ),
        })
        .optional(),
      'Explicit users who get the candidate regardless of the percentage.',
    ),
    rollout: doc(
      z
        .object({
          percentage: doc(
            z.number().min(0).max(100),
            'Share of matching users who get the candidate, 0 to 100 (fractions such as 0.5 allowed). Monotonic: users in at 10% stay in at 20%.',
          ),
          stickiness: doc(
            attributeName('').optional(),
            'Attribute hashed to place a user in the rollout, such as userId, sessionId or deviceId; a user without it is not in the rollout, even at 100%. Unset: userId, else sessionId, else a random draw per request (an anonymous user without a session is then in with the given probability on each launch).',
          ),
          groupId: text(128, 'Hash group; defaults to <miniProgram>:<version>.').optional(),
        })
        .optional(),
      'Percentage rollout (Unleash-compatible normalized MurmurHash3).',
    ),
    schedule: doc(
      z
        .object({
          start: doc(dateTime().optional(), 'The rule becomes active at this time (RFC 3339).'),
          end: doc(dateTime().optional(), 'The rule becomes inactive at this time (RFC 3339).'),
        })
        .optional(),
      'Activation window.',
      [
        {
          rule: '!has(self.start) || !has(self.end) || self.end > self.start',
          message: 'schedule.end must be after schedule.start',
        },
      ],
    ),
    paused: doc(z.boolean().default(false), 'Pause the rule without deleting it.'),
  }),
  'Who gets a candidate version instead of the stable one.',
);

export const GrayRuleStatusSchema = doc(
  z.object({
    observedGeneration: observedGeneration(),
    active: doc(z.boolean().optional(), 'Whether the rule is currently in effect.'),
    candidateReady: doc(z.boolean().optional(), 'Whether the candidate version is Compiled and Approved.'),
    userList: doc(
      z
        .object({
          configMap: text(253, 'Name of the published, content-addressed list ConfigMap.'),
          key: text(253, 'Data key of the list in that ConfigMap.'),
          digest: text(80, 'sha256:<hex> of the published list; release documents pin it.'),
          count: doc(z.int().min(0), 'Number of distinct user ids.'),
          source: doc(
            z.object({
              name: resourceName('spec.users.configMapRef.name the list was read from.'),
              key: text(253, 'spec.users.configMapRef.key the list was read from.'),
            }),
            'Where the list came from, so a changed reference is never served with an old list.',
          ),
        })
        .optional(),
      'The imported user list (spec.users.configMapRef) as published for release documents; the last valid list is kept while the source is invalid.',
    ),
    nextTransitionTime: doc(
      dateTime().optional(),
      'When the rule next becomes active or inactive by its schedule.',
    ),
    conditions: conditions(),
  }),
  'Observed state of the gray rule.',
);

export const GrayRuleSchema = resource('GrayRule', GrayRuleSpecSchema, GrayRuleStatusSchema);
export type GrayRule = z.infer<typeof GrayRuleSchema>;
export type GrayRuleSpec = z.infer<typeof GrayRuleSpecSchema>;
export type GrayRuleStatus = z.infer<typeof GrayRuleStatusSchema>;
