// abort / retry a gray rollout, like `kubectl argo rollouts abort|retry`: abort pauses the
// mini-program's running GrayRules (a paused rule matches nobody, so every user gets the stable
// version at once) and records why in an annotation; retry unpauses the rules that abort
// stopped, at the percentage they had. Both apply under a field manager of their own, so retry
// removes exactly what abort set and nothing the rollout command owns.

import { API_VERSION, type GrayRule, GrayRuleKind } from '@tessera/crds';
import type { CommandContext } from '../context.ts';
import { inputError } from '../errors.ts';
import {
  ABORTED_ANNOTATION,
  ABORTED_AT_ANNOTATION,
  crdPath,
  FIELD_MANAGER,
  listGrayRules,
  parseGrayRule,
} from '../kube/resources.ts';
import { requireMiniProgram } from './find.ts';

export const ABORT_FIELD_MANAGER = `${FIELD_MANAGER}-abort`;

export const abortedReason = (r: GrayRule): string | undefined =>
  r.metadata.annotations?.[ABORTED_ANNOTATION];

async function targets(
  ctx: CommandContext,
  pick: (r: GrayRule) => boolean,
  what: string,
): Promise<GrayRule[]> {
  const miniProgram = ctx.arg(0);
  await requireMiniProgram(ctx, miniProgram);
  const rules = await listGrayRules(ctx.kube, ctx.namespace, miniProgram);
  const only = ctx.string('rule');
  if (only) {
    const rule = rules.find((r) => r.metadata.name === only);
    if (!rule) {
      throw inputError(
        `GrayRule ${only} does not belong to MiniProgram ${miniProgram}; its rules: ${rules.map((r) => r.metadata.name).join(', ') || '(none)'}`,
      );
    }
    return [rule];
  }
  const chosen = rules.filter(pick);
  if (chosen.length === 0) throw inputError(`MiniProgram ${miniProgram} has no ${what}`);
  return chosen;
}

async function applyTo(
  ctx: CommandContext,
  rule: GrayRule,
  body: { paused: boolean; annotations?: Record<string, string> },
) {
  const name = rule.metadata.name ?? '';
  return parseGrayRule(
    await ctx.kube.apply(
      crdPath(GrayRuleKind, ctx.namespace, name),
      {
        apiVersion: API_VERSION,
        kind: GrayRuleKind.kind,
        metadata: {
          name,
          namespace: ctx.namespace,
          ...(body.annotations ? { annotations: body.annotations } : {}),
        },
        spec: { paused: body.paused },
      },
      ABORT_FIELD_MANAGER,
    ),
  );
}

export async function abort(ctx: CommandContext): Promise<void> {
  const reason = ctx.string('reason') ?? 'aborted';
  const rules = await targets(ctx, (r) => !r.spec.paused, 'running gray rule to abort');
  const at = new Date(ctx.io.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const done: Array<{ grayRule: string; version: string; paused: boolean }> = [];
  for (const rule of rules) {
    const applied = await applyTo(ctx, rule, {
      paused: true,
      annotations: { [ABORTED_ANNOTATION]: reason, [ABORTED_AT_ANNOTATION]: at },
    });
    done.push({
      grayRule: applied.metadata.name ?? '',
      version: applied.spec.version,
      paused: applied.spec.paused,
    });
  }
  ctx.result({ miniProgram: ctx.arg(0), namespace: ctx.namespace, aborted: done, reason }, () =>
    done
      .map(
        (d) =>
          `grayrule/${d.grayRule} aborted (${d.version}): every user gets the stable version; "kubectl tessera retry ${ctx.arg(0)}" resumes it`,
      )
      .join('\n'),
  );
}

export async function retry(ctx: CommandContext): Promise<void> {
  const rules = await targets(ctx, (r) => abortedReason(r) !== undefined, 'aborted gray rule to retry');
  const done: Array<{ grayRule: string; version: string; changed: boolean }> = [];
  for (const rule of rules) {
    if (abortedReason(rule) === undefined && !rule.spec.paused) {
      done.push({ grayRule: rule.metadata.name ?? '', version: rule.spec.version, changed: false });
      continue;
    }
    // without the annotations in the apply, the abort manager's annotations are removed
    const applied = await applyTo(ctx, rule, { paused: false });
    done.push({ grayRule: applied.metadata.name ?? '', version: applied.spec.version, changed: true });
  }
  ctx.result({ miniProgram: ctx.arg(0), namespace: ctx.namespace, retried: done }, () =>
    done
      .map(
        (d) => `grayrule/${d.grayRule} ${d.changed ? 'resumed' : 'was running (unchanged)'} (${d.version})`,
      )
      .join('\n'),
  );
}
