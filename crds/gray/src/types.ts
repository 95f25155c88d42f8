// Input shapes of the gray engine. They mirror GrayRule.spec / MiniProgram.spec in @tessera/crds
// structurally, so the operator and the store can pass CRD objects (or the compiled form in a
// release ConfigMap) straight in.

// The operator list is part of the GrayRule schema (the API server rejects any other).
import { GRAY_OPERATORS, type GrayOperator } from '@tessera/crds';

export const OPERATORS = GRAY_OPERATORS;
export type Operator = GrayOperator;

export interface ConditionInput {
  attribute: string;
  operator: Operator;
  values?: readonly string[] | undefined;
  caseInsensitive?: boolean | undefined;
  inverted?: boolean | undefined;
}

/** All conditions of `all` must hold, and at least one of `any` when `any` is non-empty. */
export interface MatchInput {
  all?: readonly ConditionInput[] | undefined;
  any?: readonly ConditionInput[] | undefined;
}

export interface RolloutInput {
  /** 0–100, up to two decimals (0.01% steps); integer values behave exactly like Unleash */
  percentage: number;
  /**
   * attribute whose value makes the assignment sticky; a request without it is out, even at
   * 100%. Unset: the user id, else the `sessionId` attribute, else a random draw per request.
   */
  stickiness?: string | undefined;
  /** hash group; default `<miniProgram>:<version>` */
  groupId?: string | undefined;
}

export interface ScheduleInput {
  /** RFC 3339 */
  start?: string | undefined;
  end?: string | undefined;
}

export interface GrayRuleInput {
  /** GrayRule object name; ties in priority are broken by name */
  name: string;
  miniProgram: string;
  version: string;
  /** restrict to these host apps (HostApp names); empty or absent: all */
  hostApps?: readonly string[] | undefined;
  /** ascending: the lowest number is evaluated first (GrayRule.spec.priority, default 100) */
  priority?: number | undefined;
  match?: MatchInput | undefined;
  /** explicit user ids (spec.users.ids plus any imported ConfigMap list, already read) */
  userIds?: Iterable<string> | undefined;
  /**
   * a large imported list shared between rules and releases without copying (e.g. one
   * 100,000-id ConfigMap referenced by many mini-programs); checked in O(1) per rule
   */
  userSet?: ReadonlySet<string> | undefined;
  rollout?: RolloutInput | undefined;
  schedule?: ScheduleInput | undefined;
  paused?: boolean | undefined;
}

export interface ReleaseInput {
  miniProgram: string;
  stableVersion?: string | undefined;
  suspended?: boolean | undefined;
  rules: readonly GrayRuleInput[];
}

export type AttributeValue = string | number | boolean;

export interface EvaluationContext {
  userId?: string | undefined;
  attributes?: Readonly<Record<string, AttributeValue>> | undefined;
  hostApp?: string | undefined;
  /** epoch milliseconds, for schedules */
  now: number;
  /**
   * uniform in [0, 1): the draw for a rollout with default stickiness when the request has
   * neither a user id nor a session id; default Math.random
   */
  random?: (() => number) | undefined;
  /**
   * false for a version this device cannot run (its SDK is older than the version's
   * minSdkVersion): rules naming it are passed over, and an ineligible stable version resolves
   * to none (the caller offers its fallbacks)
   */
  eligible?: ((version: string) => boolean) | undefined;
}

export type Resolution =
  | { kind: 'suspended' }
  | { kind: 'none' }
  | { kind: 'stable'; version: string }
  | { kind: 'user-list'; version: string; rule: string }
  | { kind: 'gray-rule'; version: string; rule: string };

export interface RuleError {
  /** JSON-path-like location inside the rule, e.g. `match.all[2].values[0]` */
  path: string;
  message: string;
}
