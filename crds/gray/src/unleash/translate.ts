// Translation of Unleash client-specification feature toggles into GrayRules, to measure the
// engine against the specification: a toggle is "enabled" for a context exactly when the rules
// it translates to give the candidate version. Strategies become rules (any one matching is
// enough, as in Unleash), constraints and segments become `match.all` conditions, rollouts keep
// their percentage, stickiness and group id. A toggle the GrayRule schema cannot hold is
// reported with the reason instead of being approximated.

import { type GrayCondition, type GrayOperator, type GrayRuleSpec, GrayRuleSpecSchema } from '@tessera/crds';
import type { AttributeValue, EvaluationContext, GrayRuleInput } from '../types.ts';

export interface UnleashConstraint {
  contextName: string;
  operator: string;
  values?: string[];
  value?: string;
  caseInsensitive?: boolean;
  inverted?: boolean;
}

export interface UnleashStrategy {
  name: string;
  parameters?: Record<string, string> | null;
  constraints?: UnleashConstraint[];
  segments?: number[];
}

export interface UnleashFeature {
  name: string;
  enabled: boolean;
  strategies?: UnleashStrategy[];
  dependencies?: unknown[];
}

export interface UnleashSegment {
  id: number;
  constraints: UnleashConstraint[];
}

export interface UnleashState {
  features: UnleashFeature[];
  segments?: UnleashSegment[];
}

export interface UnleashContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  currentTime?: string;
  properties?: Record<string, string | null>;
}

export type Translation = { ok: true; rules: GrayRuleInput[] } | { ok: false; reason: string };

const MINI_PROGRAM = 'unleash';
const CANDIDATE = '2.0.0';

const OPERATORS: Record<string, GrayOperator> = {
  IN: 'In',
  NOT_IN: 'NotIn',
  STR_CONTAINS: 'Contains',
  STR_STARTS_WITH: 'StartsWith',
  STR_ENDS_WITH: 'EndsWith',
  NUM_EQ: 'NumEq',
  NUM_GT: 'Gt',
  NUM_GTE: 'Gte',
  NUM_LT: 'Lt',
  NUM_LTE: 'Lte',
  DATE_AFTER: 'DateAfter',
  DATE_BEFORE: 'DateBefore',
  SEMVER_EQ: 'SemverEq',
  SEMVER_GT: 'SemverGt',
  SEMVER_GTE: 'SemverGte',
  SEMVER_LT: 'SemverLt',
  SEMVER_LTE: 'SemverLte',
  REGEX: 'Matches',
  IN_CIDR: 'InCIDR',
};

class Inexpressible extends Error {}

function condition(c: UnleashConstraint): GrayCondition {
  const operator = OPERATORS[c.operator];
  if (!operator) throw new Inexpressible(`operator ${c.operator} does not exist in GrayRule`);
  return {
    attribute: c.contextName,
    operator,
    values: c.values ?? (c.value === undefined ? [] : [c.value]),
    caseInsensitive: c.caseInsensitive === true,
    inverted: c.inverted === true,
  };
}

