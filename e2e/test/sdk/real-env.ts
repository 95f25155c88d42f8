// The real store for the SDK tests: @tessera/store on PostgreSQL and Redis, authenticated
// against the test control plane; artifacts uploaded with a CI service-account token, releases
// applied as signed release ConfigMap documents. A loopback "ingress" (fixture-store.ts with
// proxyTo) puts the store and the host page on one origin, and can drop the store's traffic to
// test offline launches.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject } from '@tessera/compiler';
import type { MiniProgramRelease } from '@tessera/crds';
import { type WrittenPackage, writePackage } from '@tessera/runtime-sdk/package';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { generateCerts } from '../../src/harness/certs.ts';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import {
  artifactOf,
  makeIdentities,
  makeTenant,
  releaseConfigMap,
  releaseDoc,
  type TenantFixture,
} from '../store/fixtures.ts';
import { type FixtureStore, startApiServer, startFixtureStore } from './fixture-store.ts';

export interface RealEnv {
  store: Store;
  ingress: FixtureStore;
  tenant: TenantFixture;
  /** https API server on loopback (throw-away certificate: use a browser that ignores it). */
  api: Awaited<ReturnType<typeof startApiServer>>;
  /** A second https server that no release lists. */
  evil: Awaited<ReturnType<typeof startApiServer>>;
  compile(source: Record<string, string>): Promise<Array<{ path: string; bytes: Uint8Array }>>;
  /** Every artifact the compiler produced: the main package (root null) and each subpackage. */
  compileAll(source: Record<string, string>): Promise<CompiledArtifact[]>;
  pack(files: Array<{ path: string; bytes: Uint8Array }>): Promise<WrittenPackage>;
  /** Uploads `bytes` (digest computed over what is uploaded) and releases it as the stable version. */
  release(
    miniProgram: string,
    appId: string,
    version: string,
    pkg: WrittenPackage,
    bytes?: Uint8Array,
    domains?: { request?: string[]; download?: string[]; upload?: string[]; socket?: string[] },
    more?: {
      subpackages?: ReleasedSubpackage[];
      /** What the operator copies from HostApp.spec.updatePolicy into the release document. */
      updatePolicy?: MiniProgramRelease['updatePolicy'];
      /** What the operator copies from HostApp.spec.branding into the release document. */
      branding?: MiniProgramRelease['branding'];
      /** MiniProgram.spec.privacyScopes as the operator copies them into the release document. */
      privacyScopes?: MiniProgramRelease['privacyScopes'];
    },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface CompiledArtifact {
  name: string;
  root: string | null;
  files: Array<{ path: string; bytes: Uint8Array }>;
}

export interface ReleasedSubpackage {
  name: string;
  root: string;
  pkg: WrittenPackage;
  /** What is uploaded and served (default pkg.bytes). */
  bytes?: Uint8Array;
}

export async function startRealEnv(): Promise<RealEnv> {
  const certDir = await mkdtemp(join(tmpdir(), 'tessera-sdk-tls-'));
  const certs = await generateCerts(certDir);
  const tls = { cert: await readFile(certs.servingCert), key: await readFile(certs.servingKey) };
  const [pg, redis, api, evil]: [PostgresServer, RedisServer, RealEnv['api'], RealEnv['evil']] =
    await Promise.all([startPostgres(), startRedis(), startApiServer(tls), startApiServer(tls)]);
  const kc = loadKubeConfig();
  const ns = await createTestNamespace('sdk');
  const tokens = await makeIdentities(kc, ns.name);
  const state = new ReleaseState();
  const store = await startStore({
    databaseUrl: pg.url,
    redisUrl: redis.url,
    kubeConfig: kc,
    state,
    logger: pino({ level: 'silent' }),
  });
  const tenant = await makeTenant(state, 'sdk', ns.name);
  const ingress = await startFixtureStore('sdk', store.url);
  const enc = new TextEncoder();
  const { createHash } = await import('node:crypto');

  const compileAll = async (source: Record<string, string>): Promise<CompiledArtifact[]> => {
    const compiled = await compileProject(
      new Map(Object.entries(source).map(([k, v]) => [k, enc.encode(v)])),
    );
    return compiled.artifacts.map((a) => ({
      name: a.name,
      root: a.root,
      files: [...a.files].map(([path, bytes]) => ({ path, bytes })),
    }));
  };

  return {
    store,
    ingress,
    tenant,
    api,
    evil,
    async compile(source) {
      const main = (await compileAll(source)).find((a) => a.root === null);
      if (!main) throw new Error('compiler produced no main package');
      return main.files;
    },
    compileAll,
    pack(files) {
      return writePackage(files, {
        kek: tenant.kek.rawBase64,
        kekId: tenant.kek.keyId,
        signingKey: tenant.signing.privateKeyPkcs8,
        signingKeyId: tenant.signing.keyId,
      });
    },
    async release(miniProgram, appId, version, pkg, bytes = pkg.bytes, domains = {}, more = {}) {
      const upload = async (b: Uint8Array) => {
        const digest = createHash('sha256').update(b).digest('hex');
        const put = await fetch(`${store.url}/v1/tenants/sdk/artifacts/${digest}`, {
          method: 'PUT',
          body: Buffer.from(b),
          headers: { authorization: `Bearer ${tokens.ci}` },
        });
        if (put.status !== 201 && put.status !== 200)
          throw new Error(`artifact upload: ${put.status} ${await put.text()}`);
        return `sha256:${digest}`;
      };
      const subs = await Promise.all(
        (more.subpackages ?? []).map(async (s) => {
          const b = s.bytes ?? s.pkg.bytes;
          return { name: s.name, root: s.root, digest: await upload(b), size: b.length };
        }),
      );
      const artifact = {
        ...artifactOf(pkg),
        digest: await upload(bytes),
        size: bytes.length,
        ...(subs.length ? { subpackages: subs } : {}),
      };
      const doc = releaseDoc(tenant, {
        miniProgram,
        appId,
        stable: { version, artifact },
        domains: { ...domains, request: domains.request ?? [] },
        ...(more.updatePolicy ? { updatePolicy: more.updatePolicy } : {}),
        ...(more.branding ? { branding: more.branding } : {}),
        ...(more.privacyScopes ? { privacyScopes: more.privacyScopes } : {}),
      });
      const applied = await state.applyConfigMap(await releaseConfigMap(tenant, doc));
      if (!applied.ok) throw new Error(`release of ${appId} refused: ${JSON.stringify(applied)}`);
    },
    async close() {
      await ingress.close();
      await store.close();
      await Promise.all([pg.destroy(), redis.destroy(), ns.remove(), api.close(), evil.close()]);
      await rm(certDir, { recursive: true, force: true });
    },
  };
}
