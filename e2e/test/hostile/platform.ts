// The platform as an attacker meets it, for the hostile probes: the real operator (in process,
// scoped to this run by label) and the real store watching the same kube-apiserver, on real
// PostgreSQL and Redis. A tenant and a host app are created the way a platform team does
// (YAML → operator → keys, credentials Secret, signed release ConfigMaps), and versions are real
// compiled, encrypted and signed packages uploaded to the store with a CI service-account token.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject } from '@tessera/compiler';
import type { KubeClient } from '@tessera/controller-runtime';
import type { Operator } from '@tessera/operator';
import { storeArtifactReader } from '@tessera/operator';
import { type WrittenPackage, writePackage } from '@tessera/runtime-sdk/package';
import { type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { kubeconfigPath, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import { writeOperatorStoreToken } from '../../src/platform/operator-token.ts';
import {
  API,
  client,
  condition,
  deleteTenant,
  finishCompilePod,
  miniProgram,
  type Obj,
  R,
  RUN_LABEL,
  runId,
  startOperator,
  tenant,
  version,
  waitFor,
} from '../operator/helpers.ts';
import { artifactOf, makeIdentities } from '../store/fixtures.ts';

type SecretObj = Obj & { data?: Record<string, string> };

export interface SigningMaterial {
  kek: { rawBase64: string; keyId: string };
  signing: { keyId: string; privateKeyPkcs8: string; publicKeySpki: string };
}

export interface HostilePlatform {
  run: string;
  /** the tenant's name and namespace */
  ns: string;
  kube: KubeClient;
  store: Store;
  op: Operator;
  hostApp: string;
  databaseUrl: string;
  redisUrl: string;
  /** the host app's credentials as the operator wrote them (current pair) */
  credentials(): Promise<{ sdkKey: string; sdkSecret: string }>;
  /** the tenant's current key material, read from the tenant key Secret */
  keys(): Promise<SigningMaterial>;
  /** compiles `source`, signs it with `keys` (default: the tenant's current key) and packs it */
  build(
    source: Record<string, string>,
    keys?: SigningMaterial,
    meta?: Record<string, string>,
  ): Promise<WrittenPackage>;
  /** uploads `pkg` with the CI token; the store's answer */
  upload(pkg: WrittenPackage): Promise<Response>;
  /**
   * a MiniProgramVersion of `mp` compiled to `pkg` (the compile pod finishes with its artifact);
   * `source` replaces the default spec.source (a ConfigMap)
   */
  compiled(mp: string, semver: string, pkg: WrittenPackage, source?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

export interface HostileOptions {
  /**
   * The operator checks artifacts against the store before it releases them, as in a cluster
   * (packages must then carry the tenant, miniProgram and version in their signed meta).
   */
  verifyArtifacts?: boolean;
  /** Tenant spec fields over the defaults (e.g. a review policy and reviewer members). */
  tenantSpec?: Record<string, unknown>;
}

export async function startHostilePlatform(
  prefix: string,
  hostAppSpec: Record<string, unknown>,
  miniPrograms: string[],
  options: HostileOptions = {},
): Promise<HostilePlatform> {
  const [pg, redis]: [PostgresServer, RedisServer] = await Promise.all([startPostgres(), startRedis()]);
  const kc = loadKubeConfig();
  const kube = client();
  const run = runId(prefix);
  const ns = run;
  const hostApp = 'bank';
  // the store starts after the operator: the reader finds it once it is up
  let storeUrl: string | undefined;
  const tokenFile = join(tmpdir(), `${run}-operator-store-token`);
  const op = startOperator(run, {
    artifacts: options.verifyArtifacts
      ? {
          read: (tenant, digest, max) => {
            if (!storeUrl) throw new Error('the store is not up yet');
            const reader = storeArtifactReader(storeUrl, async () =>
              (await readFile(tokenFile, 'utf8')).trim(),
            );
            return reader.read(tenant, digest, max);
          },
        }
      : 'trust-status',
  });
  await op.start();
  await kube.create(R.tenants, tenant(ns, run, options.tenantSpec ?? {}));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  const store = await startStore({
    databaseUrl: pg.url,
    redisUrl: redis.url,
    kubeConfig: kc,
    logger: pino({ level: 'silent' }),
    webhookIntervalMs: 0,
  });
  const tokens = await makeIdentities(kc, ns);
  if (options.verifyArtifacts) await writeOperatorStoreToken(kubeconfigPath(), ns, tokenFile);
  storeUrl = store.url;
  for (const mp of miniPrograms) await kube.create(R.miniPrograms, miniProgram(ns, mp, run));
  await kube.create(R.hostApps, {
    apiVersion: API,
    kind: 'HostApp',
    metadata: { name: hostApp, namespace: ns, labels: { [RUN_LABEL]: run } },
    spec: { displayName: 'Bank', miniPrograms: { names: miniPrograms }, ...hostAppSpec },
  });

  const keys = async (): Promise<SigningMaterial> => {
    const s = await waitFor('tenant key Secret', () =>
      kube.get<SecretObj>(R.Secrets, ns, 'tessera-tenant-keys'),
    );
    const d = s.data ?? {};
    return {
      kek: { rawBase64: d.kek ?? '', keyId: b64(d['kek-id']) },
      signing: {
        keyId: b64(d['signing-key-id']),
        privateKeyPkcs8: d['signing-key.pk8'] ?? '',
        publicKeySpki: d['signing-key.spki'] ?? '',
      },
    };
  };
  const enc = new TextEncoder();

  return {
    run,
    ns,
    kube,
    store,
    op,
    hostApp,
    databaseUrl: pg.url,
    redisUrl: redis.url,
    async credentials() {
      const s = await waitFor('credentials Secret', () =>
        kube.get<SecretObj>(R.Secrets, ns, `tessera-credentials-${hostApp}`),
      );
      return { sdkKey: b64(s.data?.sdkKey), sdkSecret: b64(s.data?.sdkSecret) };
    },
    keys,
    async build(source, k, meta) {
      const material = k ?? (await keys());
      const compiled = await compileProject(
        new Map(Object.entries(source).map(([p, v]) => [p, enc.encode(v)])),
      );
      const main = compiled.artifacts.find((a) => a.root === null);
      if (!main) throw new Error('the compiler produced no main package');
      return writePackage(
        [...main.files].map(([path, bytes]) => ({ path, bytes })),
        {
          kek: material.kek.rawBase64,
          kekId: material.kek.keyId,
          signingKey: material.signing.privateKeyPkcs8,
          signingKeyId: material.signing.keyId,
          ...(meta ? { meta } : {}),
        },
      );
    },
    upload(pkg) {
      const digest = createHash('sha256').update(pkg.bytes).digest('hex');
      return fetch(`${store.url}/v1/tenants/${ns}/artifacts/${digest}`, {
        method: 'PUT',
        body: Buffer.from(pkg.bytes),
        headers: { authorization: `Bearer ${tokens.ci}` },
      });
    },
    async compiled(mp, semver, pkg, source) {
      const v = version(ns, mp, semver, run);
      await kube.create(R.versions, source ? { ...v, spec: { ...v.spec, source } } : v);
      const name = `${mp}-${semver.replace(/\./g, '-')}`;
      const job = await waitFor(
        `compile job of ${name}`,
        async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.compileJob as string | undefined,
      );
      await finishCompilePod(kube, ns, job, JSON.stringify({ ok: true, artifact: artifactOf(pkg) }));
      await waitFor(
        `${name} compiled`,
        async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.phase === 'Compiled',
      );
    },
    async close() {
      await store.close();
      await op.stop();
      await deleteTenant(kube, ns);
      await Promise.all([pg.destroy(), redis.destroy()]);
    },
  };
}

/** A tiny mini-program whose page shows `text`. */
export function sampleApp(text: string): Record<string, string> {
  return {
    'app.json': JSON.stringify({ pages: ['pages/index/index'] }),
    'app.js': 'App({});',
    'pages/index/index.wxml': `<view id="text">${text}</view>`,
    'pages/index/index.js': 'Page({ data: {} });',
  };
}
