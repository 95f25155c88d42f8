import { describe, expect, it } from 'vitest';
import { compileCondition } from './conditions.ts';
import { compileRelease, compileReleaseStrict, evaluate, GrayRuleError } from './engine.ts';
import type { ConditionInput, GrayRuleInput, Operator } from './types.ts';
import { validateRule } from './validate.ts';

const now = Date.parse('2026-06-01T00:00:00Z');

function cond(operator: Operator, values: string[] | undefined, extra: Partial<ConditionInput> = {}) {
  const r = compileCondition({ attribute: 'a', operator, values, ...extra }, 'c');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.predicate;
}

describe('operators', () => {
  const table: [Operator, string[] | undefined, unknown, boolean][] = [
    ['In', ['x', 'y'], 'y', true],
    ['In', ['x', 'y'], 'z', false],
    ['NotIn', ['x'], 'z', true],
    ['NotIn', ['x'], 'x', false],
    ['Eq', ['5'], 5, true],
    ['Ne', ['5'], '6', true],
    ['Contains', ['ell'], 'hello', true],
    ['StartsWith', ['he'], 'hello', true],
    ['EndsWith', ['lo'], 'hello', true],
    ['EndsWith', ['he'], 'hello', false],
    ['Gt', ['18'], 19, true],
    ['Gt', ['18'], '18', false],
    ['Gte', ['18'], '18', true],
    ['Lt', ['1.5'], 1.4, true],
    ['Lte', ['1.5'], 1.6, false],
    ['Gt', ['1'], 'not-a-number', false],
    ['SemverGt', ['1.2.3'], '1.10.0', true],
    ['SemverGte', ['1.2.3'], '1.2.3', true],
    ['SemverLt', ['1.0.0'], '1.0.0-rc.1', true],
    ['SemverLte', ['1.0.0-rc.2'], '1.0.0-rc.10', false],
    ['SemverEq', ['2.0.0'], '2.0.0+build', true],
    ['SemverEq', ['2.0.0'], 'garbage', false],
    ['DateAfter', ['2026-01-01T00:00:00Z'], '2026-02-01T08:00:00+08:00', true],
    ['DateBefore', ['2026-01-01T00:00:00Z'], '2025-12-31T23:59:59Z', true],
    ['DateBefore', ['2026-01-01T00:00:00Z'], 'yesterday', false],
    ['Matches', ['^vip-[0-9]+$'], 'vip-42', true],
    ['Matches', ['^vip-[0-9]+$'], 'vip-x', false],
    ['Exists', undefined, '', true],
    ['Is', ['true'], true, true],
    ['Is', ['true'], 'true', true],
    ['Is', ['false'], true, false],
    ['Is', ['true'], 'yes', false],
    ['StartsWith', ['ab', 'cd'], 'cdef', true],
    ['EndsWith', ['.cn', '.hk'], 'bank.hk', true],
    ['Contains', ['x', 'y'], 'abc', false],
    ['NumEq', ['12'], '12.0', true],
    ['NumEq', ['12.0'], 12, true],
    ['NumEq', ['12'], '13', false],
    ['Eq', ['12'], '12.0', false],
    ['SemverEq', ['2.0.0'], 'v2.0.0', false],
    ['SemverGte', ['1.0.0'], 'v1.2.0', false],
    ['InCIDR', ['10.0.0.0/8', '2001:db8::/32'], '10.20.30.40', true],
    ['InCIDR', ['10.0.0.0/8', '2001:db8::/32'], '2001:db8:1::7', true],
    ['InCIDR', ['10.0.0.0/8'], '::ffff:10.0.0.1', true],
    ['InCIDR', ['10.0.0.0/8'], '172.16.0.1', false],
    ['InCIDR', ['127.0.0.1'], '127.0.0.1', true],
    ['InCIDR', ['10.0.0.0/8'], 'not-an-ip', false],
  ];
  for (const [op, values, input, want] of table) {
    it(`${op} ${JSON.stringify(values)} on ${JSON.stringify(input)} → ${want}`, () => {
      expect(cond(op, values)({ a: input as string })).toBe(want);
    });
  }

  it('caseInsensitive and inverted', () => {
    expect(cond('Eq', ['ABC'], { caseInsensitive: true })({ a: 'abc' })).toBe(true);
    expect(cond('Eq', ['ABC'])({ a: 'abc' })).toBe(false);
    expect(cond('Matches', ['^abc$'], { caseInsensitive: true })({ a: 'ABC' })).toBe(true);
    expect(cond('In', ['x'], { inverted: true })({ a: 'y' })).toBe(true);
    expect(cond('Exists', undefined, { inverted: true })({})).toBe(true);
  });

  it('NotIn holds for a missing attribute (it is not in the list); inverted, it does not', () => {
    expect(cond('NotIn', ['x'])({})).toBe(true);
    expect(cond('NotIn', ['x'], { inverted: true })({})).toBe(false);
    expect(cond('NotIn', ['x'], { inverted: true })({ a: 'x' })).toBe(true);
  });

  it('refuses values the GrayRule schema refuses, with the same words', () => {
    const errors = (operator: Operator, values: string[]) => {
      const r = compileCondition({ attribute: 'a', operator, values }, 'c');
      return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(errors('Gt', ['1e3'])).toEqual([
      'c.values[0]: Gt compares numbers: the value must be a decimal number such as 18 or -2.5',
    ]);
    expect(errors('SemverEq', ['v1.0.0'])[0]).toMatch(/semantic version such as 1\.4\.0/);
    expect(errors('InCIDR', ['10.0.0.0/8', '10.0.0.0/33'])).toEqual([
      'c.values[1]: InCIDR matches IP ranges: every value must be an IP address or CIDR range such as 10.0.0.0/8 or 2001:db8::/32',
    ]);
    expect(errors('DateAfter', ['2026-01-01'])[0]).toMatch(/RFC 3339 time with a zone/);
    expect(errors('Ne', ['a', 'b'])[0]).toMatch(/Ne takes exactly one value/);
    expect(errors('StartsWith', ['a', 'b'])).toEqual([]);
  });

  it('missing or unparsable input is a non-match, even inverted', () => {
    for (const op of ['In', 'Eq', 'Ne', 'Gt', 'SemverGt', 'DateAfter', 'Matches', 'Is'] as const) {
      const values =
        op === 'Gt'
          ? ['1']
          : op === 'SemverGt'
            ? ['1.0.0']
            : op === 'DateAfter'
              ? ['2026-01-01T00:00:00Z']
              : op === 'Is'
                ? ['true']
                : ['x'];
      expect(cond(op, values)({})).toBe(false);
      expect(cond(op, values, { inverted: true })({})).toBe(false);
    }
  });
});

describe('validateRule', () => {
  const base = { version: '1.0.0' };
  it('rejects non-RE2 patterns, bad values and schedules with a path', () => {
    const errs = validateRule({
      ...base,
      match: {
        all: [
          { attribute: 'a', operator: 'Matches', values: ['(a)\\1'] },
          { attribute: 'a', operator: 'Matches', values: ['(?=x)y'] },
          { attribute: 'a', operator: 'Gt', values: ['ten'] },
          { attribute: 'a', operator: 'Eq', values: ['1', '2'] },
          { attribute: '', operator: 'Exists' },
          { attribute: 'a', operator: 'Bogus' as Operator, values: ['1'] },
        ],
      },
      rollout: { percentage: 12.345 },
      schedule: { start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
    });
    expect(errs.map((e) => e.path)).toEqual([
      'match.all[0].values[0]',
      'match.all[1].values[0]',
      'match.all[2].values[0]',
      'match.all[3].values',
      'match.all[4].attribute',
      'match.all[5].operator',
      'rollout.percentage',
      'schedule.end',
    ]);
    expect(errs[0]?.message).toMatch(/RE2/);
  });

  it('rejects oversized patterns and huge alternations', () => {
    expect(
      validateRule({
        ...base,
        match: { all: [{ attribute: 'a', operator: 'Matches', values: ['a'.repeat(2000)] }] },
      }),
    ).toHaveLength(1);
    expect(
      validateRule({
        ...base,
        match: { all: [{ attribute: 'a', operator: 'Matches', values: ['(x{1000}){1000}'] }] },
      }),
    ).toHaveLength(1);
    expect(validateRule({ ...base, version: 'latest' })[0]?.path).toBe('version');
    expect(validateRule({ ...base, rollout: { percentage: Number.NaN } })[0]?.path).toBe(
      'rollout.percentage',
    );
  });

  it('accepts a well-formed rule', () => {
    expect(
      validateRule({
        ...base,
        priority: 90,
        match: { any: [{ attribute: 'city', operator: 'In', values: ['上海', '北京'] }] },
        rollout: { percentage: 0.25 },
        schedule: { start: '2026-01-01T00:00:00Z' },
      }),
    ).toEqual([]);
  });
});

function rule(name: string, extra: Partial<GrayRuleInput>): GrayRuleInput {
  return { name, miniProgram: 'mp', version: '2.0.0', ...extra };
}

describe('precedence', () => {
  const release = {
    miniProgram: 'mp',
    stableVersion: '1.0.0',
    rules: [
      rule('beta-city', {
        version: '2.0.0',
        priority: 95,
        match: { all: [{ attribute: 'city', operator: 'Eq', values: ['sh'] }] },
      }),
      rule('vip', {
        version: '3.0.0',
        priority: 90,
        match: { all: [{ attribute: 'vip', operator: 'Is', values: ['true'] }] },
      }),
      rule('testers', { version: '4.0.0', priority: 999, userIds: ['alice', 'bob'] }),
      rule('paused', { version: '5.0.0', priority: 0, paused: true }),
      rule('later', { version: '6.0.0', priority: 1, schedule: { start: '2027-01-01T00:00:00Z' } }),
      rule('ios-only', { version: '7.0.0', priority: 50, hostApps: ['ios-app'] }),
    ],
  };
  const compiled = compileReleaseStrict(release);

  it('user lists beat higher-priority rules', () => {
    expect(evaluate(compiled, { userId: 'alice', attributes: { vip: true }, now })).toEqual({
      kind: 'user-list',
      version: '4.0.0',
      rule: 'testers',
    });
  });
  it('rules by priority, first match wins; paused and unscheduled rules skipped', () => {
    expect(evaluate(compiled, { userId: 'carol', attributes: { vip: true, city: 'sh' }, now })).toMatchObject(
      { rule: 'vip' },
    );
    expect(evaluate(compiled, { userId: 'carol', attributes: { city: 'sh' }, now })).toMatchObject({
      rule: 'beta-city',
    });
    expect(evaluate(compiled, { userId: 'carol', now })).toEqual({ kind: 'stable', version: '1.0.0' });
    expect(evaluate(compiled, { userId: 'carol', now: Date.parse('2027-06-01T00:00:00Z') })).toMatchObject({
      rule: 'later',
    });
  });
  it('host app restriction', () => {
    expect(evaluate(compiled, { userId: 'carol', hostApp: 'ios-app', now })).toMatchObject({
      rule: 'ios-only',
    });
    expect(evaluate(compiled, { userId: 'carol', hostApp: 'web-app', now })).toMatchObject({
      kind: 'stable',
    });
  });
  it('versions the device cannot run are passed over: the next rule, then stable, then none', () => {
    const notAbove3 = (v: string) => Number(v.split('.')[0]) < 3;
    // alice's list names 4.0.0, too new: vip (3.0.0) is too, so beta-city, the next match, wins
    expect(
      evaluate(compiled, {
        userId: 'alice',
        attributes: { vip: true, city: 'sh' },
        now,
        eligible: notAbove3,
      }),
    ).toMatchObject({ kind: 'gray-rule', rule: 'beta-city' });
    expect(
      evaluate(compiled, { userId: 'alice', attributes: { vip: true }, now, eligible: notAbove3 }),
    ).toEqual({
      kind: 'stable',
      version: '1.0.0',
    });
    expect(evaluate(compiled, { userId: 'carol', now, eligible: () => false })).toEqual({ kind: 'none' });
  });
  it('suspended beats everything', () => {
    const s = compileRelease({ ...release, suspended: true });
    expect(evaluate(s, { userId: 'alice', now })).toEqual({ kind: 'suspended' });
  });
  it('no stable version and no match resolves to none', () => {
    expect(evaluate(compileRelease({ miniProgram: 'mp', rules: [] }), { now })).toEqual({ kind: 'none' });
  });
  it('invalid rules are left out and reported; strict compile throws', () => {
    const bad = {
      ...release,
      rules: [
        ...release.rules,
        rule('bad', { match: { all: [{ attribute: 'a', operator: 'Matches', values: ['(?<=a)b'] }] } }),
      ],
    };
    const c = compileRelease(bad);
    expect(c.rejected.map((r) => r.rule)).toEqual(['bad']);
    expect(() => compileReleaseStrict(bad)).toThrow(GrayRuleError);
  });
});

describe('user lists and replicas', () => {
  it('100,000-id lists resolve by lookup and the same on every replica', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `id-${i}`);
    const rules = Array.from({ length: 20 }, (_, i) =>
      rule(`r${i}`, {
        version: `2.0.${i}`,
        priority: 100 - i,
        userIds: i === 0 ? ids : undefined,
        match:
          i === 0 ? undefined : { all: [{ attribute: 'region', operator: 'In', values: [`region-${i}`] }] },
        rollout: i === 0 ? undefined : { percentage: 37.5 },
      }),
    );
    const a = compileRelease({ miniProgram: 'mp', stableVersion: '1.0.0', rules });
    const b = compileRelease({ miniProgram: 'mp', stableVersion: '1.0.0', rules: [...rules].reverse() });
    expect(evaluate(a, { userId: 'id-99999', now })).toEqual({
      kind: 'user-list',
      version: '2.0.0',
      rule: 'r0',
    });
    for (let i = 0; i < 5000; i++) {
      const ctx = { userId: `u-${i}`, attributes: { region: `region-${i % 25}` }, now };
      expect(evaluate(b, ctx)).toEqual(evaluate(a, ctx));
    }
  });
  it('shared user sets respect rule order together with inline lists', () => {
    const shared = new Set(['alice', 'bob']);
    const c = compileRelease({
      miniProgram: 'mp',
      stableVersion: '1.0.0',
      rules: [
        rule('inline-late', { version: '3.0.0', priority: 20, userIds: ['alice'] }),
        rule('shared-early', { version: '2.0.0', priority: 10, userSet: shared }),
        rule('inline-first', { version: '4.0.0', priority: 5, userIds: ['bob'] }),
      ],
    });
    expect(evaluate(c, { userId: 'alice', now })).toMatchObject({ rule: 'shared-early' });
    expect(evaluate(c, { userId: 'bob', now })).toMatchObject({ rule: 'inline-first' });
    expect(evaluate(c, { userId: 'carol', now })).toEqual({ kind: 'stable', version: '1.0.0' });
  });

  it('rollout stickiness on another attribute; missing value stays out', () => {
    const c = compileRelease({
      miniProgram: 'mp',
      stableVersion: '1.0.0',
      rules: [rule('r', { rollout: { percentage: 50, stickiness: 'deviceId' } })],
    });
    const results = Array.from(
      { length: 2000 },
      (_, i) => evaluate(c, { attributes: { deviceId: `d${i}` }, now }).kind,
    );
    const gray = results.filter((k) => k === 'gray-rule').length;
    expect(gray).toBeGreaterThan(850);
    expect(gray).toBeLessThan(1150);
    expect(evaluate(c, { userId: 'x', now }).kind).toBe('stable');
  });
});

