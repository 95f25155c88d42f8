// Admission-time validation of a gray rule (the operator calls it from its admission checks;
// compileRelease refuses the same rules). Returns every problem found, [] when valid.

import { compileCondition, parseRfc3339 } from './conditions.ts';
import { parseSemver } from './semver.ts';
import type { GrayRuleInput, RuleError } from './types.ts';

export const MAX_CONDITIONS = 64;
export const MAX_INLINE_USER_IDS = 100_000;

export function validateRule(
  rule: Omit<GrayRuleInput, 'name' | 'miniProgram'> & Partial<GrayRuleInput>,
): RuleError[] {
  const errors: RuleError[] = [];
  if (typeof rule.version !== 'string' || !parseSemver(rule.version)) {
    errors.push({ path: 'version', message: 'must be a semantic version such as 1.2.0' });
  }
  if (
    rule.priority !== undefined &&
    (!Number.isSafeInteger(rule.priority) || rule.priority < 0 || rule.priority > 1000)
  ) {
    errors.push({
      path: 'priority',
      message: 'must be an integer from 0 to 1000 (lower is evaluated first)',
    });
  }
  const groups = [
    ['all', rule.match?.all ?? []],
    ['any', rule.match?.any ?? []],
  ] as const;
  let count = 0;
  for (const [group, conditions] of groups) {
    if (!Array.isArray(conditions)) {
      errors.push({ path: `match.${group}`, message: 'must be a list of conditions' });
      continue;
    }
    count += conditions.length;
    for (const [i, c] of conditions.entries()) {
      const r = compileCondition(c, `match.${group}[${i}]`);
      if (!r.ok) errors.push(...r.errors);
    }
  }
  if (count > MAX_CONDITIONS)
    errors.push({ path: 'match', message: `at most ${MAX_CONDITIONS} conditions in total` });
  if (rule.rollout !== undefined) {
    const p = rule.rollout.percentage;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      errors.push({ path: 'rollout.percentage', message: 'must be a number from 0 to 100' });
    } else if (Math.abs(p * 100 - Math.round(p * 100)) > 1e-6) {
      errors.push({ path: 'rollout.percentage', message: 'at most two decimals (steps of 0.01%)' });
    }
    const s = rule.rollout.stickiness;
    if (s !== undefined && (typeof s !== 'string' || s.length === 0 || s.length > 64)) {
      errors.push({ path: 'rollout.stickiness', message: 'must be an attribute name of 1–64 characters' });
    }
  }
  const start = rule.schedule?.start;
  const end = rule.schedule?.end;
  const startMs = start === undefined ? null : parseRfc3339(start);
  const endMs = end === undefined ? null : parseRfc3339(end);
  if (start !== undefined && startMs === null)
    errors.push({ path: 'schedule.start', message: 'must be an RFC 3339 time' });
  if (end !== undefined && endMs === null)
    errors.push({ path: 'schedule.end', message: 'must be an RFC 3339 time' });
  if (startMs !== null && endMs !== null && endMs <= startMs) {
    errors.push({ path: 'schedule.end', message: 'must be after schedule.start' });
  }
  if (
    rule.userIds !== undefined &&
    Array.isArray(rule.userIds) &&
    rule.userIds.length > MAX_INLINE_USER_IDS
  ) {
    errors.push({
      path: 'users',
      message: `at most ${MAX_INLINE_USER_IDS} ids inline; import them from a ConfigMap`,
    });
  }
  return errors;
}
