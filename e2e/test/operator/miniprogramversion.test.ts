import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  client,
  condition,
  deleteTenant,
  finishCompilePod,
  miniProgram,
  type Obj,
  R,
  runId,
  startOperator,
  tenant,
  version,
  waitFor,
} from './helpers.ts';

const kube = client();
const run = runId('mpv');
const ns = run;
const op = startOperator(run);

const getVersion = (name: string) => kube.get<Obj>(R.versions, ns, name);
const jobOf = async (name: string) => (await getVersion(name))?.status?.compileJob as string | undefined;

beforeAll(async () => {
  await op.start();
  await kube.create(R.tenants, tenant(ns, run, { reviewPolicy: { requiredRoles: ['compliance'] } }));
  await waitFor(
    'tenant ready',
    async () => condition(await kube.get<Obj>(R.tenants, undefined, ns), 'Ready')?.status === 'True',
  );
  await kube.create(R.miniPrograms, miniProgram(ns, 'shop', run));
});
afterAll(async () => {
  await op.stop();
  await deleteTenant(kube, ns);
});

describe('MiniProgramVersion controller', () => {
  it('creates one locked-down compile Job, records the artifact, honours approvals and releases', async () => {
    await kube.create(R.versions, version(ns, 'shop', '1.0.0', run));
    const jobName = await waitFor('compile job name', () => jobOf('shop-1-0-0'));
    const job = await waitFor('job', () => kube.get<Obj>(R.Jobs, ns, jobName));
    const mpv = await getVersion('shop-1-0-0');
    expect(mpv?.status?.phase).toBe('Compiling');
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'MiniProgramVersion',
      uid: mpv?.metadata?.uid,
      controller: true,
    });
    const pod = (job.spec as { template: { spec: Record<string, unknown> } }).template.spec as {
      serviceAccountName: string;
      automountServiceAccountToken: boolean;
      containers: Array<{
        image: string;
        resources: { limits: Record<string, string> };
        volumeMounts: Array<{ name: string; readOnly?: boolean }>;
      }>;
      volumes: Array<{ name: string; secret?: { secretName: string } }>;
    };
    expect(pod.serviceAccountName).toBe('tessera-compiler');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0]?.image).toBe('tessera/compiler');
    expect(pod.containers[0]?.resources.limits.memory).toBe('1Gi');
    expect(pod.containers[0]?.volumeMounts.find((m) => m.name === 'keys')?.readOnly).toBe(true);
    expect(pod.volumes.find((v) => v.name === 'keys')?.secret?.secretName).toBe('tessera-tenant-keys');

    await finishCompilePod(
      kube,
      ns,
      jobName,
      JSON.stringify({
        ok: true,
        artifact: artifact('1'),
        warnings: [{ file: 'app.json', code: 'W1', message: 'old' }],
      }),
    );
    const compiled = await waitFor('Compiled', async () => {
      const o = await getVersion('shop-1-0-0');
      return o?.status?.phase === 'Compiled' ? o : undefined;
    });
    expect(compiled.status?.artifact).toMatchObject({ digest: artifact('1').digest });
    expect(compiled.status?.warnings).toHaveLength(1);
    expect(condition(compiled, 'Approved')).toMatchObject({ status: 'False', reason: 'AwaitingApproval' });
    expect(condition(compiled, 'Approved')?.message).toContain('compliance');

    // stableVersion before approval: MiniProgram says exactly why it is not released
    await kube.patch(R.miniPrograms, ns, 'shop', { spec: { stableVersion: '1.0.0' } });
    await waitFor(
      'mp not approved',
      async () =>
        condition(await kube.get<Obj>(R.miniPrograms, ns, 'shop'), 'Ready')?.reason ===
        'StableVersionNotApproved',
    );

    // the store writes approvals into status
    const cur = (await getVersion('shop-1-0-0')) as Obj;
    await kube.update(
      R.versions,
      {
        ...cur,
        status: {
          ...cur.status,
          approvals: [{ role: 'compliance', subject: 'bob', time: '2026-01-01T00:00:00Z' }],
        },
      },
      'status',
    );
    const released = await waitFor('Released', async () => {
      const o = await getVersion('shop-1-0-0');
      return o?.status?.phase === 'Released' ? o : undefined;
    });
    expect(condition(released, 'Released')?.message).toContain('stableVersion');
    const mp = await waitFor('mp Ready', async () => {
      const o = await kube.get<Obj>(R.miniPrograms, ns, 'shop');
      return condition(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    expect(mp.status?.releasedVersion).toBe('1.0.0');
    expect(mp.status?.latestVersion).toBe('1.0.0');

    // suspension takes it down
    await kube.patch(R.miniPrograms, ns, 'shop', { spec: { suspended: true } });
    await waitFor('retired', async () => (await getVersion('shop-1-0-0'))?.status?.phase === 'Retired');
    await kube.patch(R.miniPrograms, ns, 'shop', { spec: { suspended: false } });
    await waitFor(
      'released again',
      async () => (await getVersion('shop-1-0-0'))?.status?.phase === 'Released',
    );
    // exactly one Job for the version
    const jobs = await kube.list(R.Jobs, {
      namespace: ns,
      labelSelector: 'tessera.dev/mini-program-version=shop-1-0-0',
    });
    expect(jobs.items).toHaveLength(1);
  });

  it('reports the compiler error when the compile fails', async () => {
    await kube.create(R.versions, version(ns, 'shop', '1.1.0', run));
    const jobName = await waitFor('job', () => jobOf('shop-1-1-0'));
    await finishCompilePod(
      kube,
      ns,
      jobName,
      JSON.stringify({
        ok: false,
        message: 'pages/index/index.wxml:3:7 unclosed tag <view>',
        errors: [
          {
            file: 'pages/index/index.wxml',
            line: 3,
            column: 7,
            code: 'WXML001',
            message: 'unclosed tag <view>',
          },
        ],
      }),
      false,
    );
    const failed = await waitFor(
      'Failed',
      async () => {
        const o = await getVersion('shop-1-1-0');
        return o?.status?.phase === 'Failed' ? o : undefined;
      },
      90_000,
    );
    expect(condition(failed, 'Compiled')).toMatchObject({ status: 'False', reason: 'CompileFailed' });
    expect(condition(failed, 'Compiled')?.message).toContain('unclosed tag');
    expect(failed.status?.errors).toMatchObject([{ code: 'WXML001', line: 3 }]);
    expect(failed.status?.artifact).toBeUndefined();
  });

  it('treats a garbage termination message as a failed compile, not a crash', async () => {
    await kube.create(R.versions, version(ns, 'shop', '1.2.0', run));
    const jobName = await waitFor('job', () => jobOf('shop-1-2-0'));
    await finishCompilePod(
      kube,
      ns,
      jobName,
      '{"ok":true,"artifact":{"digest":"md5:1"}} \u0000 trailing',
      true,
    );
    const failed = await waitFor('Failed', async () => {
      const o = await getVersion('shop-1-2-0');
      return o?.status?.phase === 'Failed' ? o : undefined;
    });
    expect(condition(failed, 'Compiled')?.message).toMatch(/compile result/);
  });

  it('waits with a clear reason when the MiniProgram does not exist, then proceeds once it does', async () => {
    await kube.create(R.versions, version(ns, 'ghost', '0.1.0', run));
    const pending = await waitFor('Pending', async () => {
      const o = await getVersion('ghost-0-1-0');
      return condition(o, 'Compiled')?.reason === 'MiniProgramNotFound' ? o : undefined;
    });
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.compileJob).toBeUndefined();
    await kube.create(R.miniPrograms, miniProgram(ns, 'ghost', run));
    await waitFor('compiling', async () => (await getVersion('ghost-0-1-0'))?.status?.phase === 'Compiling');
  });

  it('reports SourceNotFound within seconds when the source ConfigMap does not exist, then compiles once it does', async () => {
    const v = version(ns, 'shop', '1.3.0', run);
    await kube.create(R.versions, { ...v, spec: { ...v.spec, source: { configMap: { name: 'shop-src' } } } });
    const pending = await waitFor('SourceNotFound', async () => {
      const o = await getVersion('shop-1-3-0');
      return condition(o, 'Compiled')?.reason === 'SourceNotFound' ? o : undefined;
    });
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.compileJob).toBeUndefined();
    expect(condition(pending, 'Compiled')?.message).toBe(
      `source ConfigMap ${ns}/shop-src does not exist; create it (kubectl create configmap shop-src -n ${ns} --from-file=...) or fix spec.source.configMap.name`,
    );
    const events = await kube.list<Obj & { reason?: string; type?: string }>(R.CoreEvents, {
      namespace: ns,
      fieldSelector: 'involvedObject.name=shop-1-3-0',
    });
    expect(events.items.map((e) => [e.type, e.reason])).toContainEqual(['Warning', 'SourceNotFound']);
    await kube.create(R.ConfigMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shop-src', namespace: ns },
      data: { 'app.json': '{"pages":["pages/index/index"]}' },
    });
    await waitFor('compiling', async () => (await getVersion('shop-1-3-0'))?.status?.phase === 'Compiling');
  });

  it('rejects a version without exactly one source at the API server', async () => {
    const bad = version(ns, 'shop', '9.9.9', run);
    await expect(
      kube.create(R.versions, {
        ...bad,
        spec: {
          ...bad.spec,
          source: { configMap: { name: 'a' }, upload: { digest: 'sha256:'.padEnd(71, 'a') } },
        },
      }),
    ).rejects.toThrow(/exactly one/);
  });
});
