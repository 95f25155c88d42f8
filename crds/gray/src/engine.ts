// Compiles the release state of one mini-program (stable version, suspension, gray rules) into
// an evaluator. Compile once per release change; evaluate per request.
//
// Precedence: suspended → explicit user lists → gray rules by priority (first match wins) →
// stable version. Ascending `priority` number first (as GrayRule.spec.priority documents);
// equal priorities by rule name.

import { type Attributes, compileMatcher, type Matcher, parseRfc3339 } from './conditions.ts';
import { inRollout, toHundredths } from './rollout.ts';
import type { EvaluationContext, GrayRuleInput, ReleaseInput, Resolution, RuleError } from './types.ts';
import { validateRule } from './validate.ts';

interface CompiledRule {
  name: string;
  version: string;
  hostApps: ReadonlySet<string> | null;
  paused: boolean;
  startMs: number;
  endMs: number;
  all: readonly Matcher[];
  any: readonly Matcher[];
  hasUsers: boolean;
  userSet: ReadonlySet<string> | null;
  /** rule targets only its user list (no match, no rollout) */
  usersOnly: boolean;
  rollout: { hundredths: number; stickiness: string | undefined; groupId: string } | null;
}

export interface CompiledRelease {
  readonly miniProgram: string;
  readonly stableVersion: string | undefined;
  readonly suspended: boolean;
  /** rules in evaluation order */
  readonly rules: readonly CompiledRule[];
  /** userId → indexes into `rules` (ascending = precedence order) of rules listing that user */
  readonly users: ReadonlyMap<string, readonly number[]>;
  /** indexes of rules with a shared user set, ascending */
  readonly setRules: readonly number[];
  /** rules that failed validation; they never take part in evaluation */
  readonly rejected: readonly { rule: string; errors: RuleError[] }[];
}

