// A compromised tenant signing key: the tenant revokes it (Tenant.spec.crypto.revokedSigningKeyIds)
// and everything signed by it stops being trusted, although the attacker still holds the private
// key and host apps still list its public key in their configuration. Real operator (rotates
// and re-signs), real store (refuses documents, uploads and launches), real Node SDK (refuses
// the cached package offline and rewritten answers naming the key).

import { MemoryOfflineCache, type RevocationStore } from '@tessera/runtime-sdk/core';
import { createNodeTessera } from '@tessera/runtime-sdk/node';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, type Obj, R, waitFor } from '../operator/helpers.ts';
import { releaseConfigMap, releaseDoc, signedFetch, type TenantFixture } from '../store/fixtures.ts';
import { type HostilePlatform, type SigningMaterial, sampleApp, startHostilePlatform } from './platform.ts';

let p: HostilePlatform;
let compromised: SigningMaterial;
let creds: { sdkKey: string; sdkSecret: string };
const cache = new MemoryOfflineCache();
const remembered: string[] = [];
const revocationStore: RevocationStore = {
  load: async () => remembered,
  save: async (ids) => {
    remembered.splice(0, remembered.length, ...ids);
  },
};
let offline = false;
/** The host's network: offline makes every request fail like a dropped connection. */
const network = (rewrite?: (body: string) => string): typeof fetch =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (offline) throw new TypeError('fetch failed: network is down');
    const res = await fetch(input, init);
    if (!rewrite || !String(input).endsWith('/v1/launch') || !res.ok) return res;
    return new Response(rewrite(await res.text()), { status: res.status, headers: res.headers });
  }) as typeof fetch;

const sdk = (publicKeys: string[], rewrite?: (body: string) => string) =>
  createNodeTessera({
    storeUrl: p.store.url,
    credentials: creds,
    publicKeys,
    cache,
    revocationStore,
    fetch: network(rewrite),
  });

const launch = async (appId: string) => {
  const device = await generateDeviceKeyPair();
  const r = await signedFetch(p.store.url, creds, 'POST', '/v1/launch', {
    appId,
    devicePublicKey: device.publicKeyRaw,
  });
  const body = (await r.response.json()) as {
    code?: string;
    signingKeyId?: string;
    revokedSigningKeyIds?: string[];
  };
  return { status: r.response.status, ...body };
};

beforeAll(async () => {
  p = await startHostilePlatform('revoke', { platforms: { web: { origins: ['https://bank.example'] } } }, [
    'old',
    'pay',
  ]);
  compromised = await p.keys();
  creds = await p.credentials();
  const pkg = await p.build(sampleApp('signed before the compromise'), compromised);
  expect((await p.upload(pkg)).status).toBe(201);
  await p.compiled('old', '1.0.0', pkg);
  await p.kube.patch(R.miniPrograms, p.ns, 'old', { spec: { stableVersion: '1.0.0' } });
  await waitFor('the store serves old', async () => (await launch('app-old')).status === 200);
}, 180_000);

afterAll(async () => {
  await p?.close();
});

