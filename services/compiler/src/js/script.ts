// Logic-layer JS/TS → one CommonJS module per file inside the define wrapper (same shape as
// compiled WXML, see @tessera/runtime-sdk/render/contract). The runtime's `require` resolves
// specifiers relative to the module id (adding ".js", then "/index.js"). Source maps are
// returned separately for the developer and never put in the package.
import { type Message, transform } from 'esbuild';
import { CompileError } from '../errors.ts';

export interface ScriptResult {
  code: string;
  map: string;
  /** Specifiers as they appear in require("…") calls of the output. */
  requires: string[];
}

export interface ScriptOptions {
  minify: boolean;
  /** Browser/worker baseline the logic layer runs on. */
  target: string;
}

export const DEFAULT_SCRIPT_OPTIONS: ScriptOptions = { minify: true, target: 'es2019' };

export async function compileScript(
  source: string,
  file: string,
  moduleId: string,
  options: ScriptOptions = DEFAULT_SCRIPT_OPTIONS,
): Promise<ScriptResult> {
  let out: { code: string; map: string };
  try {
    out = await transform(source, {
      loader: file.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: options.target,
      minify: options.minify,
      sourcemap: 'external',
      sourcefile: file,
      legalComments: 'none',
      charset: 'utf8',
    });
  } catch (e) {
    const first = (e as { errors?: Message[] }).errors?.[0];
    const loc = first?.location;
    throw new CompileError(
      'JS_SYNTAX',
      file,
      { line: loc?.line ?? 1, column: (loc?.column ?? 0) + 1 },
      first?.text ?? String(e),
      'fix the syntax error',
    );
  }
  const requires = [
    ...new Set([...out.code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? '')),
  ].sort();
  const code = `__tesseraDefine(${JSON.stringify(moduleId)}, function (module, exports, require) {\n${out.code}});\n`;
  // The wrapper adds one line before the transformed code.
  const map = JSON.parse(out.map) as { mappings: string };
  map.mappings = `;${map.mappings}`;
  return { code, map: JSON.stringify(map), requires };
}

const WRAPPER_HEAD = /^(__tesseraDefine\("(?:[^"\\]|\\.)*", )(function \(module, exports, require\) \{\n)/;

/**
 * Gives a compiled module a fixed map from the specifiers it requires to module ids (npm
 * packages resolved at compile time). Only the wrapper's first and last lines change, so the
 * source map still holds and a "use strict" directive stays the first statement of the body.
 */
export function linkRequires(code: string, map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return code;
  const sorted = Object.fromEntries(keys.map((k) => [k, map[k]]));
  const head = WRAPPER_HEAD.exec(code);
  if (!head || !code.endsWith('});\n')) throw new Error('linkRequires: not a compiled module');
  const link =
    '(function (f, m) { return function (module, exports, require) { return f.call(this, module, exports, function (s) { return require(Object.prototype.hasOwnProperty.call(m, s) ? m[s] : s); }); }; })(';
  return `${head[1]}${link}${head[2]}${code.slice(head[0].length, -4)}}, ${JSON.stringify(sorted)}));\n`;
}

/** 1-based position of the first string literal `spec` in a source (for resolution errors). */
export function locateSpecifier(source: string | undefined, spec: string): { line: number; column: number } {
  if (!source) return { line: 1, column: 1 };
  let at = -1;
  for (const q of ['"', "'", '`']) {
    const i = source.indexOf(`${q}${spec}${q}`);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return { line: 1, column: 1 };
  const before = source.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

/** Minifies generated module text (compiled WXML); errors here are compiler bugs, not user errors. */
export async function minifyModule(code: string, file: string): Promise<string> {
  const out = await transform(code, {
    loader: 'js',
    minify: true,
    legalComments: 'none',
    sourcefile: `${file}.js`,
    charset: 'utf8',
  });
  return out.code;
}
