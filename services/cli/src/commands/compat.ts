// compat: the check a team migrating a WeChat mini-program runs first. Compiles a local project
// folder with the real compiler (nothing is uploaded) and says per page whether it compiled and,
// if not, why (file:line:column, code, message), with the warnings that concern it, what is
// unsupported and how often, and a summary line. Exit 2 when anything fails to compile.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CompatCheck, CompatEntry, CompileErrorJson } from '@tessera/compiler';
import type { CommandContext } from '../context.ts';
import { CliError, inputError } from '../errors.ts';
import { renderTable } from '../render/table.ts';

export interface CompatDocument {
  directory: string;
  /** project.config.json miniprogramRoot that was compiled ("" for the folder itself). */
  miniprogramRoot: string;
  ok: boolean;
  summary: { pages: number; compiled: number; failed: number; percent: number };
  pages: Array<{
    page: string;
    status: 'compiled' | 'failed';
    errors: CompileErrorJson[];
    warnings: CompatEntry[];
  }>;
  appErrors: CompileErrorJson[];
  otherErrors: CompileErrorJson[];
  appWarnings: CompatEntry[];
  otherWarnings: CompatEntry[];
  unsupported: Array<{ feature: string; count: number }>;
}

/** "file:line:column: CODE: message — hint" (the compiler's message already starts with the place). */
export function formatError(e: CompileErrorJson): string {
  const where = `${e.file}:${e.line}:${e.column}: `;
  return `${where}${e.code}: ${e.message.startsWith(where) ? e.message.slice(where.length) : e.message}`;
}

export function formatWarning(w: CompatEntry): string {
  return `${w.file}:${w.line}:${w.column}: ${w.feature}: ${w.message}`;
}

export function compatDocument(directory: string, check: CompatCheck): CompatDocument {
  const { pages, compiled } = check.summary;
  return {
    directory,
    miniprogramRoot: check.root,
    ok: check.ok,
    summary: {
      pages,
      compiled,
      failed: pages - compiled,
      percent: pages === 0 ? 0 : Math.round((1000 * compiled) / pages) / 10,
    },
    pages: check.pages.map((p) => ({
      page: p.page,
      status: p.ok ? 'compiled' : 'failed',
      errors: p.errors,
      warnings: p.warnings,
    })),
    appErrors: check.appErrors,
    otherErrors: check.otherErrors,
    appWarnings: check.appWarnings,
    otherWarnings: check.otherWarnings,
    unsupported: check.features,
  };
}

export function summaryLine(doc: CompatDocument): string {
  const s = doc.summary;
  return `pages compiled: ${s.compiled}/${s.pages} (${s.percent}%)`;
}

/** The report for people: a table of pages, then the reasons and warnings, then the summary. */
export function renderCompat(doc: CompatDocument, wide: boolean): string {
  const out: string[] = [];
  const root = doc.miniprogramRoot ? ` (miniprogramRoot ${doc.miniprogramRoot}/)` : '';
  out.push(`compatibility of ${doc.directory}${root}`, '');
  const appErrors = new Set(doc.appErrors.map(formatError));
  out.push(
    renderTable(
      ['page', 'status', 'errors', 'warnings'],
      doc.pages.map((p) => [p.page, p.status, String(p.errors.length), String(p.warnings.length)]),
    ),
  );
  const section = (title: string, errors: CompileErrorJson[], warnings: CompatEntry[]) => {
    if (errors.length === 0 && warnings.length === 0) return;
    out.push('', title);
    for (const e of errors) out.push(`  error: ${formatError(e)}`);
    for (const w of warnings) out.push(`  warning: ${formatWarning(w)}`);
  };
  section('app (every page):', doc.appErrors, doc.appWarnings);
  for (const p of doc.pages) {
    const own = p.errors.filter((e) => !appErrors.has(formatError(e)));
    // without -o wide, a compiled page's warnings are counted in the table, not listed
    section(`${p.page}: ${p.status}`, own, wide || p.status === 'failed' ? p.warnings : []);
  }
  section(
    doc.otherErrors.length
      ? 'files no page uses (the build fails, no page does):'
      : 'files no page uses (they do not fail the build):',
    doc.otherErrors,
    wide ? doc.otherWarnings : [],
  );
  if (!wide && doc.otherWarnings.length > 0)
    out.push(
      ...(doc.otherErrors.length ? [] : ['', 'files no page uses:']),
      `  ${doc.otherWarnings.length} warning${doc.otherWarnings.length === 1 ? '' : 's'} (-o wide lists them)`,
    );
  if (doc.unsupported.length > 0) {
    out.push('', 'reported features (count):');
    for (const f of doc.unsupported) out.push(`  ${f.feature}  ${f.count}`);
  }
  out.push('', summaryLine(doc));
  if (!wide && doc.pages.some((p) => p.status === 'compiled' && p.warnings.length > 0))
    out.push('(-o wide lists the warnings of compiled pages too; -o json for machines)');
  return out.join('\n');
}

