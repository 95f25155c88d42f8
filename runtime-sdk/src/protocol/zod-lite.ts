// The part of zod/mini's API that the browser's schemas use, as a small interpreter. The web
// bundles alias 'zod/mini' to this module (scripts/build.ts): the schemas are written once,
// against zod, which the store and the Node host use (with its OpenAPI output), and the web SDK
// ships ~2 KB here instead of zod's ~22 KB. zod-lite.test.ts parses valid and mutated inputs
// of every schema the browser reads with both and requires the same verdict, data and first
// issue path. Only safeParse/parse, .check, .shape and a literal's values exist: a bundle that
// calls anything else fails to build (scripts/build.ts turns the missing export into an error).

type Path = (string | number)[];

export interface Issue {
  code: string;
  path: Path;
  message: string;
  expected?: string;
  keys?: string[];
}

type Result = { success: true; data: unknown } | { success: false; error: { issues: Issue[] } };
type Check = (value: never, path: Path, issues: Issue[]) => void;
type Shape = Record<string, Schema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function issue(issues: Issue[], path: Path, code: string, message: string, extra?: Partial<Issue>) {
  issues.push({ code, path, message, ...extra });
}

/** What zod says for a value of the wrong kind: firstIssue turns it into "expected <kind>". */
const mismatch = (issues: Issue[], path: Path, expected: string) =>
  issue(issues, path, 'invalid_type', 'Invalid input', { expected });

export class Schema {
  /** an `optional` or `_default` schema: its key may be absent from an object */
  optional = false;
  shape?: Shape;
  _zod?: { def: { values: unknown[] } };

  readonly #run: (input: unknown, path: Path, issues: Issue[]) => unknown;
  readonly #checks: Check[];

  constructor(run: (input: unknown, path: Path, issues: Issue[]) => unknown, checks: Check[] = []) {
    this.#run = run;
    this.#checks = checks;
  }

  /** The same schema with `checks` run on what it parsed, as zod's .check() (none runs after an issue). */
  check(...checks: Check[]): Schema {
    return Object.assign(new Schema(this.#run, [...this.#checks, ...checks]), {
      optional: this.optional,
      shape: this.shape,
      _zod: this._zod,
    });
  }

