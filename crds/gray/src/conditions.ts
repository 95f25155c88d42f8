// Compiles one condition into a predicate over the request attributes. Everything that can be
// parsed ahead of time (numbers, versions, dates, regular expressions, value sets) is parsed
// here, once; the predicate itself only reads the attribute and compares.
//
// Missing or unparsable attribute values make the condition false whether or not it is
// `inverted` (inversion applies to a real comparison only). Two exceptions, as in Unleash:
// `NotIn` holds for a missing attribute (it is not in the list; inverted, that is false), and
// inverted `Exists` matches when the attribute is absent.
//
// Which values an operator takes is decided by the GrayRule schema (grayValueProblems), so the
// API server, the zod schema and the engine refuse the same rules.

import {
  type Cidr,
  grayArityProblem,
  grayValueProblem,
  inRange,
  RFC3339_PATTERN,
  requestAddress,
  toRange,
} from '@tessera/crds';
import type { RE2JS } from 're2js';
import { compileRe2 } from './regex.ts';
import { compareSemver, parseSemver, type SemVer } from './semver.ts';
import type { AttributeValue, ConditionInput, RuleError } from './types.ts';

export type Attributes = Readonly<Record<string, AttributeValue>>;
export type Predicate = (attrs: Attributes) => boolean;

export const MAX_VALUES_PER_CONDITION = 10_000;
const RFC3339 = new RegExp(RFC3339_PATTERN);

