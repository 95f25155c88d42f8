import type { CommandContext } from '../context.ts';
import { listGrayRules, listVersions } from '../kube/resources.ts';
import { buildStatusReport, renderStatus } from '../render/status.ts';
import { requireMiniProgram } from './find.ts';

export async function status(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  const mp = await requireMiniProgram(ctx, name);
  const [versions, rules] = await Promise.all([
    listVersions(ctx.kube, ctx.namespace, name),
    listGrayRules(ctx.kube, ctx.namespace, name),
  ]);
  const report = buildStatusReport(mp, versions, rules);
  ctx.result(report, () => renderStatus(report, ctx.io.now()));
}
