import {
  LABEL_USER_LIST,
  type MiniProgramRelease,
  parseUserList,
  RELEASE_KEY_ID_ANNOTATION,
  type ReleasedGrayRule,
  USER_LIST_DATA_KEY,
  userListDigest,
} from '@tessera/crds';
import { evaluate } from '@tessera/gray';
import {
  canonicalJson,
  generateSigningKeyPair,
  type JsonValue,
  signDetached,
} from '@tessera/runtime-sdk/package';
import { describe, expect, it } from 'vitest';
import { normalizeOrigin, ReleaseState } from './state.ts';

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
    expect(await state.applyConfigMap(c)).toEqual({ ok: true, refusedRules: [] });
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

  describe('imported user lists', () => {
    const published = async (ids: string[], name: string) => {
      const p = parseUserList(ids.join('\n'));
      if (!p.ok) throw new Error(p.message);
      return {
        cm: {
          metadata: { name, namespace: 'ns', labels: { [LABEL_USER_LIST]: 'beta' } },
          data: { [USER_LIST_DATA_KEY]: p.text },
        },
        list: {
          configMap: name,
          key: USER_LIST_DATA_KEY,
          digest: await userListDigest(p.text),
          count: ids.length,
        },
      };
    };
    const listRule = (list: NonNullable<ReleasedGrayRule['users']>['list']): ReleasedGrayRule => ({
      name: 'beta',
      version: '1.1.0',
      priority: 1,
      paused: false,
      users: { list },
    });
    const resolve = (state: ReleaseState, userId: string, appId = 'bank-app') => {
      const entry = state.host('ns', 'web')?.byAppId.get(appId);
      if (!entry) throw new Error('no entry');
      const r = evaluate(entry.compiled, { userId, now: Date.now(), hostApp: 'web' });
      return 'version' in r ? r.version : r.kind;
    };

    it('verifies the list against the signed digest and shares one Set per digest', async () => {
      const { state, cm } = await setup();
      const ids = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
      const { cm: listCm, list } = await published(ids, 'tessera-users-beta-1');
      await state.setUserListConfigMap(listCm);
      const candidates = [{ version: '1.1.0', artifact }];
      const a = await cm(doc({ candidates, grayRules: [listRule(list)] }), 'rel-a');
      const b = await cm(
        doc({ appId: 'other-app', miniProgram: 'other', candidates, grayRules: [listRule(list)] }),
        'rel-b',
      );
      expect(await state.applyConfigMap(a)).toEqual({ ok: true, refusedRules: [] });
      expect(await state.applyConfigMap(b)).toEqual({ ok: true, refusedRules: [] });
      expect(resolve(state, 'user-7')).toBe('1.1.0');
      expect(resolve(state, 'stranger')).toBe('1.0.0');
      const setA = state.host('ns', 'web')?.byAppId.get('bank-app')?.compiled.rules[0]?.userSet;
      const setB = state.host('ns', 'web')?.byAppId.get('other-app')?.compiled.rules[0]?.userSet;
      expect(setA?.size).toBe(1000);
      expect(setB).toBe(setA);
      expect(state.userListStats()).toEqual({ lists: 1, ids: 1000, waitingReleases: 0 });
      // the Set outlives the list ConfigMap while a release uses it, and goes with the last user
      state.deleteUserListConfigMap(listCm);
      state.deleteConfigMap(a);
      expect(state.userListStats().lists).toBe(1);
      expect(resolve(state, 'user-7', 'other-app')).toBe('1.1.0');
      state.deleteConfigMap(b);
      expect(state.userListStats()).toEqual({ lists: 0, ids: 0, waitingReleases: 0 });
    });

    it('refuses the rule while its list is missing and compiles it when the list arrives', async () => {
      const { state, cm } = await setup();
      const { cm: listCm, list } = await published(['u1', 'u2'], 'tessera-users-beta-2');
      const c = await cm(doc({ candidates: [{ version: '1.1.0', artifact }], grayRules: [listRule(list)] }));
      const r = await state.applyConfigMap(c);
      expect(r).toMatchObject({
        ok: true,
        refusedRules: [
          { rule: 'beta', reason: expect.stringContaining('ns/tessera-users-beta-2: not found') },
        ],
      });
      expect(resolve(state, 'u1')).toBe('1.0.0');
      expect(state.userListStats().waitingReleases).toBe(1);
      const again = await state.setUserListConfigMap(listCm);
      expect(again).toEqual([{ ok: true, refusedRules: [] }]);
      expect(resolve(state, 'u1')).toBe('1.1.0');
      expect(state.userListStats().waitingReleases).toBe(0);
    });

    it('never serves a list whose bytes do not match the signed digest', async () => {
      const { state, cm } = await setup();
      const { cm: listCm, list } = await published(['u1', 'u2'], 'tessera-users-beta-3');
      // someone edits the published list: adds themselves
      listCm.data[USER_LIST_DATA_KEY] = 'attacker\nu1\nu2';
      await state.setUserListConfigMap(listCm);
      const c = await cm(doc({ candidates: [{ version: '1.1.0', artifact }], grayRules: [listRule(list)] }));
      const r = await state.applyConfigMap(c);
      expect(r).toMatchObject({
        ok: true,
        refusedRules: [
          { rule: 'beta', reason: expect.stringContaining(`does not match the release (${list.digest})`) },
        ],
      });
      expect(resolve(state, 'attacker')).toBe('1.0.0');
      expect(resolve(state, 'u1')).toBe('1.0.0');
      // a list ConfigMap with the wrong key is refused the same way
      await state.setUserListConfigMap({ ...listCm, data: { other: 'u1\nu2' } });
      expect(resolve(state, 'u1')).toBe('1.0.0');
      // restored: the rule is compiled with the verified list
      listCm.data[USER_LIST_DATA_KEY] = 'u1\nu2';
      await state.setUserListConfigMap(listCm);
      expect(resolve(state, 'u1')).toBe('1.1.0');
      expect(resolve(state, 'attacker')).toBe('1.0.0');
    });

    it('lets a newer version of a release win over a slower older one', async () => {
      const { state, cm } = await setup();
      const older = state.applyConfigMap(await cm(doc({ displayName: 'Old' })));
      const newer = state.applyConfigMap(await cm(doc({ displayName: 'New' })));
      const [o, n] = await Promise.all([older, newer]);
      expect(n.ok).toBe(true);
      expect(o).toMatchObject(o.ok ? { ok: true } : { superseded: true });
      expect(state.host('ns', 'web')?.byAppId.get('bank-app')?.doc.displayName).toBe('New');
    });
  });

  it('stops serving documents signed by a key the tenant revokes, and refuses new ones', async () => {
    const { state } = await setup();
    const old = await generateSigningKeyPair();
    const current = await generateSigningKeyPair();
    const trust = (revoked: string[]) =>
      state.setTenantKeys('acme', {
        namespace: 'ns',
        keks: new Map(),
        publicKeys: [
          { keyId: current.keyId, key: current.publicKeySpki },
          { keyId: old.keyId, key: old.publicKeySpki },
        ],
        revokedKeyIds: new Set(revoked),
      });
    const signed = async (d: MiniProgramRelease, signer: typeof old, name: string) => {
      const raw = canonicalJson(d as unknown as JsonValue);
      const sig = await signDetached(new TextEncoder().encode(raw), {
        keyId: signer.keyId,
        key: signer.privateKeyPkcs8,
      });
      return {
        metadata: {
          name,
          namespace: 'ns',
          labels: { 'tessera.dev/release': 'mini-program' },
          annotations: { [RELEASE_KEY_ID_ANNOTATION]: signer.keyId },
        },
        data: { 'release.json': raw, 'release.sig': sig.signature },
      };
    };
    trust([]);
    expect((await state.applyConfigMap(await signed(doc(), old, 'bank'))).ok).toBe(true);
    expect(
      (
        await state.applyConfigMap(
          await signed(doc({ miniProgram: 'pay', appId: 'pay-app' }), current, 'pay'),
        )
      ).ok,
    ).toBe(true);
    trust([old.keyId]);
    const host = state.host('ns', 'web');
    expect([...(host?.byAppId.keys() ?? [])]).toEqual(['pay-app']);
    expect(state.isRevoked('acme', old.keyId)).toBe(true);
    expect(state.isRevoked('acme', current.keyId)).toBe(false);
    // whoever holds the revoked private key cannot publish with it any more
    const again = await state.applyConfigMap(await signed(doc({ displayName: 'Evil' }), old, 'bank'));
    expect(again).toMatchObject({ ok: false, reason: expect.stringMatching(/revoked signing key/) });
    // nor by claiming another key id for the revoked key's signature
    const claimed = await signed(doc(), old, 'bank');
    claimed.metadata.annotations[RELEASE_KEY_ID_ANNOTATION] = current.keyId;
    expect((await state.applyConfigMap(claimed)).ok).toBe(false);
    expect(host?.byAppId.has('bank-app')).toBe(false);
    // the operator signs it again with the current key: served again
    expect((await state.applyConfigMap(await signed(doc(), current, 'bank'))).ok).toBe(true);
    expect(host?.byAppId.has('bank-app')).toBe(true);
  });

  it('binds host apps to the platforms of their signed index, and drops a binding its tenant revokes', async () => {
    const { state, keys } = await setup();
    const index = async (platforms: Record<string, unknown>, signer = keys) => {
      const raw = canonicalJson({
        schema: 'tessera.dev/release-index/v1',
        tenant: 'acme',
        namespace: 'ns',
        hostApp: 'web',
        platforms,
        hostApis: [],
        menuItems: [],
        miniPrograms: [],
      } as unknown as JsonValue);
      const sig = await signDetached(new TextEncoder().encode(raw), {
        keyId: signer.keyId,
        key: signer.privateKeyPkcs8,
      });
      return {
        metadata: {
          name: 'tessera-index-web',
          namespace: 'ns',
          labels: { 'tessera.dev/release': 'index' },
          annotations: { [RELEASE_KEY_ID_ANNOTATION]: signer.keyId },
        },
        data: { 'release.json': raw, 'release.sig': sig.signature },
      };
    };
    const applied = await state.applyIndexConfigMap(
      await index({ web: { origins: ['https://Bank.Example.com:443'] }, ios: { bundleId: 'com.bank' } }),
    );
    expect(applied.ok).toBe(true);
    const b = state.binding('ns', 'web');
    expect([...(b?.webOrigins ?? [])]).toEqual(['https://bank.example.com']);
    expect(b?.nativeIds).toEqual({ ios: 'com.bank' });
    expect(state.originListed('https://bank.example.com')).toBe(true);
    // an index signed by another key does not replace the binding
    const other = await generateSigningKeyPair();
    const forged = await index({ web: { origins: ['https://evil.example'] } }, other);
    forged.metadata.annotations[RELEASE_KEY_ID_ANNOTATION] = keys.keyId;
    expect((await state.applyIndexConfigMap(forged)).ok).toBe(false);
    expect(state.originListed('https://evil.example')).toBe(false);
    expect(state.binding('ns', 'web')?.nativeIds).toEqual({ ios: 'com.bank' });
    state.setTenantKeys('acme', {
      namespace: 'ns',
      keks: new Map(),
      publicKeys: [{ keyId: keys.keyId, key: keys.publicKeySpki }],
      revokedKeyIds: new Set([keys.keyId]),
    });
    expect(state.binding('ns', 'web')).toBeUndefined();
    expect(state.originListed('https://bank.example.com')).toBe(false);
  });

  it('normalises origins as browsers send them and refuses anything else', () => {
    expect(normalizeOrigin('https://Bank.Example.com:443')).toBe('https://bank.example.com');
    expect(normalizeOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const bad of [
      'null',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,x',
      'bank.example.com',
      '',
    ])
      expect(normalizeOrigin(bad), bad).toBeUndefined();
    // a path or credentials never widen the origin
    expect(normalizeOrigin('https://user:pw@bank.example.com/evil')).toBe('https://bank.example.com');
  });
});
