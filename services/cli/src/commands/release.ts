// promote and rollback: both set MiniProgram.spec.stableVersion by server-side apply. Each
// release also records the stable version it replaced in an annotation, so rollback returns to
// what was actually released before rather than guessing from version numbers.

import { API_VERSION, type MiniProgram, MiniProgramKind } from '@tessera/crds';
import { compareVersions } from '@tessera/gray';
import { z } from 'zod';
import type { CommandContext } from '../context.ts';
import { inputError } from '../errors.ts';
import { crdPath, FIELD_MANAGER, listVersions, parseMiniProgram } from '../kube/resources.ts';
import { findVersion, notReleasable, requireMiniProgram } from './find.ts';

export const STABLE_HISTORY_ANNOTATION = 'tessera.dev/stable-history';
const HISTORY_MAX = 20;
// A manager of its own: an apply only ever carries the fields this manager owns, so promote
// must not share a manager with suspend (or it would drop spec.suspended).
export const RELEASE_FIELD_MANAGER = `${FIELD_MANAGER}-release`;

const HistorySchema = z.array(z.string()).max(HISTORY_MAX * 2);

export function stableHistory(mp: MiniProgram): string[] {
  const raw = mp.metadata.annotations?.[STABLE_HISTORY_ANNOTATION];
  if (!raw) return [];
  try {
    return HistorySchema.parse(JSON.parse(raw));
  } catch {
    return [];
  }
}

async function setStable(
  ctx: CommandContext,
  mp: MiniProgram,
  version: string,
  history: string[],
): Promise<MiniProgram> {
  const name = mp.metadata.name ?? '';
  const applied = await ctx.kube.apply(
    crdPath(MiniProgramKind, ctx.namespace, name),
    {
      apiVersion: API_VERSION,
      kind: MiniProgramKind.kind,
      metadata: {
        name,
        namespace: ctx.namespace,
        annotations: { [STABLE_HISTORY_ANNOTATION]: JSON.stringify(history.slice(-HISTORY_MAX)) },
      },
      spec: { stableVersion: version },
    },
    RELEASE_FIELD_MANAGER,
  );
  return parseMiniProgram(applied);
}

async function checkTarget(
  ctx: CommandContext,
  miniProgram: string,
  version: string,
  force: boolean,
  verb: string,
) {
  const v = await findVersion(ctx, miniProgram, version);
  if (!v) {
    throw inputError(
      `MiniProgram ${miniProgram} has no version ${version} in namespace ${ctx.namespace}; push it first ("kubectl tessera status ${miniProgram}" lists the versions)`,
    );
  }
  const why = notReleasable(v);
  if (why && !force) {
    throw inputError(
      `refusing to ${verb} ${miniProgram} ${version}: ${why}. Wait for the compile and the approvals, or pass --force (the operator still releases only Compiled and Approved versions)`,
    );
  }
  if (why) ctx.info(`warning: ${verb} ${version} with --force: ${why}`);
}

function report(ctx: CommandContext, mp: MiniProgram, previous: string | undefined, verb: string) {
  const now = mp.spec.stableVersion;
  ctx.result(
    {
      miniProgram: mp.metadata.name,
      namespace: mp.metadata.namespace,
      previousStableVersion: previous ?? null,
      stableVersion: now,
    },
    () =>
      `miniprogram/${mp.metadata.name} ${verb}: stableVersion ${previous ?? '<none>'} -> ${now}` +
      (previous === now ? ' (unchanged)' : ''),
  );
}

export async function promote(ctx: CommandContext): Promise<void> {
  const [name, version] = [ctx.arg(0), ctx.arg(1)];
  const mp = await requireMiniProgram(ctx, name);
  await checkTarget(ctx, name, version, ctx.flag('force') === true, 'promote');
  const previous = mp.spec.stableVersion;
  const history = stableHistory(mp);
  if (previous && previous !== version) history.push(previous);
  const updated = await setStable(ctx, mp, version, history);
  report(ctx, updated, previous, 'promoted');
}

/** Where rollback goes without --to: the last recorded stable, else the highest releasable lower version. */
export async function rollbackTarget(
  ctx: CommandContext,
  mp: MiniProgram,
): Promise<{ version: string; history: string[] }> {
  const current = mp.spec.stableVersion;
  const history = stableHistory(mp).filter((v) => v !== current);
  const last = history.pop();
  if (last) return { version: last, history };
  const versions = await listVersions(ctx.kube, ctx.namespace, mp.metadata.name ?? '');
  const candidates = versions
    .filter((v) => !notReleasable(v) && (!current || compareVersions(v.spec.version, current) < 0))
    .sort((a, b) => compareVersions(b.spec.version, a.spec.version));
  const pick = candidates[0];
  if (!pick) {
    throw inputError(
      `MiniProgram ${mp.metadata.name} has no earlier released version to roll back to; pass --to <version>`,
    );
  }
  return { version: pick.spec.version, history };
}

export async function rollback(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  const mp = await requireMiniProgram(ctx, name);
  const previous = mp.spec.stableVersion;
  if (!previous) throw inputError(`MiniProgram ${name} has no stableVersion; there is nothing to roll back`);
  const to = ctx.string('to');
  const target = to
    ? { version: to, history: stableHistory(mp).filter((v) => v !== to && v !== previous) }
    : await rollbackTarget(ctx, mp);
  if (target.version === previous) throw inputError(`${name} is already at ${previous}`);
  await checkTarget(ctx, name, target.version, ctx.flag('force') === true, 'roll back to');
  const updated = await setStable(ctx, mp, target.version, target.history);
  report(ctx, updated, previous, 'rolled back');
}
