// WXS: an ES5 subset with CommonJS `module.exports` and `require` of other .wxs files only.
// esbuild with target es5 rejects syntax WeChat's WXS engine does not have (let/const, classes,
// template literals…); relative requires are resolved at compile time to absolute module ids.
import { type TransformOptions, transform, transformSync } from 'esbuild';
import { CompileError, type SourcePosition } from '../errors.ts';
import { resolvePackagePath } from '../wxml/paths.ts';

const REQUIRE = /\brequire\s*\(\s*(?:"([^"]*)"|'([^']*)')\s*\)/g;
const ANY_REQUIRE = /\brequire\s*\(/g;

export interface WxsResult {
  code: string;
  requires: string[];
}

function adjust(base: SourcePosition, line: number, column: number): SourcePosition {
  return line === 1
    ? { line: base.line, column: base.column + column }
    : { line: base.line + line - 1, column: column + 1 };
}

function prepare(
  source: string,
  file: string,
  base: SourcePosition,
): { rewritten: string; requires: string[] } {
  const requires: string[] = [];
  const literalCount = [...source.matchAll(REQUIRE)].length;
  const anyCount = [...source.matchAll(ANY_REQUIRE)].length;
  if (anyCount !== literalCount) {
    throw new CompileError(
      'WXS_SYNTAX',
      file,
      base,
      'wxs require() takes a string literal path',
      'write require("./other.wxs")',
    );
  }
  const rewritten = source.replace(REQUIRE, (_m, a: string | undefined, b: string | undefined) => {
    const spec = a ?? b ?? '';
    if (!spec.endsWith('.wxs')) {
      throw new CompileError(
        'WXS_SYNTAX',
        file,
        base,
        `wxs can only require .wxs files, not "${spec}"`,
        'move the code into a .wxs file',
      );
    }
    const path = resolvePackagePath(file, spec);
    if (!path)
      throw new CompileError('WXS_SYNTAX', file, base, `require("${spec}") points outside the package`);
    requires.push(path);
    return `require(${JSON.stringify(`/${path}`)})`;
  });
  return { rewritten, requires: [...new Set(requires)].sort() };
}

const ES5: TransformOptions = {
  loader: 'js',
  target: 'es5',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
};
const MODERN: TransformOptions = {
  loader: 'js',
  target: 'esnext',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
};

function check(source: string, file: string, base: SourcePosition, es5: string, modern: string): void {
  if (modern !== es5) {
    // esbuild had to lower something: WXS has no ES2015+ syntax, so reject instead of rewriting.
    const m = /=>|`|\.\.\.|\bclass\b|\blet\b|\bconst\b|\*\*/.exec(source);
    const at = m ? offsetPosition(source, m.index, base) : base;
    throw new CompileError(
      'WXS_SYNTAX',
      file,
      at,
      `wxs: "${m?.[0] ?? 'ES2015+ syntax'}" is not available in WXS (ES5 only)`,
      'use function expressions, string concatenation and var',
    );
  }
}

function syntaxError(e: unknown, file: string, base: SourcePosition): CompileError {
  if (e instanceof CompileError) return e;
  const first = (
    e as { errors?: Array<{ text: string; location?: { line: number; column: number } | null }> }
  ).errors?.[0];
  const at = first?.location ? adjust(base, first.location.line, first.location.column) : base;
  return new CompileError(
    'WXS_SYNTAX',
    file,
    at,
    `wxs: ${first?.text ?? String(e)}`,
    'wxs supports an ES5 subset only',
  );
}

/** Synchronous variant, for inline <wxs> inside a WXML file. */
export function compileWxsSource(
  source: string,
  file: string,
  base: SourcePosition = { line: 1, column: 1 },
): WxsResult {
  const { rewritten, requires } = prepare(source, file, base);
  try {
    const es5 = transformSync(rewritten, { ...ES5, sourcefile: file }).code;
    check(source, file, base, es5, transformSync(rewritten, MODERN).code);
    return { code: es5, requires };
  } catch (e) {
    throw syntaxError(e, file, base);
  }
}

/** Asynchronous variant (no synchronous esbuild service needed): .wxs files and inline <wxs>. */
export async function compileWxsAsync(
  source: string,
  file: string,
  base: SourcePosition = { line: 1, column: 1 },
): Promise<WxsResult> {
  const { rewritten, requires } = prepare(source, file, base);
  try {
    const [es5, modern] = await Promise.all([
      transform(rewritten, { ...ES5, sourcefile: file }),
      transform(rewritten, MODERN),
    ]);
    check(source, file, base, es5.code, modern.code);
    return { code: es5.code, requires };
  } catch (e) {
    throw syntaxError(e, file, base);
  }
}

function offsetPosition(text: string, offset: number, base: SourcePosition): SourcePosition {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return lines.length === 1
    ? { line: base.line, column: base.column + offset }
    : { line: base.line + lines.length - 1, column: (lines.at(-1)?.length ?? 0) + 1 };
}
