import { HostAppIndexSchema, MiniProgramReleaseSchema } from '@tessera/crds';
import { verifyDetached } from '@tessera/runtime-sdk/package';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API,
  artifact,
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
} from './helpers.ts';

const kube = client();
const run = runId('ha');
const ns = run;
const op = startOperator(run);
type CM = Obj & { data: Record<string, string> };

async function compile(mp: string, v: string, seed: string) {
  await kube.create(R.versions, version(ns, mp, v, run));
  const name = `${mp}-${v.replace(/\./g, '-')}`;
  const job = await waitFor(
    'job',
    async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.compileJob as string | undefined,
  );
  await finishCompilePod(kube, ns, job, JSON.stringify({ ok: true, artifact: artifact(seed) }));
  await waitFor(
    `${name} compiled`,
    async () => (await kube.get<Obj>(R.versions, ns, name))?.status?.phase === 'Compiled',
  );
}

async function verified(cm: CM, publicKeys: string[]) {
  const bytes = new TextEncoder().encode(cm.data['release.json']);
  return verifyDetached(
    bytes,
    cm.data['release.sig'] ?? '',
    publicKeys,
    cm.metadata?.annotations?.['tessera.dev/key-id'],
  );
}

beforeAll(async () => {
  await op.start();
  await kube.create(R.tenants, tenant(ns, run));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(
    R.miniPrograms,
    miniProgram(ns, 'pay', run, { domains: { request: ['https://api.pay.example.com'] } }),
  );
  await kube.create(R.miniPrograms, {
    ...miniProgram(ns, 'news', run),
    metadata: { name: 'news', namespace: ns, labels: { [RUN_LABEL]: run, team: 'media' } },
  });
  await compile('pay', '1.0.0', '1');
  await compile('pay', '2.0.0', '2');
});
afterAll(async () => {
  await op.stop();
  await deleteTenant(kube, ns);
});

