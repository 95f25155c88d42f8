// compat: the check a team migrating a WeChat mini-program runs first. Compiles a local project
// folder with the real compiler (nothing is uploaded) and says per page whether it compiled and,
// if not, why (file:line:column, code, message), with the warnings that concern it, what is
// unsupported and how often, and a summary line. Exit 2 when anything fails to compile.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CompatCheck, CompatEntry, CompileErrorJson } from '@tessera/compiler';
import type { CommandContext } from '../context.ts';
import { inputError } from '../errors.ts';
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
  section('files no page uses (the build fails, no page does):', doc.otherErrors, []);
  if (doc.unsupported.length > 0) {
    out.push('', 'reported features (count):');
    for (const f of doc.unsupported) out.push(`  ${f.feature}  ${f.count}`);
  }
  out.push('', summaryLine(doc));
  if (!wide && doc.pages.some((p) => p.status === 'compiled' && p.warnings.length > 0))
    out.push('(-o wide lists the warnings of compiled pages too; -o json for machines)');
  return out.join('\n');
}

export async function compat(ctx: CommandContext): Promise<void> {
  const dir = resolve(ctx.arg(0));
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw inputError(`${ctx.arg(0)} is not a directory: give the mini-program's project folder`);
  const { checkCompat, readSourceDir, SourceDirError } = await import('@tessera/compiler');
  let tree: Awaited<ReturnType<typeof readSourceDir>>;
  try {
    tree = await readSourceDir(dir);
  } catch (e) {
    if (e instanceof SourceDirError) throw inputError(`${ctx.arg(0)}: ${e.message}`);
    throw e;
  }
  const doc = compatDocument(ctx.arg(0), await checkCompat(tree));
  ctx.result(doc, (wide) => renderCompat(doc, wide));
  if (!doc.ok) {
    const errors = new Set(
      [...doc.appErrors, ...doc.pages.flatMap((p) => p.errors), ...doc.otherErrors].map(formatError),
    ).size;
    throw inputError(
      `${errors} compile error${errors === 1 ? '' : 's'}; ${summaryLine(doc)}${doc.otherErrors.length ? `, ${doc.otherErrors.length} in files no page uses` : ''}`,
    );
  }
}
