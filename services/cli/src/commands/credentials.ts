// rotate-credentials: raises HostApp.spec.credentials.generation by server-side apply under a
// field manager of its own; the operator then writes a new sdkKey/sdkSecret and keeps the
// previous pair accepted for spec.credentials.previousGraceSeconds.

import { API_VERSION, type HostApp, HostAppKind, HostAppSchema } from '@tessera/crds';
import { parseDuration } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { infraError, inputError } from '../errors.ts';
import { crdPath, FIELD_MANAGER } from '../kube/resources.ts';

export const CREDENTIALS_FIELD_MANAGER = `${FIELD_MANAGER}-credentials`;
const MAX_GRACE_SECONDS = 30 * 86400;

function parseHostApp(raw: unknown): HostApp {
  const r = HostAppSchema.safeParse({ apiVersion: API_VERSION, kind: HostAppKind.kind, ...(raw as object) });
  if (!r.success)
    throw infraError(
      `HostApp from the API server does not match the schema this CLI knows (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}); upgrade the CLI`,
    );
  return r.data;
}

function graceSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw inputError(`--grace ${text} is not a duration (e.g. 24h, 30m, 3600)`);
  }
  const s = Math.round(ms / 1000);
  if (s < 0 || s > MAX_GRACE_SECONDS)
    throw inputError(`--grace must be between 0 and 720h (30 days), got ${text}`);
  return s;
}

export async function rotateCredentials(ctx: CommandContext): Promise<void> {
  const name = ctx.arg(0);
  const grace = graceSeconds(ctx.string('grace'));
  const raw = await ctx.kube.get(crdPath(HostAppKind, ctx.namespace, name));
  if (raw === undefined)
    throw inputError(`HostApp ${name} not found in namespace ${ctx.namespace}; check the name and -n`);
  const before = parseHostApp(raw);
  const generation = (before.spec.credentials?.generation ?? 0) + 1;
  const applied = parseHostApp(
    await ctx.kube.apply(
      crdPath(HostAppKind, ctx.namespace, name),
      {
        apiVersion: API_VERSION,
        kind: HostAppKind.kind,
        metadata: { name, namespace: ctx.namespace },
        spec: {
          credentials: { generation, ...(grace !== undefined ? { previousGraceSeconds: grace } : {}) },
        },
      },
      CREDENTIALS_FIELD_MANAGER,
    ),
  );
  const effectiveGrace = applied.spec.credentials?.previousGraceSeconds ?? 86400;
  const secret = before.status?.credentialsSecret ?? `tessera-credentials-${name}`;
  ctx.result(
    {
      hostApp: name,
      namespace: ctx.namespace,
      generation: applied.spec.credentials?.generation ?? generation,
      previousGraceSeconds: effectiveGrace,
      credentialsSecret: secret,
    },
    () =>
      `hostapp/${name} credentials generation ${generation}: the operator writes a new sdkKey/sdkSecret to Secret ${secret}; the previous pair stays accepted for ${effectiveGrace} s`,
  );
}