export function parseRfc3339(text: string): number | null {
  if (!RFC3339.test(text)) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

function asString(v: AttributeValue | undefined, ci: boolean): string | undefined {
  if (v === undefined) return undefined;
  const s = typeof v === 'string' ? v : String(v);
  return ci ? s.toLowerCase() : s;
}

function asNumber(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && v.length < 64) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function asBoolean(v: AttributeValue | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

type Compiled =
  | { ok: true; test: (attrs: Attributes) => boolean | undefined }
  | { ok: false; errors: RuleError[] };

function err(path: string, message: string): Compiled {
  return { ok: false, errors: [{ path, message }] };
}

function compileInner(c: ConditionInput, path: string): Compiled {
  const values = c.values ?? [];
  const ci = c.caseInsensitive === true;
  const attr = c.attribute;
  if (typeof attr !== 'string' || attr.length === 0 || attr.length > 64) {
    return err(`${path}.attribute`, 'attribute must be a non-empty name of at most 64 characters');
  }
  if (values.length > MAX_VALUES_PER_CONDITION) {
    return err(
      `${path}.values`,
      `at most ${MAX_VALUES_PER_CONDITION} values; import larger id lists as a user list`,
    );
  }
  if (!values.every((v) => typeof v === 'string')) return err(`${path}.values`, 'values must be strings');
  const arity = grayArityProblem(c.operator, values.length);
  if (arity !== undefined) return err(`${path}.values`, arity);
  // Matches patterns are checked by compileRe2 below, which says why a pattern is refused.
  if (c.operator !== 'Matches') {
    const errors = values.flatMap((v, i) => {
      const message = grayValueProblem(c.operator, v);
      return message === undefined ? [] : [{ path: `${path}.values[${i}]`, message }];
    });
    if (errors.length > 0) return { ok: false, errors };
  }
  const one = values[0] as string;
  const norm = (s: string) => (ci ? s.toLowerCase() : s);

  switch (c.operator) {
    case 'In': {
      const set = new Set(values.map(norm));
      return {
        ok: true,
        test: (a) => {
          const s = asString(a[attr], ci);
          return s === undefined ? undefined : set.has(s);
        },
      };
    }
    case 'NotIn': {
      const set = new Set(values.map(norm));
      return {
        ok: true,
        test: (a) => {
          const s = asString(a[attr], ci);
          return s === undefined ? true : !set.has(s);
        },
      };
    }
    case 'Eq':
    case 'Ne': {
      const want = norm(one);
      const eq = c.operator === 'Eq';
      return {
        ok: true,
        test: (a) => {
          const s = asString(a[attr], ci);
          return s === undefined ? undefined : (s === want) === eq;
        },
      };
    }
    case 'Contains':
    case 'StartsWith':
    case 'EndsWith': {
      const vs = values.map(norm);
      const op = c.operator;
      const f =
        op === 'Contains'
          ? (s: string, v: string) => s.includes(v)
          : op === 'StartsWith'
            ? (s: string, v: string) => s.startsWith(v)
            : (s: string, v: string) => s.endsWith(v);
      return {
        ok: true,
        test: (a) => {
          const s = asString(a[attr], ci);
          if (s === undefined) return undefined;
          for (const v of vs) if (f(s, v)) return true;
          return false;
        },
      };
    }
    case 'NumEq':
    case 'Gt':
    case 'Gte':
    case 'Lt':
    case 'Lte': {
      const n = Number(one);
      const cmp = numericComparator(c.operator, n);
      return {
        ok: true,
        test: (a) => {
          const x = asNumber(a[attr]);
          return x === undefined ? undefined : cmp(x);
        },
      };
    }
    case 'SemverEq':
    case 'SemverGt':
    case 'SemverGte':
    case 'SemverLt':
    case 'SemverLte': {
      const target = parseSemver(one);
      if (!target) return err(`${path}.values`, `${c.operator} needs a semantic version such as 2.4.0`);
      const op = c.operator;
      return {
        ok: true,
        test: (a) => {
          const raw = a[attr];
          const sv: SemVer | null = typeof raw === 'string' ? parseSemver(raw) : null;
          if (!sv) return undefined;
          const r = compareSemver(sv, target);
          return op === 'SemverEq'
            ? r === 0
            : op === 'SemverGt'
              ? r > 0
              : op === 'SemverGte'
                ? r >= 0
                : op === 'SemverLt'
                  ? r < 0
                  : r <= 0;
        },
      };
    }
    case 'DateAfter':
    case 'DateBefore': {
      const t = parseRfc3339(one);
      if (t === null)
        return err(`${path}.values`, `${c.operator} needs an RFC 3339 time such as 2026-01-01T00:00:00Z`);
      const after = c.operator === 'DateAfter';
      return {
        ok: true,
        test: (a) => {
          const raw = a[attr];
          const at = typeof raw === 'string' ? parseRfc3339(raw) : null;
          return at === null ? undefined : after ? at > t : at < t;
        },
      };
    }
    case 'Matches': {
      const regexes: RE2JS[] = [];
      const errors: RuleError[] = [];
      for (const [i, p] of values.entries()) {
        const r = compileRe2(p, ci);
        if (r.ok) regexes.push(r.regex);
        else errors.push({ path: `${path}.values[${i}]`, message: r.message });
      }
      if (errors.length > 0) return { ok: false, errors };
      return {
        ok: true,
        test: (a) => {
          const s = asString(a[attr], false);
          if (s === undefined) return undefined;
          for (const r of regexes) if (r.test(s)) return true;
          return false;
        },
      };
    }
    case 'InCIDR': {
      const ranges = values.map(toRange).filter((r): r is Cidr => r !== null);
      return {
        ok: true,
        test: (a) => {
          const raw = a[attr];
          const ip = typeof raw === 'string' ? requestAddress(raw) : null;
          if (!ip) return undefined;
          for (const r of ranges) if (inRange(r, ip)) return true;
          return false;
        },
      };
    }
    case 'Exists':
      return { ok: true, test: (a) => a[attr] !== undefined };
    case 'Is': {
      const b = one === 'true';
      return {
        ok: true,
        test: (a) => {
          const x = asBoolean(a[attr]);
          return x === undefined ? undefined : x === b;
        },
      };
    }
    default:
      return err(`${path}.operator`, `unknown operator ${JSON.stringify(c.operator)}`);
  }
}

function numericComparator(op: 'NumEq' | 'Gt' | 'Gte' | 'Lt' | 'Lte', n: number): (x: number) => boolean {
  switch (op) {
    case 'NumEq':
      return (x) => x === n;
    case 'Gt':
      return (x) => x > n;
    case 'Gte':
      return (x) => x >= n;
    case 'Lt':
      return (x) => x < n;
    case 'Lte':
      return (x) => x <= n;
  }
}

/** A predicate whose `undefined` means false: what the engine evaluates (one call less per condition). */
export type Matcher = (attrs: Attributes) => boolean | undefined;

export function compileMatcher(
  c: ConditionInput,
  path: string,
): { ok: true; matcher: Matcher } | { ok: false; errors: RuleError[] } {
  const compiled = compileInner(c, path);
  if (!compiled.ok) return compiled;
  const { test } = compiled;
  if (c.inverted !== true) return { ok: true, matcher: test };
  if (c.operator === 'Exists') return { ok: true, matcher: (a) => !test(a) };
  return {
    ok: true,
    matcher: (a) => {
      const r = test(a);
      return r === undefined ? false : !r;
    },
  };
}

export function compileCondition(
  c: ConditionInput,
  path: string,
): { ok: true; predicate: Predicate } | { ok: false; errors: RuleError[] } {
  const compiled = compileMatcher(c, path);
  if (!compiled.ok) return compiled;
  const { matcher } = compiled;
  return { ok: true, predicate: (a) => matcher(a) === true };
}