describe('rollout stickiness', () => {
  const release = (rollout: GrayRuleInput['rollout']) =>
    compileRelease({ miniProgram: 'mp', stableVersion: '1.0.0', rules: [rule('r', { rollout })] });
  const kind = (c: ReturnType<typeof release>, ctx: Omit<Parameters<typeof evaluate>[1], 'now'>) =>
    evaluate(c, { now, ...ctx }).kind;

  it('a 100% rollout leaves out requests without the stickiness attribute', () => {
    const byUser = release({ percentage: 100, stickiness: 'userId' });
    expect(kind(byUser, { userId: 'u1' })).toBe('gray-rule');
    expect(kind(byUser, { attributes: { sessionId: 's1' } })).toBe('stable');
    const byDevice = release({ percentage: 100, stickiness: 'deviceId' });
    expect(kind(byDevice, { userId: 'u1' })).toBe('stable');
    expect(kind(byDevice, { userId: 'u1', attributes: { deviceId: '' } })).toBe('stable');
  });

  it('unset stickiness hashes the user id, else the session id', () => {
    const fallback = release({ percentage: 30, groupId: 'g' });
    const byUser = release({ percentage: 30, groupId: 'g', stickiness: 'userId' });
    const bySession = release({ percentage: 30, groupId: 'g', stickiness: 'sessionId' });
    for (let i = 0; i < 500; i++) {
      const id = `id-${i}`;
      expect(kind(fallback, { userId: id, attributes: { sessionId: 'other' } })).toBe(
        kind(byUser, { userId: id }),
      );
      expect(kind(fallback, { attributes: { sessionId: id } })).toBe(
        kind(bySession, { attributes: { sessionId: id } }),
      );
    }
  });

  it('unset stickiness draws at random per request without user or session id', () => {
    const fallback = release({ percentage: 10 });
    expect(kind(fallback, { random: () => 0.0999 })).toBe('gray-rule');
    expect(kind(fallback, { random: () => 0.1 })).toBe('stable');
    expect(kind(release({ percentage: 100 }), { random: () => 0.999999 })).toBe('gray-rule');
    expect(kind(release({ percentage: 0 }), { random: () => 0 })).toBe('stable');
  });
});
