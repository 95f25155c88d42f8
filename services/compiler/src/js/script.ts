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
