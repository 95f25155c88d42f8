// rollout: create or update a GrayRule giving `version` to a percentage of (matching) users.
// Fields the user does not mention on an update (match, priority, paused, stickiness) keep their
// current values, so "rollout app 1.2.0 --percent 50" after "--percent 10 --match ..." widens
// the same audience.

import { API_VERSION, type GrayRule, GrayRuleKind, type GrayRuleSpec } from '@tessera/crds';
import { parsePercent } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { inputError, usageError } from '../errors.ts';
import { crdPath, FIELD_MANAGER, parseGrayRule, versionObjectName } from '../kube/resources.ts';
import { parseMatch } from '../match.ts';
import { describeCondition } from '../render/status.ts';
import { renderFields } from '../render/table.ts';
import { findVersion, notReleasable, requireMiniProgram } from './find.ts';

function parsePriority(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw usageError(`--priority must be an integer from 0 to 1000; got "${text}"`);
  return n;
}

export async function rollout(ctx: CommandContext): Promise<void> {
  const [miniProgram, version] = [ctx.arg(0), ctx.arg(1)];
  const percentage = parsePercent(ctx.string('percent') ?? '');
  const match = ctx.list('match').map(parseMatch);
  const priority = parsePriority(ctx.string('priority'));
  const paused = ctx.flag('paused');
  const name = ctx.string('name') ?? versionObjectName(miniProgram, version);

  await requireMiniProgram(ctx, miniProgram);
  const v = await findVersion(ctx, miniProgram, version);
  if (!v) throw inputError(`MiniProgram ${miniProgram} has no version ${version}; push it first`);
  const why = notReleasable(v);
  if (why) ctx.info(`note: ${version} is ${why}; the rule takes effect once it is Compiled and Approved`);

  const path = crdPath(GrayRuleKind, ctx.namespace, name);
  const raw = await ctx.kube.get(path);
  const existing: GrayRule | undefined = raw === undefined ? undefined : parseGrayRule(raw);
  if (existing && existing.spec.miniProgram !== miniProgram) {
    throw inputError(
      `GrayRule ${name} belongs to MiniProgram ${existing.spec.miniProgram}; choose another --name`,
    );
  }
  const old = existing?.spec;
  const spec: Partial<GrayRuleSpec> = {
    miniProgram,
    version,
    rollout: {
      percentage,
      stickiness: old?.rollout?.stickiness ?? 'userId',
      ...(old?.rollout?.groupId ? { groupId: old.rollout.groupId } : {}),
    },
    priority: priority ?? old?.priority ?? 100,
    paused: paused ?? old?.paused ?? false,
  };
  if (match.length > 0) spec.match = { all: match };
  else if (old?.match) spec.match = old.match;

  const applied = parseGrayRule(
    await ctx.kube.apply(
      path,
      {
        apiVersion: API_VERSION,
        kind: GrayRuleKind.kind,
        metadata: { name, namespace: ctx.namespace },
        spec,
      },
      FIELD_MANAGER,
    ),
  );
  const before = old?.rollout?.percentage;
  ctx.result(
    {
      grayRule: name,
      namespace: ctx.namespace,
      created: existing === undefined,
      previousPercentage: existing ? (before ?? 100) : null,
      spec: applied.spec,
    },
    () =>
      `${existing ? 'updated' : 'created'} grayrule/${name}\n${renderFields([
        ['Version', applied.spec.version],
        ['Percent', `${existing && before !== percentage ? `${before ?? 100}% -> ` : ''}${percentage}%`],
        ['Match', (applied.spec.match?.all ?? []).map(describeCondition).join(' and ') || 'all users'],
        ['Priority', String(applied.spec.priority)],
        ['Paused', applied.spec.paused ? 'yes' : 'no'],
      ])}`,
  );
}
