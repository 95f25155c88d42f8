// The reproduced attack: the tenant-admin of tenant B patches the status of its own
// MiniProgramVersion to Compiled, with tenant A's artifact digest (which any of A's devices sees)
// and forged approvals; the operator releases it, B's host app launches it and receives A's data
// key wrapped for B's device. Every step fails here, against the real kube-apiserver (RBAC and
// the chart's status-owners admission policy), the real operator (which checks artifacts against
// the store) and the real store:
//  1. B's tenant-admin, impersonated, may not write status at all; neither may anyone a role
//     grants status writes to by mistake, and the store's identity may only add approvals;
//  2. a forged status (written with the operator's identity, as a bug would) is not released:
//     the artifact is not B's, Ready=False says why, and an event is recorded;
//  3. a release document naming A's digest (signed with B's key, as a compromised operator
//     could) does not make the store hand out A's key, even while A's key is in its cache.
import { generateDeviceKeyPair } from '@tessera/runtime-sdk/package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_APPROVER_USER, HARNESS_OPERATOR_ONLY_USER } from '../../src/harness/admission.ts';
import { kubectl } from '../../src/harness/testing.ts';
import {
  API,
  condition,
  deleteTenant,
  miniProgram,
  type Obj,
  R,
  RUN_LABEL,
  tenant,
  version,
  waitFor,
} from '../operator/helpers.ts';
import { releaseConfigMap, releaseDoc, signedFetch, type TenantFixture } from '../store/fixtures.ts';
import { type HostilePlatform, sampleApp, startHostilePlatform } from './platform.ts';

type SecretObj = Obj & { data?: Record<string, string> };
const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

let p: HostilePlatform;
let b: string;
const mallory = 'mallory';
const eve = 'eve';
const versionName = 'pay-1-0-0';
let artifactOfA: Record<string, unknown>;

const launch = async (creds: { sdkKey: string; sdkSecret: string }) => {
  const device = await generateDeviceKeyPair();
  const r = await signedFetch(p.store.url, creds, 'POST', '/v1/launch', {
    appId: 'app-pay',
    devicePublicKey: device.publicKeyRaw,
  });
  const body = (await r.response.json()) as { code?: string; wrappedKey?: unknown; version?: string };
  return { status: r.response.status, ...body };
};
const credentialsOf = async (ns: string) => {
  const s = await waitFor(`credentials Secret in ${ns}`, () =>
    p.kube.get<SecretObj>(R.Secrets, ns, 'tessera-credentials-bank'),
  );
  return { sdkKey: b64(s.data?.sdkKey), sdkSecret: b64(s.data?.sdkSecret) };
};
const patchStatus = (patch: unknown, as?: string) =>
  kubectl([
    ...(as ? [`--as=${as}`] : []),
    '-n',
    b,
    'patch',
    'miniprogramversions.tessera.dev',
    versionName,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(patch),
  ]);
const forgedStatus = () => ({
  status: {
    phase: 'Compiled',
    artifact: artifactOfA,
    approvals: [{ role: 'compliance', subject: 'reviewer@a.example', time: '2026-01-01T00:00:00Z' }],
  },
});

