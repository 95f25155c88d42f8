// logs: everything known about a version's compile. The local pod runner has no container logs,
// so this gathers what the cluster keeps instead: status.errors and warnings, the Compiled
// condition, the compile pods' termination messages and the Events of the version, Job and pods.

import type { CompileMessageSchema } from '@tessera/crds';
import { z } from 'zod';
import type { CommandContext } from '../context.ts';
import { KubeApiError } from '../kube/client.ts';
import { corePath } from '../kube/resources.ts';
import { renderTable } from '../render/table.ts';
import { requireVersionObject } from './find.ts';

type CompileMessage = z.infer<typeof CompileMessageSchema>;

const TerminatedSchema = z.looseObject({
  exitCode: z.number().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
const ContainerStatusSchema = z.looseObject({
  name: z.string(),
  state: z.looseObject({ terminated: TerminatedSchema.optional() }).optional(),
  lastState: z.looseObject({ terminated: TerminatedSchema.optional() }).optional(),
});
const PodSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      containerStatuses: z.array(ContainerStatusSchema).optional(),
    })
    .optional(),
});
const EventSchema = z.looseObject({
  type: z.string().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
  count: z.number().optional(),
  involvedObject: z.looseObject({ kind: z.string().optional(), name: z.string().optional() }),
  lastTimestamp: z.string().nullish(),
  eventTime: z.string().nullish(),
  metadata: z.looseObject({ creationTimestamp: z.string().optional() }),
});

export interface CompileLogs {
  name: string;
  namespace: string;
  miniProgram: string;
  version: string;
  phase: string;
  compileJob: string | null;
  conditions: Array<{ type: string; status: string; reason: string; message: string }>;
  errors: CompileMessage[];
  warnings: CompileMessage[];
  pods: Array<{
    name: string;
    phase: string;
    containers: Array<{ name: string; exitCode?: number; reason?: string; terminationMessage?: string }>;
  }>;
  events: Array<{
    time: string;
    type: string;
    reason: string;
    object: string;
    message: string;
    count: number;
  }>;
  /** What could not be read (e.g. no permission to list pods). */
  notes: string[];
}

export function formatCompileMessage(m: CompileMessage): string {
  const where = m.file ? `${m.file}${m.line ? `:${m.line}${m.column ? `:${m.column}` : ''}` : ''}: ` : '';
  return `${where}${m.code ? `${m.code}: ` : ''}${m.message}`;
}

export async function gatherCompileLogs(ctx: CommandContext, name: string): Promise<CompileLogs> {
  const v = await requireVersionObject(ctx, name);
  const ns = ctx.namespace;
  const job = v.status?.compileJob;
  const notes: string[] = [];
  // Reviewers and viewers may not list pods (or events): show what they may see and say what is missing.
  const listOrNote = async (what: string, path: string, query: Record<string, string>) => {
    try {
      return await ctx.kube.list(path, query);
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 403) {
        if (!notes.some((n) => n.startsWith(`cannot list ${what}`)))
          notes.push(`cannot list ${what}: ${e.message}`);
        return [];
      }
      throw e;
    }
  };
  const pods = job
    ? (await listOrNote('pods', corePath('pods', ns), { labelSelector: `job-name=${job}` })).flatMap((p) => {
        const r = PodSchema.safeParse(p);
        return r.success ? [r.data] : [];
      })
    : [];
  const involved = [name, ...(job ? [job] : []), ...pods.map((p) => p.metadata.name)];
  const eventLists = await Promise.all(
    involved.map((n) =>
      listOrNote('events', corePath('events', ns), { fieldSelector: `involvedObject.name=${n}` }),
    ),
  );
  const events = eventLists
    .flat()
    .flatMap((e) => {
      const r = EventSchema.safeParse(e);
      return r.success ? [r.data] : [];
    })
    .map((e) => ({
      time: e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '',
      type: e.type ?? '',
      reason: e.reason ?? '',
      object: `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name ?? ''}`,
      message: e.message ?? '',
      count: e.count ?? 1,
    }))
    .sort((a, b) => a.time.localeCompare(b.time));
  return {
    name,
    namespace: ns,
    miniProgram: v.spec.miniProgram,
    version: v.spec.version,
    phase: v.status?.phase ?? 'Pending',
    compileJob: job ?? null,
    conditions: (v.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
    })),
    errors: v.status?.errors ?? [],
    warnings: v.status?.warnings ?? [],
    pods: pods.map((p) => ({
      name: p.metadata.name,
      phase: p.status?.phase ?? '',
      containers: (p.status?.containerStatuses ?? []).map((c) => {
        const t = c.state?.terminated ?? c.lastState?.terminated;
        return {
          name: c.name,
          ...(t?.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
          ...(t?.reason ? { reason: t.reason } : {}),
          ...(t?.message ? { terminationMessage: t.message } : {}),
        };
      }),
    })),
    events,
    notes,
  };
}

export function renderCompileLogs(l: CompileLogs): string {
  const out: string[] = [
    `miniprogramversion/${l.name} (${l.miniProgram} ${l.version}): phase ${l.phase}${l.compileJob ? `, compile job ${l.compileJob}` : ''}`,
  ];
  for (const c of l.conditions) out.push(`  ${c.type}=${c.status} (${c.reason}): ${c.message}`);
  if (l.errors.length > 0) out.push('', 'ERRORS', ...l.errors.map((m) => `  ${formatCompileMessage(m)}`));
  if (l.warnings.length > 0)
    out.push('', 'WARNINGS', ...l.warnings.map((m) => `  ${formatCompileMessage(m)}`));
  for (const p of l.pods) {
    for (const c of p.containers) {
      out.push(
        '',
        `POD ${p.name} (${p.phase}) container ${c.name}: exit ${c.exitCode ?? '?'} ${c.reason ?? ''}`.trimEnd(),
      );
      if (c.terminationMessage) out.push(...c.terminationMessage.split('\n').map((line) => `  ${line}`));
    }
  }
  out.push(
    '',
    'EVENTS',
    l.events.length === 0
      ? '  <none>'
      : renderTable(
          ['Time', 'Type', 'Reason', 'Object', 'Message'],
          l.events.map((e) => [
            e.time,
            e.type,
            e.reason,
            e.object,
            e.count > 1 ? `${e.message} (x${e.count})` : e.message,
          ]),
        ),
  );
  if (l.notes.length > 0) out.push('', 'NOTES', ...l.notes.map((n) => `  ${n}`));
  return out.join('\n');
}

export async function logs(ctx: CommandContext): Promise<void> {
  const l = await gatherCompileLogs(ctx, ctx.arg(0));
  ctx.result(l, () => renderCompileLogs(l));
}
