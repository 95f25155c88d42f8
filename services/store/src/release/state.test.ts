import { type MiniProgramRelease, RELEASE_KEY_ID_ANNOTATION } from '@tessera/crds';
import {
  canonicalJson,
  generateSigningKeyPair,
  type JsonValue,
  signDetached,
} from '@tessera/runtime-sdk/package';
import { describe, expect, it } from 'vitest';
import { ReleaseState } from './state.ts';

const artifact = {
  digest: `sha256:${'a'.repeat(64)}`,
  plaintextDigest: `sha256:${'b'.repeat(64)}`,
  sourceDigest: `sha256:${'c'.repeat(64)}`,
  size: 10,
  keyId: 'k',
  signature: 'sig',
  compilerVersion: '1',
  pages: [],
};

function doc(overrides: Partial<MiniProgramRelease> = {}): MiniProgramRelease {
  return {
    schema: 'tessera.dev/release/v1',
    tenant: 'acme',
    namespace: 'ns',
    hostApp: 'web',
    miniProgram: 'bank',
    appId: 'bank-app',
    displayName: 'Bank',
    tags: [],
    suspended: false,
    stable: { version: '1.0.0', artifact },
    candidates: [],
    grayRules: [],
    domains: {},
    permissions: { hostApis: [], menuItems: [] },
    revokedVersions: [],
    sourceGeneration: 1,
    ...overrides,
  };
}

async function setup() {
  const keys = await generateSigningKeyPair();
  const state = new ReleaseState();
  state.setTenantKeys('acme', {
    namespace: 'ns',
    keks: new Map(),
    publicKeys: [{ keyId: keys.keyId, key: keys.publicKeySpki }],
  });
  const cm = async (d: MiniProgramRelease, name = 'rel', namespace = 'ns', signer = keys) => {
    const raw = canonicalJson(d as unknown as JsonValue);
    const sig = await signDetached(new TextEncoder().encode(raw), {
      keyId: signer.keyId,
      key: signer.privateKeyPkcs8,
    });
    return {
      metadata: {
        name,
        namespace,
        labels: { 'tessera.dev/release': 'mini-program' },
        annotations: { [RELEASE_KEY_ID_ANNOTATION]: keys.keyId },
      },
      data: { 'release.json': raw, 'release.sig': sig.signature },
    };
  };
  return { state, cm, keys };
}

describe('ReleaseState', () => {
  it('applies signed documents, compiles their rules and follows deletes', async () => {
    const { state, cm } = await setup();
    const rule = { name: 'r', version: '1.1.0', priority: 1, paused: false, users: { ids: ['u1'] } };
    const c = await cm(doc({ candidates: [{ version: '1.1.0', artifact }], grayRules: [rule] }));
    expect(await state.applyConfigMap(c)).toEqual({ ok: true });
    const entry = state.host('ns', 'web')?.byAppId.get('bank-app');
    expect(entry?.compiled.users.get('u1')).toEqual([0]);
    expect([...(entry?.versions.keys() ?? [])]).toEqual(['1.0.0', '1.1.0']);
    state.deleteConfigMap(c);
    expect(state.host('ns', 'web')?.byAppId.size).toBe(0);
  });

  it('refuses forged, mislabelled, misplaced and malformed documents and keeps the last good one', async () => {
    const { state, cm } = await setup();
    expect((await state.applyConfigMap(await cm(doc()))).ok).toBe(true);
    const other = await generateSigningKeyPair();
    const forged = await cm(doc({ suspended: true }), 'rel', 'ns', other);
    expect(await state.applyConfigMap(forged)).toMatchObject({ ok: false });
    const tampered = await cm(doc());
    tampered.data['release.json'] = tampered.data['release.json'].replace('"Bank"', '"Evil"');
    expect(await state.applyConfigMap(tampered)).toMatchObject({ ok: false });
    expect(await state.applyConfigMap(await cm(doc(), 'rel', 'other-ns'))).toMatchObject({ ok: false });
    expect(await state.applyConfigMap(await cm(doc({ tenant: 'unknown' })))).toMatchObject({ ok: false });
    expect(
      await state.applyConfigMap({
        metadata: { labels: { 'tessera.dev/release': 'mini-program' } },
        data: { 'release.json': '{', 'release.sig': 'x' },
      }),
    ).toMatchObject({ ok: false });
    expect(await state.applyConfigMap({ metadata: {}, data: {} })).toMatchObject({ ok: false });
    expect(state.host('ns', 'web')?.byAppId.get('bank-app')?.doc.suspended).toBe(false);
    expect(state.rejected).toBe(5);
  });
});
