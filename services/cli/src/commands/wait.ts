// Waiting for a compile: poll the version (a CLI waits for one object; a watch buys nothing but
// reconnection logic), report phase changes at once and a heartbeat on long waits, and end in
// exactly one of compiled, failed or timed out.

import { COMPILED_PHASES, type MiniProgramVersion } from '@tessera/crds';
import type { CommandContext } from '../context.ts';
import { inputError, timeoutError } from '../errors.ts';
import { getVersion } from '../kube/resources.ts';

export const POLL_MS = 1000;
export const HEARTBEAT_MS = 15_000;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))}s`;

export type CompileOutcome =
  | { ok: true; version: MiniProgramVersion }
  | { ok: false; version: MiniProgramVersion };

export async function waitForCompile(
  ctx: CommandContext,
  name: string,
  timeoutMs: number,
): Promise<CompileOutcome> {
  const start = ctx.io.now();
  let lastPhase = '';
  let lastReport = start;
  for (;;) {
    const v = await getVersion(ctx.kube, ctx.namespace, name);
    if (!v) throw inputError(`MiniProgramVersion ${name} was deleted while waiting for its compile`);
    const phase = v.status?.phase ?? 'Pending';
    const compiled = v.status?.conditions?.find((c) => c.type === 'Compiled');
    if (COMPILED_PHASES.has(phase) && v.status?.artifact) return { ok: true, version: v };
    if (phase === 'Failed') return { ok: false, version: v };
    const now = ctx.io.now();
    const elapsed = Math.round((now - start) / 1000);
    if (phase !== lastPhase) {
      ctx.info(`${name}: ${phase}${compiled?.message ? ` - ${compiled.message}` : ''}`);
      lastPhase = phase;
      lastReport = now;
    } else if (now - lastReport >= HEARTBEAT_MS) {
      ctx.info(
        `${name}: still ${phase} after ${elapsed}s${compiled?.message ? ` - ${compiled.message}` : ''}`,
      );
      lastReport = now;
    }
    if (now - start >= timeoutMs) {
      throw timeoutError(
        `timed out after ${seconds(timeoutMs)} waiting for ${name} to compile (phase ${phase}${compiled?.message ? `: ${compiled.message}` : ''}); "kubectl tessera logs ${name}" shows what happened so far`,
      );
    }
    await ctx.io.sleep(Math.min(POLL_MS, Math.max(0, timeoutMs - (now - start))));
  }
}
