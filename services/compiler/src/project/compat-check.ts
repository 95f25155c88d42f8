// The compatibility check a migrating team runs first: compile the whole app once with the real
// compiler, then say per page whether it compiled and why not (every error that reaches the page
// through its files, its components, their templates, styles, scripts and packages), with the
// warnings that concern it. Errors in app.json, app.js, app.wxss or a global component fail every
// page; errors in files no page uses fail the build but no page.
import { type CompatEntry, CompileError, type CompileErrorJson, cmp } from '../errors.ts';
import {
  APP_NODE,
  CompileFailure,
  type CompileOptions,
  compileProject,
  type DependencyGraph,
  ownerNode,
} from './compile-project.ts';
import { miniprogramRootOf, type SourceTree, textOf } from './source-tree.ts';

export interface PageCompat {
  page: string;
  ok: boolean;
  /** Every error that fails this page, app-level ones included. */
  errors: CompileErrorJson[];
  /** Warnings about the files of this page and what it uses (app-level ones are in appWarnings). */
  warnings: CompatEntry[];
}

export interface CompatCheck {
  /** project.config.json's miniprogramRoot that was compiled ("" for the folder itself). */
  root: string;
  /** The compile as a whole (what a compile Job would do). */
  ok: boolean;
  pages: PageCompat[];
  /** Errors that fail every page (app.json, app.js, app.wxss, global components). */
  appErrors: CompileErrorJson[];
  /** Errors in files no page uses: the build fails, no page does. */
  otherErrors: CompileErrorJson[];
  /** Warnings about app files (they concern every page). */
  appWarnings: CompatEntry[];
  /** Warnings about files no page uses (build scripts, project.config.json…). */
  otherWarnings: CompatEntry[];
  /** Warnings by feature, most frequent first. */
  features: Array<{ feature: string; count: number }>;
  warnings: CompatEntry[];
  summary: { pages: number; compiled: number };
}

function closure(graph: DependencyGraph, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  for (let node = todo.pop(); node !== undefined; node = todo.pop()) {
    for (const next of graph.get(node) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

/** Page list from app.json when the compile stopped before knowing it (best effort). */
function listedPages(tree: SourceTree): string[] {
  try {
    const app = JSON.parse(textOf(tree, 'app.json') ?? '{}') as {
      pages?: unknown;
      subpackages?: unknown;
      subPackages?: unknown;
    };
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    const subs = [app.subpackages, app.subPackages].flatMap((list) =>
      Array.isArray(list)
        ? list.flatMap((s: { root?: unknown; pages?: unknown }) =>
            typeof s?.root === 'string'
              ? strings(s.pages).map((p) => `${(s.root as string).replace(/^\/+|\/+$/g, '')}/${p}`)
              : [],
          )
        : [],
    );
    return [...strings(app.pages), ...subs].map((p) => p.replace(/^\/+|\/+$/g, ''));
  } catch {
    return [];
  }
}

export async function checkCompat(project: SourceTree, options: CompileOptions = {}): Promise<CompatCheck> {
  const { root, tree } = project.has('app.json') ? { root: '', tree: project } : miniprogramRootOf(project);
  let errors: CompileError[] = [];
  let warnings: CompatEntry[];
  let graph: DependencyGraph;
  let pages: string[];
  try {
    const result = await compileProject(tree, { minify: false, ...options });
    warnings = result.report.warnings;
    graph = result.graph;
    pages = result.report.pages;
  } catch (e) {
    if (!(e instanceof CompileFailure)) {
      if (e instanceof CompileError) {
        errors = [e];
        warnings = [];
        graph = new Map();
        pages = listedPages(tree);
      } else throw e;
    } else {
      errors = e.errors;
      warnings = e.warnings;
      graph = e.graph;
      pages = listedPages(tree);
    }
  }
  const app = closure(graph, APP_NODE);
  const reach = new Map(pages.map((p) => [p, closure(graph, ownerNode(p))]));
  const touches = (files: Set<string>, err: CompileError): boolean =>
    err.owner !== undefined ? files.has(ownerNode(err.owner)) : files.has(err.file);
  const appErrors = errors.filter(
    (e) =>
      (e.owner === undefined && (app.has(e.file) || graph.size === 0)) ||
      (e.owner && app.has(ownerNode(e.owner))),
  );
  const pageResults: PageCompat[] = pages.map((page) => {
    const files = reach.get(page) ?? new Set<string>();
    const own = errors.filter((e) => !appErrors.includes(e) && touches(files, e));
    const all = [...appErrors, ...own];
    return {
      page,
      ok: all.length === 0,
      errors: all.map((e) => e.toJSON()),
      warnings: warnings.filter((w) => files.has(w.file) && !app.has(w.file)),
    };
  });
  const otherErrors = errors.filter(
    (e) => !appErrors.includes(e) && ![...reach.values()].some((files) => touches(files, e)),
  );
  const counts = new Map<string, number>();
  for (const w of warnings) counts.set(w.feature, (counts.get(w.feature) ?? 0) + 1);
  return {
    root,
    ok: errors.length === 0,
    pages: pageResults,
    appErrors: appErrors.map((e) => e.toJSON()),
    otherErrors: otherErrors.map((e) => e.toJSON()),
    appWarnings: warnings.filter((w) => app.has(w.file)),
    otherWarnings: warnings.filter(
      (w) => !app.has(w.file) && ![...reach.values()].some((f) => f.has(w.file)),
    ),
    features: [...counts]
      .map(([feature, count]) => ({ feature, count }))
      .sort((a, b) => b.count - a.count || cmp(a.feature, b.feature)),
    warnings,
    summary: { pages: pageResults.length, compiled: pageResults.filter((p) => p.ok).length },
  };
}