const list = (csv: string | undefined) =>
  (csv ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A rollout whose random draw is deterministic at 0% and 100% only. */
function randomRollout(percentage: number): GrayRuleSpec['rollout'] {
  if (percentage !== 0 && percentage !== 100) {
    throw new Inexpressible(
      `random stickiness at ${percentage}%: GrayRule rollouts are sticky (a hash of an attribute), a fresh draw per evaluation is only their fallback for requests with neither user nor session id`,
    );
  }
  return { percentage };
}

/** The rollout and extra conditions of one strategy. */
function strategyParts(
  s: UnleashStrategy,
  feature: string,
): Pick<GrayRuleSpec, 'rollout'> & { conditions: GrayCondition[] } {
  const p = s.parameters ?? {};
  const pct = (key: string) => Number(p[key] ?? '100');
  switch (s.name) {
    case 'default':
      return { conditions: [] };
    case 'userWithId':
      return {
        conditions: [
          {
            attribute: 'userId',
            operator: 'In',
            values: list(p.userIds),
            caseInsensitive: false,
            inverted: false,
          },
        ],
      };
    case 'remoteAddress':
      return {
        conditions: [
          {
            attribute: 'remoteAddress',
            operator: 'InCIDR',
            values: list(p.IPs),
            caseInsensitive: false,
            inverted: false,
          },
        ],
      };
    case 'gradualRolloutUserId':
      return {
        conditions: [],
        rollout: { percentage: pct('percentage'), stickiness: 'userId', groupId: p.groupId ?? '' },
      };
    case 'gradualRolloutSessionId':
      return {
        conditions: [],
        rollout: { percentage: pct('percentage'), stickiness: 'sessionId', groupId: p.groupId ?? '' },
      };
    case 'gradualRolloutRandom':
      return { conditions: [], rollout: randomRollout(pct('percentage')) };
    case 'flexibleRollout': {
      const percentage = pct('rollout');
      const groupId = p.groupId || feature;
      const stickiness = p.stickiness ?? 'default';
      if (stickiness === 'random') return { conditions: [], rollout: randomRollout(percentage) };
      return {
        conditions: [],
        rollout: stickiness === 'default' ? { percentage, groupId } : { percentage, stickiness, groupId },
      };
    }
    default:
      throw new Inexpressible(`strategy ${s.name} has no GrayRule equivalent`);
  }
}

function segmentConditions(s: UnleashStrategy, state: UnleashState): GrayCondition[] {
  return (s.segments ?? []).flatMap((id) => {
    const segment = state.segments?.find((g) => g.id === id);
    if (!segment) throw new Inexpressible(`segment ${id} does not exist (a dangling reference)`);
    return segment.constraints.map(condition);
  });
}

/** The spec of a rule as `kubectl apply` would send it, checked by the GrayRule schema. */
function admitted(spec: Record<string, unknown>): GrayRuleSpec {
  const parsed = GrayRuleSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Inexpressible(`admission refuses the rule (${why})`);
  }
  return parsed.data;
}

/** A GrayRule spec as the operator hands it to the engine. */
function toInput(name: string, spec: GrayRuleSpec): GrayRuleInput {
  return {
    name,
    miniProgram: spec.miniProgram,
    version: spec.version,
    priority: spec.priority,
    match: spec.match,
    userIds: spec.users?.ids,
    rollout: spec.rollout,
    schedule: spec.schedule,
    paused: spec.paused,
  };
}

export function translateFeature(name: string, state: UnleashState): Translation {
  const feature = state.features.find((f) => f.name === name);
  if (!feature) return { ok: true, rules: [] };
  try {
    if (feature.dependencies && feature.dependencies.length > 0) {
      throw new Inexpressible('depends on other toggles; GrayRules do not depend on each other');
    }
    const strategies = feature.strategies?.length ? feature.strategies : [{ name: 'default' }];
    const rules = strategies.map((s, i) => {
      const { conditions, rollout } = strategyParts(s, feature.name);
      const all = [...(s.constraints ?? []).map(condition), ...segmentConditions(s, state), ...conditions];
      const spec = admitted({
        miniProgram: MINI_PROGRAM,
        version: CANDIDATE,
        priority: i,
        paused: !feature.enabled,
        ...(all.length > 0 ? { match: { all } } : {}),
        ...(rollout ? { rollout } : {}),
      });
      return toInput(`strategy-${i}`, spec);
    });
    return { ok: true, rules };
  } catch (e) {
    if (e instanceof Inexpressible) return { ok: false, reason: e.message };
    throw e;
  }
}

/** The request context the store would build: Unleash's fields and properties as attributes. */
export function toContext(c: UnleashContext, random: () => number = Math.random): EvaluationContext {
  const attributes: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(c.properties ?? {})) if (v !== null) attributes[k] = v;
  for (const key of [
    'userId',
    'sessionId',
    'remoteAddress',
    'environment',
    'appName',
    'currentTime',
  ] as const) {
    const v = c[key];
    if (v !== undefined) attributes[key] = v;
  }
  return { userId: c.userId, attributes, now: Date.now(), random };
}

export const TRANSLATED = { miniProgram: MINI_PROGRAM, candidate: CANDIDATE };