async function checkFolder(dir: string, label: string): Promise<CompatDocument> {
  const { checkCompat, readSourceDir, SourceDirError } = await import('@tessera/compiler');
  let tree: Awaited<ReturnType<typeof readSourceDir>>;
  try {
    tree = await readSourceDir(dir);
  } catch (e) {
    if (e instanceof SourceDirError) throw inputError(`${label}: ${e.message}`);
    throw e;
  }
  return compatDocument(label, await checkCompat(tree));
}

function errorCount(doc: CompatDocument): number {
  return new Set(
    [...doc.appErrors, ...doc.pages.flatMap((p) => p.errors), ...doc.otherErrors].map(formatError),
  ).size;
}

/** Mini-program folders under `root`: app.json, or a project.config.json whose miniprogramRoot has one. */
export async function findApps(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const names = new Set(entries.map((e) => e.name));
    let isApp = names.has('app.json');
    if (!isApp && names.has('project.config.json')) {
      try {
        const config = JSON.parse(await readFile(join(dir, 'project.config.json'), 'utf8')) as {
          miniprogramRoot?: unknown;
        };
        if (typeof config.miniprogramRoot === 'string')
          isApp =
            (await stat(join(dir, config.miniprogramRoot, 'app.json')).catch(() => undefined))?.isFile() ===
            true;
      } catch {
        // not readable as a project: keep looking below it
      }
    }
    if (isApp) {
      found.push(dir);
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (
        !e.isDirectory() ||
        e.name.startsWith('.') ||
        e.name === 'node_modules' ||
        e.name === 'miniprogram_npm'
      )
        continue;
      await walk(join(dir, e.name));
    }
  };
  await walk(root);
  return found;
}

export interface CorpusRow {
  app: string;
  pages: number;
  compiled: number;
  percent: number;
  ok: boolean;
  errors: number;
  /** The most frequent error messages (places left out), with counts. */
  causes: Array<{ cause: string; count: number }>;
  /** When the folder could not be checked at all. */
  failure?: string;
}

function causesOf(doc: CompatDocument): CorpusRow['causes'] {
  const counts = new Map<string, number>();
  const all = new Map(
    [...doc.appErrors, ...doc.pages.flatMap((p) => p.errors), ...doc.otherErrors].map((e) => [
      formatError(e),
      e,
    ]),
  );
  for (const e of all.values()) {
    const text = formatError(e)
      .replace(/^[^:]*:\d+:\d+: /, '')
      .replace(/ — .*$/, '')
      .replace(/"[^"]*"/g, '"…"');
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([cause, count]) => ({ cause, count }));
}

export function renderCorpus(rows: CorpusRow[]): string {
  const pages = rows.reduce((n, r) => n + r.pages, 0);
  const compiled = rows.reduce((n, r) => n + r.compiled, 0);
  const table = renderTable(
    ['app', 'pages', 'compiled', 'build', 'top causes'],
    rows.map((r) => [
      r.app,
      String(r.pages),
      `${r.compiled} (${r.percent}%)`,
      r.failure ? 'unreadable' : r.ok ? 'ok' : `${r.errors} errors`,
      r.failure ?? r.causes.map((c) => `${c.cause} (${c.count})`).join('; '),
    ]),
  );
  const pct = pages === 0 ? 0 : Math.round((1000 * compiled) / pages) / 10;
  return `${table}\n\npages compiled: ${compiled}/${pages} (${pct}%), apps that build: ${rows.filter((r) => r.ok).length}/${rows.length}`;
}

async function compatCorpus(ctx: CommandContext, root: string): Promise<void> {
  const rows: CorpusRow[] = [];
  for (const dir of await findApps(root)) {
    const app = relative(root, dir) || '.';
    ctx.info(`checking ${app}`);
    try {
      const doc = await checkFolder(dir, app);
      rows.push({
        app,
        pages: doc.summary.pages,
        compiled: doc.summary.compiled,
        percent: doc.summary.percent,
        ok: doc.ok,
        errors: errorCount(doc),
        causes: causesOf(doc),
      });
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      rows.push({
        app,
        pages: 0,
        compiled: 0,
        percent: 0,
        ok: false,
        errors: 0,
        causes: [],
        failure: e.message,
      });
    }
  }
  ctx.result({ directory: ctx.arg(0), apps: rows }, () => renderCorpus(rows));
  const failing = rows.filter((r) => !r.ok).length;
  if (rows.length === 0) throw inputError(`no mini-program (app.json) under ${ctx.arg(0)}`);
  if (failing) throw inputError(`${failing} of ${rows.length} apps do not build`);
}

export async function compat(ctx: CommandContext): Promise<void> {
  const dir = resolve(ctx.arg(0));
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw inputError(`${ctx.arg(0)} is not a directory: give the mini-program's project folder`);
  if (ctx.flag('recursive')) return compatCorpus(ctx, dir);
  const doc = await checkFolder(dir, ctx.arg(0));
  ctx.result(doc, (wide) => renderCompat(doc, wide));
  if (!doc.ok) {
    const errors = errorCount(doc);
    throw inputError(
      `${errors} compile error${errors === 1 ? '' : 's'}; ${summaryLine(doc)}${doc.otherErrors.length ? `, ${doc.otherErrors.length} in files no page uses` : ''}`,
    );
  }
}
