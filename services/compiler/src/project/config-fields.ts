// Lenient reading of app.json / page json / project.config.json fields, as WeChat does: a field
// Tessera does not know, or a value it cannot use, is dropped with a compatibility report entry
// instead of failing the build. Only what WeChat itself refuses stays a compile error (decided by
// the caller). `@name` values (dark mode variables) take their light value from theme.json.
import type { CompatReporter } from '../errors.ts';
import { locate } from './source-tree.ts';

/** What parseLenient needs of a schema (zod and zod/mini both fit). */
export interface SafeParser<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type ThemeValues = Readonly<Record<string, unknown>>;

/** Replaces "@name" strings (at any depth) by theme[name]; names without a value stay as they are. */
export function applyTheme(value: unknown, theme: ThemeValues | undefined): unknown {
  if (!theme) return value;
  if (typeof value === 'string' && value.startsWith('@')) {
    const v = theme[value.slice(1)];
    return v === undefined ? value : v;
  }
  if (Array.isArray(value)) return value.map((v) => applyTheme(v, theme));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyTheme(v, theme)]));
  return value;
}

/** The light theme of theme.json (app.json `themeLocation`, default "theme.json"), if any. */
export function lightTheme(text: string | undefined): ThemeValues | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { light?: unknown };
    const light = parsed?.light;
    return typeof light === 'object' && light !== null && !Array.isArray(light)
      ? (light as ThemeValues)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface LenientContext {
  file: string;
  text: string | undefined;
  /** Path of the object inside the file, e.g. "window" ("" for the top level). */
  at: string;
  compat: CompatReporter;
}

/**
 * Parses `value` with `schema`, dropping each top-level field whose value the schema refuses
 * (with a report entry), until it parses. Fields listed in `fatal` are not dropped: their issue
 * is returned for the caller to report as an error.
 */
export function parseLenient<T>(
  schema: SafeParser<T>,
  value: unknown,
  ctx: LenientContext,
  fatal: ReadonlySet<string> = new Set(),
): { data: T; fatal?: undefined } | { data?: undefined; fatal: Issue | undefined } {
  const prefix = ctx.at ? `${ctx.at}.` : '';
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject && value !== undefined) {
    ctx.compat.add(
      ctx.file,
      locate(ctx.text, `"${ctx.at}"`),
      `config:${prefix}`,
      `${ctx.at || ctx.file} must be an object; it is ignored`,
    );
  }
  let current: Record<string, unknown> = isObject ? { ...(value as Record<string, unknown>) } : {};
  for (let round = 0; round < 64; round++) {
    const res = schema.safeParse(current);
    if (res.success) return { data: res.data };
    const issue = res.error.issues[0];
    const key = issue?.path[0];
    if (issue === undefined || key === undefined || typeof key === 'symbol') return { fatal: issue };
    const name = String(key);
    if (fatal.has(name)) return { fatal: issue };
    ctx.compat.add(
      ctx.file,
      locate(ctx.text, `"${name}"`),
      `config:${prefix}${name}`,
      `${prefix}${issue.path.join('.')}: ${issue.message}; WeChat's value is not usable here, the field is ignored`,
    );
    const { [name]: _dropped, ...rest } = current;
    current = rest;
  }
  const last = schema.safeParse({});
  if (last.success) return { data: last.data };
  return { fatal: last.error.issues[0] };
}

/** Reports the keys of `obj` that are not in `known` (newer or unknown fields WeChat may have). */
export function reportUnknownKeys(
  obj: Record<string, unknown>,
  known: ReadonlySet<string>,
  ctx: Omit<LenientContext, 'at'> & { what: string },
): void {
  for (const key of Object.keys(obj).sort()) {
    if (known.has(key)) continue;
    ctx.compat.add(
      ctx.file,
      locate(ctx.text, `"${key}"`),
      `${ctx.what}:${key}`,
      `"${key}" is not a ${ctx.what} field Tessera knows or supports; it is ignored`,
    );
  }
}