describe('a revoked signing key', () => {
  it('before the revocation, the SDK opens and caches the package signed by the key', async () => {
    const opened = await sdk([compromised.signing.publicKeySpki]).preload('app-old');
    expect(opened.version).toBe('1.0.0');
    expect(await cache.get('app-old')).toBeDefined();
  });

  it('the operator drops it from the published keys, rotates, and stops releasing what it signed', async () => {
    await p.kube.patch(R.tenants, undefined, p.ns, {
      spec: { crypto: { revokedSigningKeyIds: [compromised.signing.keyId] } },
    });
    const t = await waitFor('tenant status without the revoked key', async () => {
      const o = await p.kube.get<Obj>(R.tenants, undefined, p.ns);
      const ids = ((o?.status?.publicKeys ?? []) as Array<{ keyId: string }>).map((k) => k.keyId);
      return ids.length > 0 && !ids.includes(compromised.signing.keyId) ? o : undefined;
    });
    expect(t.status?.revokedSigningKeyIds).toEqual([compromised.signing.keyId]);
    expect((await p.keys()).signing.keyId).not.toBe(compromised.signing.keyId);
    const mp = await waitFor('old is no longer released', async () => {
      const o = await p.kube.get<Obj>(R.miniPrograms, p.ns, 'old');
      return condition(o, 'Ready')?.reason === 'StableVersionKeyRevoked' ? o : undefined;
    });
    expect(condition(mp, 'Ready')?.message).toMatch(/revoked signing key .*push it again as a new version/);
    // release ConfigMaps are signed again, with the new key
    await waitFor('release documents re-signed', async () => {
      const cm = await p.kube.get<Obj>(R.ConfigMaps, p.ns, 'tessera-release-bank-old');
      const keyId = cm?.metadata?.annotations?.['tessera.dev/key-id'];
      return keyId !== undefined && keyId !== compromised.signing.keyId;
    });
  });

  it('the store launches nothing signed by it and refuses what the attacker signs with it', async () => {
    const l = await waitFor('old not launched', async () => {
      const r = await launch('app-old');
      return r.status === 404 ? r : undefined;
    });
    expect(['not-released', 'not-listed']).toContain(l.code);
    // an upload of a package signed with the revoked key (attacker with CI access)
    const evil = await p.build(sampleApp('attacker'), compromised);
    const up = await p.upload(evil);
    expect(up.status).toBe(422);
    expect(((await up.json()) as { code: string }).code).toBe('signing-key-revoked');
    // a release document signed with the revoked key (attacker with ConfigMap write access)
    const attacker: TenantFixture = {
      name: p.ns,
      namespace: p.ns,
      hostApp: p.hostApp,
      kek: compromised.kek,
      signing: { ...compromised.signing, publicKeyJwk: {} },
      ...creds,
    };
    const forged = await releaseConfigMap(
      attacker,
      releaseDoc(attacker, {
        miniProgram: 'old',
        appId: 'app-old',
        stable: {
          version: '1.0.0',
          artifact: ((await p.kube.get<Obj>(R.versions, p.ns, 'old-1-0-0'))?.status?.artifact ?? {}) as never,
        },
      }),
    );
    await p.kube.patch(R.ConfigMaps, p.ns, 'tessera-release-bank-old', {
      metadata: { annotations: forged.metadata.annotations },
      data: forged.data,
    });
    for (let i = 0; i < 10; i++) {
      const r = await launch('app-old');
      expect(r.status).not.toBe(200);
      expect(r.signingKeyId).toBeUndefined();
      await new Promise((res) => setTimeout(res, 200));
    }
  });

  it('the SDK learns the revocation from a launch answer and refuses the cached package offline', async () => {
    const current = await p.keys();
    const pkg = await p.build(sampleApp('signed after the rotation'));
    expect((await p.upload(pkg)).status).toBe(201);
    await p.compiled('pay', '2.0.0', pkg);
    await p.kube.patch(R.miniPrograms, p.ns, 'pay', { spec: { stableVersion: '2.0.0' } });
    await waitFor('the store serves pay', async () => (await launch('app-pay')).status === 200);
    const answer = await launch('app-pay');
    expect(answer.revokedSigningKeyIds).toEqual([compromised.signing.keyId]);
    expect(answer.signingKeyId).toBe(current.signing.keyId);

    // the host still lists the compromised public key next to the new one
    const keys = [compromised.signing.publicKeySpki, current.signing.publicKeySpki];
    expect((await sdk(keys).preload('app-pay')).version).toBe('2.0.0');
    expect(remembered).toEqual([compromised.signing.keyId]);

    offline = true;
    try {
      const refused = await sdk(keys)
        .preload('app-old')
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'SIGNING_KEY_REVOKED' });
      expect(String((refused as Error).message)).toContain(compromised.signing.keyId);
    } finally {
      offline = false;
    }
  });

  it('a rewritten launch answer naming the revoked key is refused before anything is downloaded', async () => {
    const current = await p.keys();
    const keys = [compromised.signing.publicKeySpki, current.signing.publicKeySpki];
    const rewritten = sdk(keys, (body) =>
      body
        .replaceAll(current.signing.keyId, compromised.signing.keyId)
        .replace(/,"revokedSigningKeyIds":\[[^\]]*\]/, ''),
    );
    const err = await rewritten.preload('app-pay').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SIGNING_KEY_REVOKED' });
  });
});