  parseAt(input: unknown, path: Path, issues: Issue[]): unknown {
    const before = issues.length;
    const out = this.#run(input, path, issues);
    if (issues.length === before) for (const c of this.#checks) c(out as never, path, issues);
    return out;
  }

  safeParse(input: unknown): Result {
    const issues: Issue[] = [];
    const data = this.parseAt(input, [], issues);
    return issues.length ? { success: false, error: { issues } } : { success: true, data };
  }

  parse(input: unknown): unknown {
    const r = this.safeParse(input);
    if (r.success) return r.data;
    const first = r.error.issues[0]!;
    throw new Error(`${first.path.join('.') || '(root)'}: ${first.message}`);
  }
}

const typed = (expected: string, ok: (v: unknown) => boolean) => () =>
  new Schema((v, path, issues) => {
    if (!ok(v)) mismatch(issues, path, expected);
    return v;
  });

export const string = typed('string', (v) => typeof v === 'string');
export const number = typed('number', (v) => typeof v === 'number' && Number.isFinite(v));
export const boolean = typed('boolean', (v) => typeof v === 'boolean');
export const unknown = () => new Schema((v) => v);

export const int = () =>
  number().check(refine(Number.isSafeInteger as (v: unknown) => boolean, 'expected an integer'));

function oneOf(values: unknown[]): Schema {
  const s = new Schema((v, path, issues) => {
    if (!values.includes(v))
      issue(
        issues,
        path,
        'invalid_value',
        `expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
      );
    return v;
  });
  s._zod = { def: { values } };
  return s;
}
export const literal = (value: unknown) => oneOf(Array.isArray(value) ? value : [value]);
export const _enum = (values: readonly unknown[] | Record<string, unknown>) =>
  oneOf(Array.isArray(values) ? [...values] : Object.values(values));
export { _enum as enum };

export function optional(inner: Schema): Schema {
  const s = new Schema((v, path, issues) => (v === undefined ? undefined : inner.parseAt(v, path, issues)));
  s.optional = true;
  return s;
}

export function _default(inner: Schema, value: unknown): Schema {
  const s = new Schema((v, path, issues) => {
    if (v !== undefined) return inner.parseAt(v, path, issues);
    // a fresh copy each time, as zod: a default array must not be shared between results
    return Array.isArray(value) ? [...value] : isObject(value) ? { ...value } : value;
  });
  s.optional = true;
  return s;
}

export const nullable = (inner: Schema) =>
  new Schema((v, path, issues) => (v === null ? null : inner.parseAt(v, path, issues)));

export const custom = (ok: (v: unknown) => boolean, message = 'Invalid input') =>
  unknown().check(refine(ok, message));

export const array = (item: Schema) =>
  new Schema((v, path, issues) => {
    if (!Array.isArray(v)) return mismatch(issues, path, 'array');
    return Array.from(v, (x, i) => item.parseAt(x, [...path, i], issues));
  });

export function union(options: Schema[]): Schema {
  return new Schema((v, path, issues) => {
    for (const o of options) {
      const own: Issue[] = [];
      const out = o.parseAt(v, path, own);
      if (!own.length) return out;
    }
    issue(issues, path, 'invalid_union', 'matches none of the allowed forms');
    return v;
  });
}

/** Extra keys: 'strict' refuses them, 'strip' drops them, 'loose' keeps them, a schema parses them. */
type Extra = 'strict' | 'strip' | 'loose' | Schema;

function objectOf(shape: Shape, extra: Extra): Schema {
  const s = new Schema((v, path, issues) => {
    if (!isObject(v)) return mismatch(issues, path, 'object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) {
      const field = shape[key]!;
      const present = key in v;
      const before = issues.length;
      const value = field.parseAt(v[key], [...path, key], issues);
      if (!present && !field.optional && issues.length === before && value === undefined)
        mismatch(issues, [...path, key], 'nonoptional');
      if (present || value !== undefined) out[key] = value;
    }
    const unknownKeys = Object.keys(v).filter((k) => !Object.hasOwn(shape, k));
    if (extra === 'strict' && unknownKeys.length)
      issue(
        issues,
        path,
        'unrecognized_keys',
        `unrecognized key${unknownKeys.length > 1 ? 's' : ''}: ${unknownKeys.map((k) => JSON.stringify(k)).join(', ')}`,
        { keys: unknownKeys },
      );
    if (extra === 'loose' || extra instanceof Schema)
      for (const key of unknownKeys) {
        // "__proto__" (an own key after JSON.parse) is dropped: assigning it would set the prototype
        if (key === '__proto__') continue;
        out[key] = extra === 'loose' ? v[key] : extra.parseAt(v[key], [...path, key], issues);
      }
    return out;
  });
  s.shape = shape;
  return s;
}

export const object = (shape: Shape) => objectOf(shape, 'strip');
export const strictObject = (shape: Shape) => objectOf(shape, 'strict');
export const looseObject = (shape: Shape) => objectOf(shape, 'loose');
export const catchall = (base: Schema, rest: Schema) => objectOf(base.shape ?? {}, rest);
export const extend = (base: Schema, more: Shape) => objectOf({ ...base.shape, ...more }, 'strip');

export function refine(ok: (v: never) => unknown, message = 'Invalid input'): Check {
  return (v, path, issues) => {
    if (!ok(v)) issue(issues, path, 'custom', message);
  };
}

const unit = (v: string | unknown[]) => (typeof v === 'string' ? 'characters' : 'items');

export const maxLength =
  (max: number): Check =>
  (v: string | unknown[], path, issues) => {
    if (v.length > max) issue(issues, path, 'too_big', `at most ${max} ${unit(v)} allowed`);
  };

export const minLength =
  (min: number): Check =>
  (v: string | unknown[], path, issues) => {
    if (v.length < min) issue(issues, path, 'too_small', `at least ${min} ${unit(v)} required`);
  };

export const regex =
  (re: RegExp, message = `expected the form ${re}`): Check =>
  (v: string, path, issues) => {
    re.lastIndex = 0;
    if (!re.test(v)) issue(issues, path, 'invalid_format', message);
  };

export const gte =
  (min: number): Check =>
  (v: number, path, issues) => {
    if (!(v >= min)) issue(issues, path, 'too_small', `expected a number ≥ ${min}`);
  };

export const lte =
  (max: number): Check =>
  (v: number, path, issues) => {
    if (!(v <= max)) issue(issues, path, 'too_big', `expected a number ≤ ${max}`);
  };

export const nonnegative = () => gte(0);
