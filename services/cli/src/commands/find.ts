// Lookups shared by several commands, with the error a user can act on when something is missing.

import type { MiniProgram, MiniProgramVersion } from '@tessera/crds';
import type { CommandContext } from '../context.ts';
import { inputError } from '../errors.ts';
import { getMiniProgram, getVersion, listVersions } from '../kube/resources.ts';

export async function requireMiniProgram(ctx: CommandContext, name: string): Promise<MiniProgram> {
  const mp = await getMiniProgram(ctx.kube, ctx.namespace, name);
  if (!mp)
    throw inputError(`MiniProgram ${name} not found in namespace ${ctx.namespace}; check the name and -n`);
  return mp;
}

export async function requireVersionObject(ctx: CommandContext, name: string): Promise<MiniProgramVersion> {
  const v = await getVersion(ctx.kube, ctx.namespace, name);
  if (!v) {
    throw inputError(
      `MiniProgramVersion ${name} not found in namespace ${ctx.namespace}; "kubectl tessera status <mini-program>" lists the version names`,
    );
  }
  return v;
}

/** The MiniProgramVersion of `miniProgram` whose spec.version is `version`. */
export async function findVersion(
  ctx: CommandContext,
  miniProgram: string,
  version: string,
): Promise<MiniProgramVersion | undefined> {
  const all = await listVersions(ctx.kube, ctx.namespace, miniProgram);
  return all.find((v) => v.spec.version === version);
}

const condition = (v: MiniProgramVersion, type: string) => v.status?.conditions?.find((c) => c.type === type);

/** Why a version cannot be released yet, or undefined when it is Compiled and Approved. */
export function notReleasable(v: MiniProgramVersion): string | undefined {
  const compiled = condition(v, 'Compiled');
  const approved = condition(v, 'Approved');
  const problems: string[] = [];
  if (compiled?.status !== 'True') {
    problems.push(
      `not compiled (phase ${v.status?.phase ?? 'Pending'}${compiled?.message ? `: ${compiled.message}` : ''})`,
    );
  }
  if (approved?.status !== 'True') {
    problems.push(`not approved${approved?.message ? ` (${approved.message})` : ''}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}