beforeAll(async () => {
  p = await startHostilePlatform(
    'forge',
    { platforms: { web: { origins: ['https://bank.example'] } } },
    ['pay'],
    { verifyArtifacts: true },
  );
  // tenant A: a real, released version whose data key the store has unwrapped and cached
  const pkg = await p.build(sampleApp("A's confidential page"), undefined, {
    tenant: p.ns,
    miniProgram: 'pay',
    version: '1.0.0',
  });
  expect((await p.upload(pkg)).status).toBe(201);
  await p.compiled('pay', '1.0.0', pkg);
  await p.kube.patch(R.miniPrograms, p.ns, 'pay', { spec: { stableVersion: '1.0.0' } });
  const credsA = await credentialsOf(p.ns);
  const first = await waitFor('A launches its version', async () => {
    const r = await launch(credsA);
    return r.status === 200 ? r : undefined;
  });
  expect(first.wrappedKey).toBeDefined();
  artifactOfA = (await p.kube.get<Obj>(R.versions, p.ns, versionName))?.status?.artifact as Record<
    string,
    unknown
  >;

  // tenant B, whose tenant-admin is the attacker
  b = `${p.run}-b`;
  await p.kube.create(
    R.tenants,
    tenant(b, p.run, { members: [{ kind: 'User', name: mallory, role: 'tenant-admin' }] }),
  );
  await waitFor(
    'tenant B ready',
    async () => condition(await p.kube.get<Obj>(R.tenants, undefined, b), 'Ready')?.status === 'True',
  );
  await p.kube.create(R.miniPrograms, miniProgram(b, 'pay', p.run));
  await p.kube.create(R.hostApps, {
    apiVersion: API,
    kind: 'HostApp',
    metadata: { name: 'bank', namespace: b, labels: { [RUN_LABEL]: p.run } },
    spec: {
      displayName: 'Bank B',
      miniPrograms: { names: ['pay'] },
      platforms: { web: { origins: ['https://bank-b.example'] } },
    },
  });
  const created = await kubectl(
    ['--as', mallory, 'create', '-f', '-'],
    JSON.stringify(version(b, 'pay', '1.0.0', p.run)),
  );
  expect(created.stderr).toBe('');
  // a role that grants status writes by mistake, to eve and to the store's identity
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: `${p.run}-status-writer` },
          rules: [
            {
              apiGroups: ['tessera.dev'],
              resources: ['miniprogramversions/status'],
              verbs: ['get', 'patch'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: `${p.run}-status-writer` },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: `${p.run}-status-writer`,
          },
          subjects: [
            { kind: 'User', name: eve, apiGroup: 'rbac.authorization.k8s.io' },
            { kind: 'User', name: HARNESS_APPROVER_USER, apiGroup: 'rbac.authorization.k8s.io' },
            { kind: 'User', name: HARNESS_OPERATOR_ONLY_USER, apiGroup: 'rbac.authorization.k8s.io' },
          ],
        },
      ],
    }),
  );
}, 240_000);

afterAll(async () => {
  await kubectl([
    'delete',
    'clusterrolebinding,clusterrole',
    `${p?.run}-status-writer`,
    '--ignore-not-found',
  ]);
  if (b) await deleteTenant(p.kube, b);
  await p?.close();
});

