// push: pack → upload to the store → create the MiniProgramVersion (server-side apply) → wait for
// the compile. Re-running the same push is harmless: the upload is content-addressed and the
// apply is idempotent, so a CI retry after a timeout just resumes waiting.

import { resolve } from 'node:path';
import { API_VERSION, type MiniProgramVersion, MiniProgramVersionKind, SEMVER_PATTERN } from '@tessera/crds';
import { parseDuration } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { CliError, EXIT, inputError, usageError } from '../errors.ts';
import { crdPath, FIELD_MANAGER, getVersion, parseVersion, versionObjectName } from '../kube/resources.ts';
import { packDirectory } from '../pack/pack.ts';
import { StoreClient } from '../store/client.ts';
import { discoverStoreUrl, discoverTenant, resolveStoreToken } from '../store/discovery.ts';
import { requireMiniProgram } from './find.ts';
import { formatCompileMessage } from './logs.ts';
import { waitForCompile } from './wait.ts';

export const DEFAULT_TIMEOUT = '10m';

function summary(v: MiniProgramVersion, sourceDigest: string) {
  return {
    name: v.metadata.name,
    namespace: v.metadata.namespace,
    miniProgram: v.spec.miniProgram,
    version: v.spec.version,
    sourceDigest,
    phase: v.status?.phase ?? 'Pending',
    artifact: v.status?.artifact ?? null,
    warnings: v.status?.warnings ?? [],
    errors: v.status?.errors ?? [],
  };
}

export async function push(ctx: CommandContext): Promise<void> {
  const dir = resolve(ctx.arg(0));
  const miniProgram = ctx.string('mini-program') ?? '';
  const version = ctx.string('version') ?? '';
  if (!new RegExp(SEMVER_PATTERN).test(version)) {
    throw usageError(`--version "${version}" is not a semantic version such as 1.4.0 or 2.0.0-rc.1`);
  }
  const minSdk = ctx.string('min-sdk-version');
  if (minSdk !== undefined && !new RegExp(SEMVER_PATTERN).test(minSdk)) {
    throw usageError(`--min-sdk-version "${minSdk}" is not a semantic version`);
  }
  const timeoutMs = parseDuration(ctx.string('timeout') ?? DEFAULT_TIMEOUT);
  const wait = ctx.flag('wait') ?? true;
  const name = ctx.string('name') ?? versionObjectName(miniProgram, version);
  const ns = ctx.namespace;

  const packed = await packDirectory(dir);
  const digest = `sha256:${packed.sha256}`;
  ctx.info(`packed ${packed.files.length} files (${packed.archive.length} bytes) from ${dir}: ${digest}`);

  await requireMiniProgram(ctx, miniProgram);
  const existing = await getVersion(ctx.kube, ns, name);
  if (existing) {
    const had = existing.spec.source.upload?.digest;
    if (existing.spec.version !== version || existing.spec.miniProgram !== miniProgram || had !== digest) {
      throw inputError(
        `MiniProgramVersion ${name} already exists (${existing.spec.miniProgram} ${existing.spec.version}, source ${had ?? 'not an upload'}) and versions are immutable; push with a new --version`,
      );
    }
    ctx.info(`${name} already exists with this source; not uploading again`);
  } else {
    const tenant = await discoverTenant(ctx.kube, ns, ctx.string('tenant'), ctx.io.env);
    const store = new StoreClient(
      await discoverStoreUrl(ctx.kube, ns, ctx.string('store-url'), ctx.io.env),
      await resolveStoreToken(ctx.kube, ctx.string('token'), ctx.io.env),
    );
    const uploaded = await store.uploadSource(tenant, packed.sha256, packed.archive);
    ctx.info(
      `uploaded to ${store.baseUrl} (tenant ${tenant})${uploaded.created === false ? ': already stored' : ''}`,
    );
  }

  const changelog = ctx.string('changelog');
  const applied = parseVersion(
    await ctx.kube.apply(
      crdPath(MiniProgramVersionKind, ns, name),
      {
        apiVersion: API_VERSION,
        kind: MiniProgramVersionKind.kind,
        metadata: { name, namespace: ns, labels: { 'tessera.dev/mini-program': miniProgram } },
        spec: {
          miniProgram,
          version,
          source: { upload: { digest } },
          ...(changelog ? { changelog } : {}),
          ...(minSdk ? { minSdkVersion: minSdk } : {}),
        },
      },
      FIELD_MANAGER,
    ),
  );
  ctx.info(`miniprogramversion/${name} ${existing ? 'unchanged' : 'created'}`);

  if (!wait) {
    ctx.result(
      summary(applied, digest),
      () => `miniprogramversion/${name} submitted (not waiting for the compile)`,
    );
    return;
  }
  const outcome = await waitForCompile(ctx, name, timeoutMs);
  const v = outcome.version;
  for (const w of v.status?.warnings ?? []) ctx.info(`warning: ${formatCompileMessage(w)}`);
  if (outcome.ok) {
    const a = v.status?.artifact;
    ctx.result(
      summary(v, digest),
      () =>
        `miniprogramversion/${name} compiled: ${a?.digest ?? ''} (${a?.size ?? 0} bytes, ${a?.pages.length ?? 0} pages${
          a?.subpackages?.length ? `, ${a.subpackages.length} subpackages` : ''
        })`,
    );
    return;
  }
  const compiled = v.status?.conditions?.find((c) => c.type === 'Compiled');
  const lines = [
    `compile of ${miniProgram} ${version} failed (miniprogramversion/${name}):`,
    ...(v.status?.errors ?? []).map((e) => `  ${formatCompileMessage(e)}`),
    ...(compiled ? [`  Compiled=${compiled.status} (${compiled.reason}): ${compiled.message}`] : []),
    `run "kubectl tessera logs ${name}" for the compile job's details`,
  ];
  if (ctx.parsed.output !== 'table') ctx.result(summary(v, digest), () => '');
  throw new CliError(EXIT.input, lines.join('\n'));
}