describe('HostApp controller', () => {
  it('writes credentials once and signed release ConfigMaps with only releasable versions', async () => {
    await kube.patch(R.miniPrograms, ns, 'pay', { spec: { stableVersion: '1.0.0' } });
    await kube.create(R.hostApps, {
      apiVersion: API,
      kind: 'HostApp',
      metadata: { name: 'bank', namespace: ns, labels: { [RUN_LABEL]: run } },
      spec: {
        displayName: 'Bank',
        platforms: { web: { origins: ['https://bank.example.com'] } },
        miniPrograms: { names: ['pay', 'missing'], selector: { matchLabels: { team: 'media' } } },
        hostApis: [
          { name: 'getCard', allowedMiniPrograms: ['pay'] },
          { name: 'secret', allowedMiniPrograms: [] },
        ],
        menuItems: [{ id: 'share', title: 'Share', allowedMiniPrograms: ['news'] }],
        updatePolicy: { wifiOnly: true, checkIntervalSeconds: 900 },
      },
    });
    const ha = await waitFor('host app status', async () => {
      const o = await kube.get<Obj>(R.hostApps, ns, 'bank');
      return o?.status?.indexDigest ? o : undefined;
    });
    expect(condition(ha, 'Ready')).toMatchObject({ status: 'False', reason: 'MiniProgramsMissing' });
    expect(condition(ha, 'Ready')?.message).toContain('missing');
    expect(ha.status?.listedMiniPrograms).toBe(2);

    const creds = await kube.get<CM>(R.Secrets, ns, ha.status?.credentialsSecret as string);
    expect(Buffer.from(creds?.data.sdkSecret ?? '', 'base64').length).toBeGreaterThanOrEqual(32);

    const t = await kube.get<Obj>(R.tenants, undefined, ns);
    const keys = ((t?.status?.publicKeys ?? []) as Array<{ publicKey: string }>).map((k) => k.publicKey);
    const payCm = await waitFor('pay release', () =>
      kube.get<CM>(R.ConfigMaps, ns, 'tessera-release-bank-pay'),
    );
    await verified(payCm, keys);
    const pay = MiniProgramReleaseSchema.parse(JSON.parse(payCm.data['release.json'] ?? ''));
    expect(pay.stable?.version).toBe('1.0.0');
    expect(pay.stable?.artifact.digest).toBe(artifact('1').digest);
    expect(pay.permissions.hostApis).toEqual(['getCard']);
    expect(pay.domains.request).toEqual(['https://api.pay.example.com']);
    expect(pay.candidates).toEqual([]);
    // what the store sends SDKs at launch (background defaults on)
    expect(pay.updatePolicy).toEqual({ background: true, wifiOnly: true, checkIntervalSeconds: 900 });

    const news = MiniProgramReleaseSchema.parse(
      JSON.parse(
        (await kube.get<CM>(R.ConfigMaps, ns, 'tessera-release-bank-news'))?.data['release.json'] ?? '',
      ),
    );
    expect(news.stable).toBeUndefined();
    expect(news.permissions.menuItems).toEqual(['share']);

    const indexCm = (await kube.get<CM>(R.ConfigMaps, ns, 'tessera-index-bank')) as CM;
    await verified(indexCm, keys);
    const index = HostAppIndexSchema.parse(JSON.parse(indexCm.data['release.json'] ?? ''));
    expect(index.miniPrograms.map((m) => m.name)).toEqual(['news', 'pay']);
    expect(index.miniPrograms.find((m) => m.name === 'pay')?.digest).toBe(
      payCm.metadata?.annotations?.['tessera.dev/digest'],
    );
    // a tampered document no longer verifies
    await expect(
      verified(
        {
          ...payCm,
          data: {
            ...payCm.data,
            'release.json': payCm.data['release.json']?.replace('1.0.0', '2.0.0') ?? '',
          },
        },
        keys,
      ),
    ).rejects.toThrow();
  });

  it('follows rollback, take-down and de-listing, and keeps the credentials', async () => {
    const credsBefore = await kube.get<CM>(R.Secrets, ns, 'tessera-credentials-bank');
    await kube.patch(R.miniPrograms, ns, 'pay', { spec: { stableVersion: '2.0.0' } });
    const release = async () =>
      MiniProgramReleaseSchema.parse(
        JSON.parse(
          (await kube.get<CM>(R.ConfigMaps, ns, 'tessera-release-bank-pay'))?.data['release.json'] ?? '{}',
        ),
      );
    await waitFor('2.0.0 stable', async () => (await release()).stable?.version === '2.0.0');
    await kube.patch(R.miniPrograms, ns, 'pay', { spec: { suspended: true } });
    const down = await waitFor('suspended', async () => {
      const r = await release();
      return r.suspended ? r : undefined;
    });
    expect(down.stable).toBeUndefined();
    expect(down.revokedVersions).toEqual(expect.arrayContaining(['1.0.0', '2.0.0']));
    await kube.patch(R.hostApps, ns, 'bank', { spec: { miniPrograms: { names: ['pay'], selector: null } } });
    await waitFor(
      'news release deleted',
      async () => (await kube.get(R.ConfigMaps, ns, 'tessera-release-bank-news')) === undefined,
    );
    const credsAfter = await kube.get<CM>(R.Secrets, ns, 'tessera-credentials-bank');
    expect(credsAfter?.data.sdkSecret).toBe(credsBefore?.data.sdkSecret);
  });

  it('compiles active gray rules into the release and drops invalid ones', async () => {
    await kube.patch(R.miniPrograms, ns, 'pay', { spec: { suspended: false, stableVersion: '1.0.0' } });
    await kube.create(R.grayRules, {
      apiVersion: API,
      kind: 'GrayRule',
      metadata: { name: 'beta', namespace: ns, labels: { [RUN_LABEL]: run } },
      spec: {
        miniProgram: 'pay',
        version: '2.0.0',
        priority: 10,
        match: { all: [{ attribute: 'region', operator: 'In', values: ['sh', 'bj'] }] },
        rollout: { percentage: 20 },
      },
    });
    await kube.create(R.grayRules, {
      apiVersion: API,
      kind: 'GrayRule',
      metadata: { name: 'evil', namespace: ns, labels: { [RUN_LABEL]: run } },
      spec: {
        miniProgram: 'pay',
        version: '2.0.0',
        match: {
          all: [
            {
              attribute: 'userId',
              operator: 'Matches',
              values: ['a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}'],
            },
          ],
        },
      },
    });
    const evil = await waitFor('invalid rule', async () => {
      const o = await kube.get<Obj>(R.grayRules, ns, 'evil');
      return condition(o, 'Valid')?.status === 'False' ? o : undefined;
    });
    expect(evil.status?.active).toBe(false);
    expect(condition(evil, 'Valid')?.message).toMatch(/match\.all\[0\]/);
    const rel = await waitFor('candidate in release', async () => {
      const cm = await kube.get<CM>(R.ConfigMaps, ns, 'tessera-release-bank-pay');
      const r = MiniProgramReleaseSchema.parse(JSON.parse(cm?.data['release.json'] ?? '{}'));
      return r.grayRules.length > 0 ? r : undefined;
    });
    expect(rel.grayRules.map((r) => r.name)).toEqual(['beta']);
    expect(rel.candidates.map((c) => c.version)).toEqual(['2.0.0']);
    await waitFor(
      '2.0.0 released by gray rule',
      async () => (await kube.get<Obj>(R.versions, ns, 'pay-2-0-0'))?.status?.phase === 'Released',
    );
  });

  it('activates a scheduled rule at its start time without an edit', async () => {
    const start = new Date(Date.now() + 3000).toISOString();
    await kube.create(R.grayRules, {
      apiVersion: API,
      kind: 'GrayRule',
      metadata: { name: 'later', namespace: ns, labels: { [RUN_LABEL]: run } },
      spec: { miniProgram: 'pay', version: '2.0.0', schedule: { start } },
    });
    const pending = await waitFor('not started', async () => {
      const o = await kube.get<Obj>(R.grayRules, ns, 'later');
      return condition(o, 'Active')?.reason === 'NotStarted' ? o : undefined;
    });
    expect(pending.status?.nextTransitionTime).toBeDefined();
    await waitFor(
      'active after start',
      async () => (await kube.get<Obj>(R.grayRules, ns, 'later'))?.status?.active === true,
      30_000,
    );
  });
});
