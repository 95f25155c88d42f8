// The store's release state comes from the API server: Tenant status (public keys), the tenant
// key Secret (KEK), host-app credential Secrets and signed release ConfigMaps. Changes reach
// launch within seconds; forged documents are refused.

import { randomBytes } from 'node:crypto';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { ReleaseState, type Store, startStore } from '@tessera/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PostgresServer, startPostgres } from '../../src/infra/postgres.ts';
import { type RedisServer, startRedis } from '../../src/infra/redis.ts';
import {
  artifactOf,
  eventually,
  makeIdentities,
  makePackage,
  makeTenant,
  publishTenant,
  releaseConfigMap,
  releaseDoc,
  signedFetch,
} from './fixtures.ts';

let pgServer: PostgresServer;
let redis: RedisServer;
let store: Store;
let ns: { name: string; remove: () => Promise<void> };
const tenantName = `wt-${randomBytes(3).toString('hex')}`;
const kc = loadKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);

beforeAll(async () => {
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  ns = await createTestNamespace('store-watch');
});

afterAll(async () => {
  await store?.close();
  await custom
    .deleteClusterCustomObject({
      group: 'tessera.dev',
      version: 'v1alpha1',
      plural: 'tenants',
      name: tenantName,
    })
    .catch(() => undefined);
  await Promise.all([pgServer?.destroy(), redis?.destroy(), ns?.remove()]);
});

describe('release state from Kubernetes', () => {
  it('loads keys, credentials and signed releases; follows updates and deletes', async () => {
    // key material generated the same way the operator does; fixtures keep it in a scratch state
    const t = await makeTenant(new ReleaseState(), tenantName, ns.name);
    await publishTenant(kc, t);
    store = await startStore({
      databaseUrl: pgServer.url,
      redisUrl: redis.url,
      kubeConfig: kc,
      logger: pino({ level: 'silent' }),
      webhookAllowCidrs: '127.0.0.1/32',
    });
    const tokens = await makeIdentities(kc, ns.name);
    const pkg = await makePackage(t, { 'app.json': '{}' });
    const up = await eventually(
      () =>
        fetch(`${store.url}/v1/tenants/${tenantName}/artifacts/${pkg.digests.ciphertext}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${tokens.ci}` },
          body: Buffer.from(pkg.bytes),
        }),
      (r) => r.status !== 404,
    );
    expect(up.status).toBe(201);

    const cm = await releaseConfigMap(
      t,
      releaseDoc(t, { stable: { version: '1.0.0', artifact: artifactOf(pkg) } }),
    );
    await core.createNamespacedConfigMap({ namespace: ns.name, body: cm });
    const device = await generateDeviceKeyPair();
    let lastBody = '';
    const launch = () =>
      signedFetch(store.url, t, 'POST', '/v1/launch', {
        appId: 'bank-app',
        devicePublicKey: device.publicKeyRaw,
      }).then(async (r) => {
        lastBody = await r.response.text();
        return r.response.status;
      });
    expect(await eventually(launch, (s) => s === 200), lastBody).toBe(200);
    expect((await fetch(`${store.url}/readyz`)).status).toBe(200);

    // lifecycle webhooks from MiniProgramVersion status: Compiled
    const { createServer } = await import('node:http');
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (d) => {
        b += d;
      });
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const hook = await fetch(`${store.url}/v1/tenants/${tenantName}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.admin}` },
        body: JSON.stringify({
          url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/`,
          events: ['version.compiled'],
        }),
      });
      expect(hook.status).toBe(201);
      const ref = {
        group: 'tessera.dev',
        version: 'v1alpha1',
        namespace: ns.name,
        plural: 'miniprogramversions',
      };
      const created = (await custom.createNamespacedCustomObject({
        ...ref,
        body: {
          apiVersion: 'tessera.dev/v1alpha1',
          kind: 'MiniProgramVersion',
          metadata: { name: 'bank-1-0-0' },
          spec: {
            miniProgram: 'bank',
            version: '1.0.0',
            source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
          },
        },
      })) as { metadata: { resourceVersion: string } };
      await custom.replaceNamespacedCustomObjectStatus({
        ...ref,
        name: 'bank-1-0-0',
        body: {
          apiVersion: 'tessera.dev/v1alpha1',
          kind: 'MiniProgramVersion',
          metadata: { name: 'bank-1-0-0', resourceVersion: created.metadata.resourceVersion },
          spec: {
            miniProgram: 'bank',
            version: '1.0.0',
            source: { upload: { digest: `sha256:${'a'.repeat(64)}` } },
          },
          status: { phase: 'Compiled' },
        },
      });
      await eventually(
        async () => bodies.length,
        (n) => n > 0,
      );
      expect(JSON.parse(bodies[0] ?? '{}')).toMatchObject({
        event: 'version.compiled',
        version: 'bank-1-0-0',
        semver: '1.0.0',
      });
    } finally {
      receiver.close();
    }

    // take-down through the ConfigMap
    const suspended = await releaseConfigMap(
      t,
      releaseDoc(t, { suspended: true, stable: { version: '1.0.0', artifact: artifactOf(pkg) } }),
    );
    await core.replaceNamespacedConfigMap({ name: cm.metadata.name, namespace: ns.name, body: suspended });
    expect(await eventually(launch, (s) => s === 410)).toBe(410);

    // a forged document (signature from another key) is refused; the last good one stays
    const forger = await makeTenant(new ReleaseState(), tenantName, ns.name);
    const forged = await releaseConfigMap(
      forger,
      releaseDoc(t, { stable: { version: '1.0.0', artifact: artifactOf(pkg) } }),
    );
    forged.metadata.annotations['tessera.dev/key-id'] = t.signing.keyId;
    await core.replaceNamespacedConfigMap({ name: cm.metadata.name, namespace: ns.name, body: forged });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await launch()).toBe(410);

    await core.deleteNamespacedConfigMap({ name: cm.metadata.name, namespace: ns.name });
    expect(await eventually(launch, (s) => s === 404)).toBe(404);
  });
});