describe('a tenant-admin forging its version status with another tenant’s artifact', () => {
  it('step 1: RBAC refuses the tenant-admin’s status patch, though it may change spec', async () => {
    const r = await patchStatus(forgedStatus(), mallory);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/forbidden/i);
    expect(r.stderr).toContain('miniprogramversions/status');
    const spec = await kubectl([
      `--as=${mallory}`,
      '-n',
      b,
      'patch',
      'miniprograms.tessera.dev',
      'pay',
      '--type=merge',
      '-p',
      '{"spec":{"stableVersion":"1.0.0"}}',
    ]);
    expect(spec.stderr).toBe('');
  });

  it('step 1: the admission policy refuses a status write RBAC allows by mistake', async () => {
    const r = await waitFor('the status-owners policy is in force', async () => {
      const res = await patchStatus(forgedStatus(), eve);
      return res.code !== 0 && res.stderr.includes('tessera-status-owners') ? res : undefined;
    });
    expect(r.stderr).toContain('is written only by the Tessera operator');
    const v = await p.kube.get<Obj>(R.versions, b, versionName);
    expect(v?.status?.artifact).toBeUndefined();
  });

  it('step 1: the store’s identity may add an approval but not mark the version compiled', async () => {
    const phase = await patchStatus(
      { status: { phase: 'Compiled', artifact: artifactOfA } },
      HARNESS_APPROVER_USER,
    );
    expect(phase.code).not.toBe(0);
    expect(phase.stderr).toContain('the store may only add approvals');
    const approval = await patchStatus(
      {
        status: { approvals: [{ role: 'qa', subject: 'reviewer@b.example', time: '2026-01-01T00:00:00Z' }] },
      },
      HARNESS_APPROVER_USER,
    );
    expect(approval.stderr).toBe('');
  });

  it('step 1: the operator’s identity may write status but not approvals', async () => {
    const approval = await patchStatus(
      { status: { approvals: [{ role: 'compliance', subject: 'nobody', time: '2026-01-01T00:00:00Z' }] } },
      HARNESS_OPERATOR_ONLY_USER,
    );
    expect(approval.code).not.toBe(0);
    expect(approval.stderr).toContain('approvals are added only by the store');
    const v = await p.kube.get<Obj>(R.versions, b, versionName);
    expect(v?.status?.approvals).toEqual([expect.objectContaining({ role: 'qa' })]);
  });

  it('step 2: a forged status is refused by the operator, with a condition and an event, and not released', async () => {
    // written with the operator's own identity, as a bug in a status writer would
    const forged = await patchStatus(forgedStatus());
    expect(forged.stderr).toBe('');
    const v = await waitFor('the operator refuses the forged version', async () => {
      const o = await p.kube.get<Obj>(R.versions, b, versionName);
      return condition(o, 'Ready')?.reason === 'ArtifactNotInStore' ? o : undefined;
    });
    expect(condition(v, 'Ready')?.status).toBe('False');
    expect(condition(v, 'Released')).toMatchObject({ status: 'False', reason: 'ArtifactNotInStore' });
    expect(condition(v, 'Ready')?.message).toContain(`not among tenant ${b}'s artifacts`);
    const events = await waitFor('the ArtifactRefused event', async () => {
      const r = await kubectl([
        '-n',
        b,
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${versionName},reason=ArtifactRefused`,
        '-o',
        'json',
      ]);
      const items = (
        JSON.parse(r.stdout || '{"items":[]}') as { items: Array<{ type: string; message: string }> }
      ).items;
      return items.length > 0 ? items : undefined;
    });
    expect(events[0]?.type).toBe('Warning');
    const mp = await waitFor('B’s MiniProgram says why nothing is released', async () => {
      const o = await p.kube.get<Obj>(R.miniPrograms, b, 'pay');
      return condition(o, 'Ready')?.reason === 'ArtifactNotInStore' ? o : undefined;
    });
    expect(condition(mp, 'Ready')?.status).toBe('False');
    expect(mp.status?.releasedVersion).toBeUndefined();
    // B's release document has no stable version: B's host app gets nothing, and no key
    const credsB = await credentialsOf(b);
    const r = await waitFor('B’s host app sees its release', async () => {
      const res = await launch(credsB);
      return res.code === 'not-released' ? res : undefined;
    });
    expect(r.status).toBe(404);
    expect(r.wrappedKey).toBeUndefined();
    const doc = await p.kube.get<Obj & { data?: Record<string, string> }>(
      R.ConfigMaps,
      b,
      'tessera-release-bank-pay',
    );
    expect(doc?.data?.['release.json'] ?? JSON.stringify(doc?.data)).not.toContain(
      String(artifactOfA.digest),
    );
  });

  it('step 3: a release naming A’s digest does not get A’s data key from the store', async () => {
    const keys = await p.kube.get<SecretObj>(R.Secrets, b, 'tessera-tenant-keys');
    const credsB = await credentialsOf(b);
    const attacker: TenantFixture = {
      name: b,
      namespace: b,
      hostApp: 'bank',
      kek: { rawBase64: '', keyId: '' },
      signing: {
        keyId: b64(keys?.data?.['signing-key-id']),
        privateKeyPkcs8: keys?.data?.['signing-key.pk8'] ?? '',
        publicKeySpki: keys?.data?.['signing-key.spki'] ?? '',
        publicKeyJwk: {},
      },
      ...credsB,
    };
    const forged = await releaseConfigMap(
      attacker,
      releaseDoc(attacker, {
        miniProgram: 'pay',
        appId: 'app-pay',
        stable: { version: '1.0.0', artifact: artifactOfA as never },
      }),
    );
    // a ConfigMap of its own, so the operator (which owns the real one) leaves it alone
    await p.kube.create(R.ConfigMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      ...forged,
      metadata: { ...forged.metadata, name: 'forged-release-bank-pay' },
    });
    const r = await waitFor('the store takes the forged release', async () => {
      const res = await launch(credsB);
      expect(res.wrappedKey).toBeUndefined();
      return res.code === 'artifact-missing' ? res : undefined;
    });
    expect(r.status).toBe(503);
    for (let i = 0; i < 5; i++) {
      const again = await launch(credsB);
      expect(again.status).not.toBe(200);
      expect(again.wrappedKey).toBeUndefined();
    }
    // A still launches its own version
    expect((await launch(await credentialsOf(p.ns))).status).toBe(200);
  });
});
