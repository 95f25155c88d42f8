// suspend / resume: spec.suspended (and suspendReason) by server-side apply under a field
// manager of their own, so a resume removes the reason this CLI set and nothing else.

import { API_VERSION, type MiniProgram, MiniProgramKind } from '@tessera/crds';
import type { CommandContext } from '../context.ts';
import { crdPath, FIELD_MANAGER, parseMiniProgram } from '../kube/resources.ts';
import { requireMiniProgram } from './find.ts';

export const SUSPEND_FIELD_MANAGER = `${FIELD_MANAGER}-suspend`;

async function setSuspended(
  ctx: CommandContext,
  suspended: boolean,
  reason: string | undefined,
): Promise<void> {
  const name = ctx.arg(0);
  const before = await requireMiniProgram(ctx, name);
  const applied = await ctx.kube.apply(
    crdPath(MiniProgramKind, ctx.namespace, name),
    {
      apiVersion: API_VERSION,
      kind: MiniProgramKind.kind,
      metadata: { name, namespace: ctx.namespace },
      spec: { suspended, ...(reason ? { suspendReason: reason } : {}) },
    },
    SUSPEND_FIELD_MANAGER,
  );
  const mp: MiniProgram = parseMiniProgram(applied);
  ctx.result(
    {
      miniProgram: name,
      namespace: ctx.namespace,
      suspended: mp.spec.suspended,
      suspendReason: mp.spec.suspendReason ?? null,
      wasSuspended: before.spec.suspended,
    },
    () =>
      `miniprogram/${name} ${mp.spec.suspended ? 'suspended' : 'resumed'}${
        before.spec.suspended === mp.spec.suspended ? ' (unchanged)' : ''
      }${mp.spec.suspended && mp.spec.suspendReason ? `: ${mp.spec.suspendReason}` : ''}`,
  );
}

export const suspend = (ctx: CommandContext) => setSuspended(ctx, true, ctx.string('reason'));
export const resume = (ctx: CommandContext) => setSuspended(ctx, false, undefined);