export class GrayRuleError extends Error {
  readonly rule: string;
  readonly errors: RuleError[];
  constructor(rule: string, errors: RuleError[]) {
    super(`gray rule ${rule} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'GrayRuleError';
    this.rule = rule;
    this.errors = errors;
  }
}

function byPrecedence(a: GrayRuleInput, b: GrayRuleInput): number {
  const pa = a.priority ?? 0;
  const pb = b.priority ?? 0;
  if (pa !== pb) return pa - pb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function compileOne(rule: GrayRuleInput, miniProgram: string): CompiledRule | RuleError[] {
  const errors = validateRule(rule);
  if (errors.length > 0) return errors;
  const compileGroup = (group: 'all' | 'any'): Matcher[] =>
    (rule.match?.[group] ?? []).map((c, i) => {
      const r = compileMatcher(c, `match.${group}[${i}]`);
      if (!r.ok) throw new GrayRuleError(rule.name, r.errors);
      return r.matcher;
    });
  const all = compileGroup('all');
  const any = compileGroup('any');
  const hasUsers = rule.userIds !== undefined || rule.userSet !== undefined;
  const rollout = rule.rollout
    ? {
        hundredths: toHundredths(rule.rollout.percentage),
        stickiness: rule.rollout.stickiness,
        groupId: rule.rollout.groupId ?? `${miniProgram}:${rule.version}`,
      }
    : null;
  return {
    name: rule.name,
    version: rule.version,
    hostApps: rule.hostApps && rule.hostApps.length > 0 ? new Set(rule.hostApps) : null,
    paused: rule.paused === true,
    startMs: rule.schedule?.start ? (parseRfc3339(rule.schedule.start) ?? 0) : Number.NEGATIVE_INFINITY,
    endMs: rule.schedule?.end ? (parseRfc3339(rule.schedule.end) ?? 0) : Number.POSITIVE_INFINITY,
    all,
    any,
    hasUsers,
    userSet: rule.userSet ?? null,
    usersOnly: hasUsers && all.length === 0 && any.length === 0 && rollout === null,
    rollout,
  };
}

/**
 * Compiles a release. Invalid rules are left out and reported in `rejected` (admission should
 * have refused them; a release must still resolve if one slips through).
 */
export function compileRelease(release: ReleaseInput): CompiledRelease {
  const sorted = [...release.rules].sort(byPrecedence);
  const rules: CompiledRule[] = [];
  const rejected: { rule: string; errors: RuleError[] }[] = [];
  const users = new Map<string, number[]>();
  const setRules: number[] = [];
  for (const input of sorted) {
    let compiled: CompiledRule | RuleError[];
    try {
      compiled = compileOne(input, release.miniProgram);
    } catch (e) {
      compiled = e instanceof GrayRuleError ? e.errors : [{ path: '', message: String(e) }];
    }
    if (Array.isArray(compiled)) {
      rejected.push({ rule: input.name, errors: compiled });
      continue;
    }
    const index = rules.length;
    rules.push(compiled);
    if (compiled.userSet) setRules.push(index);
    if (input.userIds) {
      for (const id of input.userIds) {
        const list = users.get(id);
        if (list === undefined) users.set(id, [index]);
        else if (list[list.length - 1] !== index) list.push(index);
      }
    }
  }
  return {
    miniProgram: release.miniProgram,
    stableVersion: release.stableVersion,
    suspended: release.suspended === true,
    rules,
    users,
    setRules,
    rejected,
  };
}

/** Compiles or throws GrayRuleError on the first invalid rule (for admission-style callers). */
export function compileReleaseStrict(release: ReleaseInput): CompiledRelease {
  const compiled = compileRelease(release);
  const first = compiled.rejected[0];
  if (first) throw new GrayRuleError(first.rule, first.errors);
  return compiled;
}

const EMPTY: Attributes = Object.freeze({});

function active(rule: CompiledRule, ctx: EvaluationContext): boolean {
  if (rule.paused) return false;
  if (ctx.now < rule.startMs || ctx.now >= rule.endMs) return false;
  if (rule.hostApps !== null && (ctx.hostApp === undefined || !rule.hostApps.has(ctx.hostApp))) return false;
  return true;
}

function matches(
  rule: CompiledRule,
  attrs: Attributes,
  userId: string | undefined,
  random: () => number,
): boolean {
  if (rule.usersOnly) return false;
  const all = rule.all;
  for (let i = 0; i < all.length; i++) if ((all[i] as Matcher)(attrs) !== true) return false;
  const any = rule.any;
  if (any.length > 0) {
    let hit = false;
    for (let i = 0; i < any.length; i++) {
      if ((any[i] as Matcher)(attrs) === true) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  if (rule.rollout !== null) {
    const r = rule.rollout;
    if (r.stickiness === undefined) {
      // Unleash's default stickiness: the user id, else the session id, else a random draw.
      const id = present(userId) ?? present(attrs.userId) ?? present(attrs.sessionId);
      if (id === undefined) return random() * 10_000 < r.hundredths;
      return inRollout(r.groupId, id, r.hundredths);
    }
    const raw = r.stickiness === 'userId' ? (present(userId) ?? attrs.userId) : attrs[r.stickiness];
    const id = present(raw);
    return id !== undefined && inRollout(r.groupId, id, r.hundredths);
  }
  return true;
}

function present(v: string | number | boolean | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : String(v);
}

export function evaluate(release: CompiledRelease, ctx: EvaluationContext): Resolution {
  if (release.suspended) return { kind: 'suspended' };
  const eligible = ctx.eligible ?? (() => true);
  const attrs = ctx.attributes ?? EMPTY;
  const userId = ctx.userId;
  if (userId !== undefined) {
    let best = -1;
    const listed = release.users.get(userId);
    if (listed) {
      for (const i of listed) {
        const rule = release.rules[i] as CompiledRule;
        if (active(rule, ctx) && eligible(rule.version)) {
          best = i;
          break;
        }
      }
    }
    for (const i of release.setRules) {
      if (best !== -1 && i >= best) break;
      const rule = release.rules[i] as CompiledRule;
      if (rule.userSet?.has(userId) && active(rule, ctx) && eligible(rule.version)) {
        best = i;
        break;
      }
    }
    if (best !== -1) {
      const rule = release.rules[best] as CompiledRule;
      return { kind: 'user-list', version: rule.version, rule: rule.name };
    }
  }
  const rules = release.rules;
  const random = ctx.random ?? Math.random;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as CompiledRule;
    if (active(rule, ctx) && eligible(rule.version) && matches(rule, attrs, userId, random)) {
      return { kind: 'gray-rule', version: rule.version, rule: rule.name };
    }
  }
  return release.stableVersion === undefined || !eligible(release.stableVersion)
    ? { kind: 'none' }
    : { kind: 'stable', version: release.stableVersion };
}
