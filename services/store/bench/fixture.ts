// A realistic release state for the benchmarks: N mini-programs for one host app, each with
// its own encrypted package stored in PostgreSQL, a signed release document with 20 gray rules,
// and one rule importing a 100,000-id user list. The fixture is plain data (what the informer
// would deliver: key material, credentials, release ConfigMaps), so benchmark worker processes
// build their own release state from it exactly like replicas do.

import { Readable } from 'node:stream';
import {
  type MiniProgramRelease,
  parseUserList,
  type ReleasedGrayRule,
  USER_LIST_DATA_KEY,
  userListDigest,
} from '@tessera/crds';
import {
  canonicalJson,
  generateKek,
  generateSigningKeyPair,
  importKek,
  type JsonValue,
  signDetached,
  writePackage,
} from '@tessera/runtime-sdk/package';
import type { Pool } from 'pg';
import { putBlob } from '../src/db/blobs.ts';
import type { HostAppCredentials } from '../src/release/keys.ts';
import { type ConfigMapLike, ReleaseState } from '../src/release/state.ts';

export interface Fixture {
  kek: { keyId: string; rawBase64: string };
  signingKey: { keyId: string; key: string };
  credentials: HostAppCredentials;
  configMaps: ConfigMapLike[];
  listedUsers: number;
}

/** Stores the packages in PostgreSQL and returns the release state as plain data. */
export async function buildFixture(
  pool: Pool,
  schema: string,
  miniPrograms: number,
  listedUsers: number,
): Promise<Fixture> {
  const kek = await generateKek();
  const signing = await generateSigningKeyPair();
  const credentials: HostAppCredentials = {
    tenant: 'bench',
    namespace: 'tessera-bench',
    hostApp: 'web',
    sdkKey: 'bench-key',
    sdkSecret: 'bench-secret-0123456789abcdef',
  };
  const configMaps: ConfigMapLike[] = [];
  const enc = new TextEncoder();
  const listDigest = await userListDigest(publishedUserList(listedUsers));
  for (let m = 0; m < miniPrograms; m++) {
    const pkg = await writePackage(
      {
        'app.json': enc.encode(`{"pages":["pages/index/index"],"n":${m}}`),
        'pages/index/index.js': enc.encode('Page({})'),
      },
      {
        kek: kek.rawBase64,
        kekId: kek.keyId,
        signingKey: signing.privateKeyPkcs8,
        signingKeyId: signing.keyId,
      },
    );
    await putBlob(pool, schema, Readable.from([Buffer.from(pkg.bytes)]), {
      kind: 'artifact',
      digest: pkg.digests.ciphertext,
      limit: 1 << 20,
      createdBy: 'bench',
      inspectHead: () => ({
        wrappedDataKey: pkg.wrappedDataKey,
        kekId: pkg.kekId,
        signingKeyId: pkg.signingKeyId,
      }),
    });
    const artifact = {
      digest: `sha256:${pkg.digests.ciphertext}`,
      plaintextDigest: `sha256:${pkg.digests.plaintext}`,
      sourceDigest: `sha256:${'0'.repeat(64)}`,
      size: pkg.bytes.length,
      keyId: pkg.signingKeyId,
      kekId: pkg.kekId,
      signature: pkg.signature,
      compilerVersion: 'bench',
      pages: ['pages/index/index'],
    };
    const grayRules: ReleasedGrayRule[] = Array.from({ length: 20 }, (_, i) => ({
      name: `rule-${i}`,
      version: '2.0.0',
      priority: i,
      paused: false,
      ...(i === 0
        ? {
            users: {
              list: { configMap: 'users', key: USER_LIST_DATA_KEY, digest: listDigest, count: listedUsers },
            },
          }
        : {
            match: {
              all: [
                {
                  attribute: 'region',
                  operator: 'In' as const,
                  values: [`region-${i}`],
                  caseInsensitive: false,
                  inverted: false,
                },
                {
                  attribute: 'appVersion',
                  operator: 'SemverGte' as const,
                  values: ['3.1.0'],
                  caseInsensitive: false,
                  inverted: false,
                },
              ],
              any: [
                {
                  attribute: 'age',
                  operator: 'Gte' as const,
                  values: ['18'],
                  caseInsensitive: false,
                  inverted: false,
                },
              ],
            },
            rollout: { percentage: 12.5, stickiness: 'userId' },
          }),
    }));
    const doc: MiniProgramRelease = {
      schema: 'tessera.dev/release/v1',
      tenant: 'bench',
      namespace: 'tessera-bench',
      hostApp: 'web',
      miniProgram: `mp-${m}`,
      appId: `app-${m}`,
      displayName: `Mini program ${m}`,
      tags: [],
      suspended: false,
      stable: { version: '1.0.0', artifact },
      candidates: [{ version: '2.0.0', artifact }],
      grayRules,
      domains: {},
      permissions: { hostApis: [], menuItems: [] },
      revokedVersions: [],
      sourceGeneration: 1,
    };
    const raw = canonicalJson(doc as unknown as JsonValue);
    const sig = await signDetached(enc.encode(raw), { keyId: signing.keyId, key: signing.privateKeyPkcs8 });
    configMaps.push({
      metadata: {
        name: `rel-${m}`,
        namespace: 'tessera-bench',
        labels: { 'tessera.dev/release': 'mini-program' },
      },
      data: { 'release.json': raw, 'release.sig': sig.signature },
    });
  }
  return {
    kek: { keyId: kek.keyId, rawBase64: kek.rawBase64 },
    signingKey: { keyId: signing.keyId, key: signing.publicKeySpki },
    credentials,
    configMaps,
    listedUsers,
  };
}

/** The release state a store replica would hold after its informer synced the fixture. */
export async function stateFromFixture(f: Fixture): Promise<ReleaseState> {
  const state = new ReleaseState();
  // the published list ConfigMap the operator would have written (verified against the digest)
  await state.setUserListConfigMap({
    metadata: { namespace: f.credentials.namespace, name: 'users' },
    data: { [USER_LIST_DATA_KEY]: publishedUserList(f.listedUsers) },
  });
  state.setTenantKeys(f.credentials.tenant, {
    namespace: f.credentials.namespace,
    keks: new Map([[f.kek.keyId, await importKek(f.kek.rawBase64)]]),
    publicKeys: [f.signingKey],
  });
  await state.setCredentials(f.credentials);
  for (const cm of f.configMaps) {
    const r = await state.applyConfigMap(cm);
    if (!r.ok) throw new Error(r.reason);
    if (r.refusedRules.length > 0) throw new Error(JSON.stringify(r.refusedRules));
  }
  return state;
}

/** The normalised list text the operator publishes for ids listed-0 … listed-(n-1). */
function publishedUserList(n: number): string {
  const parsed = parseUserList(Array.from({ length: n }, (_, i) => `listed-${i}`).join('\n'));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.text;
}
