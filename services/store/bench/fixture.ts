// A realistic release state for the benchmarks: N mini-programs for one host app, each with
// its own encrypted package stored in PostgreSQL, a signed release document with 20 gray rules,
// and one rule importing a 100,000-id user list.

import { Readable } from 'node:stream';
import type { MiniProgramRelease, ReleasedGrayRule } from '@tessera/crds';
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
import { ReleaseState } from '../src/release/state.ts';

export async function buildState(pool: Pool, schema: string, miniPrograms: number, listedUsers: number) {
  const kek = await generateKek();
  const signing = await generateSigningKeyPair();
  const userIds = Array.from({ length: listedUsers }, (_, i) => `listed-${i}`);
  const state = new ReleaseState({ loadUserList: async () => userIds });
  state.setTenantKeys('bench', {
    namespace: 'tessera-bench',
    keks: new Map([[kek.keyId, await importKek(kek.rawBase64)]]),
    publicKeys: [{ keyId: signing.keyId, key: signing.publicKeySpki }],
  });
  const sdkKey = 'bench-key';
  const sdkSecret = 'bench-secret-0123456789abcdef';
  await state.setCredentials({
    tenant: 'bench',
    namespace: 'tessera-bench',
    hostApp: 'web',
    sdkKey,
    sdkSecret,
  });
  const enc = new TextEncoder();
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
        ? { users: { list: { configMap: 'users', key: 'ids', digest: 'x', count: listedUsers } } }
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
    const r = await state.applyConfigMap({
      metadata: {
        name: `rel-${m}`,
        namespace: 'tessera-bench',
        labels: { 'tessera.dev/release': 'mini-program' },
      },
      data: { 'release.json': raw, 'release.sig': sig.signature },
    });
    if (!r.ok) throw new Error(r.reason);
  }
  return { state, sdkKey, sdkSecret };
}
