// The developer's source tree as package-relative paths → bytes, and which files never ship.
import { CompileError } from '../errors.ts';
import { jsonErrorOffset } from './json-position.ts';

export type SourceTree = ReadonlyMap<string, Uint8Array>;

const IGNORED_FILES = new Set([
  'project.config.json',
  'project.private.config.json',
  'sitemap.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
]);

/** Files that are not part of the mini-program (tooling config, dotfiles, node_modules, .d.ts). */
export function isIgnoredSource(path: string): boolean {
  if (IGNORED_FILES.has(path)) return true;
  if (path.endsWith('.d.ts')) return true;
  return path.split('/').some((seg) => seg.startsWith('.') || seg === 'node_modules');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function textOf(tree: SourceTree, path: string): string | undefined {
  const bytes = tree.get(path);
  if (!bytes) return undefined;
  try {
    const text = decoder.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new CompileError(
      'MISSING_FILE',
      path,
      { line: 1, column: 1 },
      'file is not valid UTF-8',
      'save it as UTF-8',
    );
  }
}

/** Line/column of the first occurrence of `needle` in a JSON text (for config errors). */
export function locate(text: string | undefined, needle: string): { line: number; column: number } {
  if (!text) return { line: 1, column: 1 };
  const at = text.indexOf(needle);
  if (at < 0) return { line: 1, column: 1 };
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}

export function parseJsonFile(tree: SourceTree, path: string): unknown {
  const text = textOf(tree, path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /line (\d+) column (\d+)/.exec(msg);
    const offset = /position (\d+)/.exec(msg)?.[1] ?? String(Math.max(0, jsonErrorOffset(text)));
    const pos = m ? { line: Number(m[1]), column: Number(m[2]) } : positionFromOffset(text, offset);
    throw new CompileError(
      'JSON_SYNTAX',
      path,
      pos,
      `invalid JSON: ${msg.replace(/ in JSON at position.*$/, '').replace(/, \.\.\.[\s\S]*$/, '')}`,
      'fix the JSON syntax',
    );
  }
}

function positionFromOffset(text: string, offset: string | undefined): { line: number; column: number } {
  if (offset === undefined) return { line: 1, column: 1 };
  const before = text.slice(0, Number(offset));
  return { line: before.split('\n').length, column: Number(offset) - before.lastIndexOf('\n') };
}

/**
 * The mini-program inside a project folder: project.config.json's `miniprogramRoot` (e.g.
 * "miniprogram/") when it names a folder with an app.json, else the tree itself. Files outside
 * it (cloud functions, tooling) are not part of the mini-program, as in WeChat's upload.
 */
export function miniprogramRootOf(tree: SourceTree): { root: string; tree: SourceTree } {
  let root = '';
  try {
    const config = JSON.parse(textOf(tree, 'project.config.json') ?? '{}') as { miniprogramRoot?: unknown };
    if (typeof config.miniprogramRoot === 'string')
      root = config.miniprogramRoot.replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
  } catch {
    // an unreadable project.config.json is reported by the compat check; it has no say here
  }
  if (!root || root.split('/').includes('..') || !tree.has(`${root}/app.json`)) return { root: '', tree };
  const prefix = `${root}/`;
  const sub = new Map<string, Uint8Array>();
  for (const [path, bytes] of tree) if (path.startsWith(prefix)) sub.set(path.slice(prefix.length), bytes);
  return { root, tree: sub };
}

interface IgnoreRule {
  type?: unknown;
  value?: unknown;
}

function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * What WeChat leaves out of the uploaded mini-program: the cloud function folder
 * (project.config.json `cloudfunctionRoot`, relative to the project) and `packOptions.ignore`
 * (relative to the mini-program root; types folder, file, suffix, prefix of the file name, glob).
 * `regexp` rules are not run: a pattern from an uploaded tree could take exponential time; they
 * are returned in `skipped` for the report. `path` is relative to the mini-program root `root`.
 */
export function packExclusions(
  project: SourceTree,
  root: string,
): { excluded: (path: string) => boolean; skipped: string[] } {
  let config: { cloudfunctionRoot?: unknown; packOptions?: { ignore?: unknown } } = {};
  try {
    const parsed: unknown = JSON.parse(textOf(project, 'project.config.json') ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) config = parsed;
  } catch {
    return { excluded: () => false, skipped: [] };
  }
  const skipped: string[] = [];
  const clean = (v: string) => v.replace(/^(\.\/)+/, '').replace(/^\/+|\/+$/g, '');
  const tests: Array<(path: string, projectPath: string) => boolean> = [];
  if (typeof config.cloudfunctionRoot === 'string' && clean(config.cloudfunctionRoot)) {
    const dir = clean(config.cloudfunctionRoot);
    tests.push((_p, projectPath) => projectPath === dir || projectPath.startsWith(`${dir}/`));
  }
  const rules = Array.isArray(config.packOptions?.ignore) ? (config.packOptions.ignore as IgnoreRule[]) : [];
  for (const rule of rules) {
    if (typeof rule?.value !== 'string' || rule.value === '') continue;
    const v =
      rule.type === 'regexp' || rule.type === 'suffix' || rule.type === 'prefix'
        ? rule.value
        : clean(rule.value);
    const name = (p: string) => p.slice(p.lastIndexOf('/') + 1);
    switch (rule.type) {
      case 'folder':
        if (v) tests.push((p) => p === v || p.startsWith(`${v}/`));
        break;
      case 'file':
        tests.push((p) => p === v);
        break;
      case 'suffix':
        tests.push((p) => p.endsWith(v));
        break;
      case 'prefix':
        tests.push((p) => name(p).startsWith(v));
        break;
      case 'glob': {
        const re = globRegExp(v);
        tests.push((p) => re.test(p));
        break;
      }
      case 'regexp':
        skipped.push(v);
        break;
    }
  }
  return { excluded: (path) => tests.some((t) => t(path, root ? `${root}/${path}` : path)), skipped };
}
