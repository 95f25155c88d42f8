// Short forms for the zod/mini checks the shared schemas repeat. The schemas the browser parses
// use only what zod-lite (the web build's stand-in for zod/mini) implements. Bundlers keep every
// schema a bundled module defines (they cannot prove the calls pure), so schemas the browser
// never reads live in their own modules (see launch-request.ts).
import * as z from 'zod/mini';

/** A string of at most `max` characters and, when given, at least `min`. */
export function text(max: number, min?: number) {
  return min === undefined
    ? z.string().check(z.maxLength(max))
    : z.string().check(z.minLength(min), z.maxLength(max));
}

/** A string matching `re`; `message` explains the expected form. */
export function pattern(re: RegExp, message?: string) {
  return z.string().check(z.regex(re, message));
}

/**
 * A non-negative safe integer. A refinement rather than z.int(), which would bring zod's number
 * formats into the Node bundles; the store's OpenAPI document shows these fields as numbers.
 */
export function count() {
  return z.number().check(z.refine(Number.isSafeInteger, 'expected an integer'), z.nonnegative());
}

/** A non-negative number of at most `max`. */
export function amount(max: number) {
  return z.number().check(z.nonnegative(), z.lte(max));
}

/** An array of `item` with a length between `min` and `max`. */
export function list<T extends z.core.SomeType>(item: T, max: number, min?: number) {
  return min === undefined
    ? z.array(item).check(z.maxLength(max))
    : z.array(item).check(z.minLength(min), z.maxLength(max));
}

/**
 * A string-keyed map: every value matches `value` and, when given, every key matches `key`
 * (`keyRule` says how). Built as an object with a catchall, not z.record, which zod-lite does
 * not implement; like z.record it drops a "__proto__" key.
 */
export function dict<V extends z.core.SomeType>(
  value: V,
  key?: z.ZodMiniType<string>,
  keyRule = 'invalid key',
) {
  const map = z.catchall(z.object({}), value);
  return key
    ? map.check(z.refine((r) => Object.keys(r).every((k) => key.safeParse(k).success), keyRule))
    : map;
}

/** A string of at most 1024 characters or an array index: one step of a data path. */
export const PathSegmentSchema = z.custom<string | number>(
  (v) => (typeof v === 'string' ? v.length <= 1024 : Number.isSafeInteger(v) && (v as number) >= 0),
  'expected a key of at most 1024 characters or an array index',
);

type TypedObject = z.ZodMiniObject<{ type: z.ZodMiniLiteral<string> } & z.core.$ZodLooseShape>;

/** What a byType() union parses to. */
export type OneOf<U extends { safeParse(v: unknown): unknown }> = U extends {
  safeParse(v: unknown): z.core.util.SafeParseResult<infer T>;
}
  ? T
  : never;

/**
 * Objects told apart by a literal `type` field, like z.discriminatedUnion('type', …), which
 * zod-lite does not implement: the `type` of the input picks the
 * one schema that parses it, so an error names the wrong field of that kind of message; an
 * unknown `type` is reported as such.
 */
export function byType<const T extends readonly TypedObject[]>(options: T) {
  const table = new Map<unknown, TypedObject>();
  for (const o of options) for (const v of o.shape.type._zod.def.values) table.set(v, o);
  const known = z.object({ type: z.enum([...table.keys()] as [string, ...string[]]) });
  return {
    safeParse(input: unknown): z.core.util.SafeParseResult<z.infer<T[number]>> {
      const type =
        typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
      const schema = table.get(type) ?? known;
      return schema.safeParse(input) as z.core.util.SafeParseResult<z.infer<T[number]>>;
    },
  };
}

/**
 * "path: problem" for the first issue of a failed parse. The browser bundle loads no zod
 * locale, so a generic "Invalid input" is replaced by what was expected.
 */
export function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length ? issue.path.join('.') : '(root)';
  const expected = 'expected' in issue ? issue.expected : undefined;
  const what = issue.message === 'Invalid input' && expected ? `expected ${String(expected)}` : issue.message;
  return `${where}: ${what}`;
}
