// WXS: CommonJS `module.exports` and `require` of other .wxs files only, with WeChat's built-ins
// getRegExp() and getDate(). WeChat's current toolchain accepts ES2015+ syntax in WXS (let/const,
// arrow functions, default parameters, spread…) and so does Tessera: the view runs it as it is
// (esbuild checks the syntax and minifies). Relative requires are resolved at compile time to
// absolute module ids.
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

const WXS_OPTIONS: TransformOptions = {
  loader: 'js',
  target: 'es2019',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
};

/**
 * getRegExp(pattern, flags) and getDate(…same arguments as new Date…), WXS's way to make regular
 * expressions and dates; defined only for modules that use them.
 */
export const WXS_BUILTINS =
  'var getRegExp = function (p, f) { return new RegExp(p, f); };\n' +
  'var getDate = function () { return new (Function.prototype.bind.apply(Date, [null].concat(Array.prototype.slice.call(arguments))))(); };\n';

function withBuiltins(code: string): string {
  return /\bget(RegExp|Date)\b/.test(code) ? `${WXS_BUILTINS}${code}` : code;
}

function syntaxError(e: unknown, file: string, base: SourcePosition): CompileError {
  if (e instanceof CompileError) return e;
  const first = (
    e as { errors?: Array<{ text: string; location?: { line: number; column: number } | null }> }
  ).errors?.[0];
  const at = first?.location ? adjust(base, first.location.line, first.location.column) : base;
  return new CompileError('WXS_SYNTAX', file, at, `wxs: ${first?.text ?? String(e)}`, 'fix the syntax error');
}

/** Synchronous variant, for inline <wxs> inside a WXML file. */
export function compileWxsSource(
  source: string,
  file: string,
  base: SourcePosition = { line: 1, column: 1 },
): WxsResult {
  const { rewritten, requires } = prepare(source, file, base);
  try {
    return {
      code: withBuiltins(transformSync(rewritten, { ...WXS_OPTIONS, sourcefile: file }).code),
      requires,
    };
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
    const out = await transform(rewritten, { ...WXS_OPTIONS, sourcefile: file });
    return { code: withBuiltins(out.code), requires };
  } catch (e) {
    throw syntaxError(e, file, base);
  }
}
