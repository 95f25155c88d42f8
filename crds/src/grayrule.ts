import { z } from 'zod';
import { conditions, doc, objectName, observedGeneration, resource, semver, text } from './meta.ts';

export const GRAY_OPERATORS = [
  'In',
  'NotIn',
  'Eq',
  'Ne',
  'Contains',
  'StartsWith',
  'EndsWith',
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
  'Exists',
  'Is',
] as const;
export type GrayOperator = (typeof GRAY_OPERATORS)[number];

export const GrayConditionSchema = doc(
  z.object({
    attribute: doc(
      z
        .string()
        .min(1)
        .max(64)
        .regex(
          /^[a-zA-Z_][a-zA-Z0-9_.-]*$/,
          'must be an attribute name such as userId, region or app.version',
        ),
      'User or device attribute sent by the SDK (userId, region, platform, sdkVersion, or a custom one).',
    ),
    operator: doc(
      z.enum(GRAY_OPERATORS),
      'Comparison: In, NotIn, Eq, Ne, Contains, StartsWith, EndsWith, Gt, Gte, Lt, Lte (numbers), SemverEq/Gt/Gte/Lt/Lte, DateAfter/DateBefore (RFC 3339), Matches (RE2 regular expression), Exists, Is (boolean).',
    ),
    values: doc(
      z.array(z.string().max(256)).max(100).default([]),
      'Values to compare with; one value except for In and NotIn; none for Exists.',
    ),
    caseInsensitive: doc(z.boolean().default(false), 'Compare strings case-insensitively.'),
    inverted: doc(z.boolean().default(false), 'Negate the result of the comparison.'),
  }),
  'One condition on a user attribute. Unknown or unparsable input never matches.',
  [
    {
      rule: "self.operator == 'Exists' || size(self.values) > 0",
      message: 'values must not be empty unless operator is Exists',
    },
    {
      rule: "self.operator in ['In', 'NotIn', 'Exists'] || size(self.values) <= 1",
      message: 'only In and NotIn take more than one value',
    },
  ],
);
export type GrayCondition = z.infer<typeof GrayConditionSchema>;

export const GrayRuleSpecSchema = doc(
  z.object({
    miniProgram: objectName('Name of the MiniProgram in the same namespace.'),
    version: semver('Candidate version given to matching users instead of the stable version.'),
    hostApps: doc(
      z.array(objectName('HostApp name.')).max(64).optional(),
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
                name: objectName('ConfigMap name.'),
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
            z
              .string()
              .max(64)
              .regex(/^[a-zA-Z_][a-zA-Z0-9_.-]*$/)
              .default('userId'),
            'Attribute hashed to place a user in the rollout.',
          ),
          groupId: text(128, 'Hash group; defaults to <miniProgram>:<version>.').optional(),
        })
        .optional(),
      'Percentage rollout (Unleash-compatible normalized MurmurHash3).',
    ),
    schedule: doc(
      z
        .object({
          start: doc(
            z.iso.datetime({ offset: true }).optional(),
            'The rule becomes active at this time (RFC 3339).',
          ),
          end: doc(
            z.iso.datetime({ offset: true }).optional(),
            'The rule becomes inactive at this time (RFC 3339).',
          ),
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
              name: objectName('spec.users.configMapRef.name the list was read from.'),
              key: text(253, 'spec.users.configMapRef.key the list was read from.'),
            }),
            'Where the list came from, so a changed reference is never served with an old list.',
          ),
        })
        .optional(),
      'The imported user list (spec.users.configMapRef) as published for release documents; the last valid list is kept while the source is invalid.',
    ),
    nextTransitionTime: doc(
      z.iso.datetime({ offset: true }).optional(),
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
