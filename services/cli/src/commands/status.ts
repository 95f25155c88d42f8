// status: a mini-program's release state. With --watch it stays on, like
// `kubectl argo rollouts get rollout --watch`: it watches the MiniProgram, its versions and its
// gray rules and shows the status again whenever one of them changes (a terminal is redrawn in
// place; a pipe gets each new state after a separator line, or one JSON/YAML document each).

import { GrayRuleKind, MiniProgramKind, MiniProgramVersionKind, resourceOf } from '@tessera/crds';
import type { CommandContext } from '../context.ts';
import { listGrayRules, listVersions } from '../kube/resources.ts';
import { buildStatusReport, renderStatus, type StatusReport } from '../render/status.ts';
import { requireMiniProgram } from './find.ts';

async function report(ctx: CommandContext, name: string): Promise<StatusReport> {
  const mp = await requireMiniProgram(ctx, name);
  const [versions, rules] = await Promise.all([
    listVersions(ctx.kube, ctx.namespace, name),
    listGrayRules(ctx.kube, ctx.namespace, name),
  ]);
  return buildStatusReport(mp, versions, rules);
}

export async function status(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  if (!ctx.flag('watch')) {
    const r = await report(ctx, name);
    ctx.result(r, (wide) => renderStatus(r, ctx.io.now(), wide));
    return;
  }
  await watchStatus(ctx, name);
}

/** Time to gather a burst of changes (a promote touches the MiniProgram and its versions) into one redraw. */
const SETTLE_MS = 150;

async function watchStatus(ctx: CommandContext, name: string): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = (ctx.parsed.output === 'table' || ctx.parsed.output === 'wide') && ctx.io.isTTY;
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let drawing: Promise<void> = Promise.resolve();
  const draw = async () => {
    const r = await report(ctx, name);
    const text = ctx.format(r, (wide) => renderStatus(r, ctx.io.now(), wide));
    if (text === last) return;
    last = text;
    const yaml = ctx.parsed.output === 'yaml';
    ctx.io.stdout(
      tty
        ? `\x1b[H\x1b[2J${text}`
        : `${yaml ? '---\n' : ctx.parsed.output === 'json' ? '' : `--- ${new Date(ctx.io.now()).toISOString()}\n`}${text}`,
    );
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      drawing = drawing.then(draw).catch((e: unknown) => {
        ctx.info(`status: ${(e as Error).message}`);
      });
    }, SETTLE_MS);
  };
  try {
    await draw();
    const belongs = (kind: string, o: { metadata?: { name?: string }; spec?: { miniProgram?: string } }) =>
      kind === MiniProgramKind.kind ? o.metadata?.name === name : o.spec?.miniProgram === name;
    await Promise.all(
      [MiniProgramKind, MiniProgramVersionKind, GrayRuleKind].map(async (kind) => {
        let rv = '0';
        while (!stop.signal.aborted) {
          try {
            await ctx.kube.watch(
              resourceOf(kind),
              ctx.namespace,
              rv,
              (e) => {
                const o = e.object as {
                  metadata?: { name?: string; resourceVersion?: string };
                  spec?: { miniProgram?: string };
                };
                if (o.metadata?.resourceVersion) rv = o.metadata.resourceVersion;
                if (e.type === 'ERROR') rv = '0';
                else if (e.type !== 'BOOKMARK' && belongs(kind.kind, o)) schedule();
              },
              stop.signal,
            );
          } catch (e) {
            if (stop.signal.aborted) break;
            ctx.info(`status: watch of ${kind.plural} ended (${(e as Error).message}); watching again`);
            rv = '0';
            await ctx.io.sleep(1000);
          }
        }
      }),
    );
  } finally {
    clearTimeout(timer);
    await drawing;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
