// The pod runner under the real job controller and garbage collector of the harness.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api, BatchV1Api, CoreV1Api, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, loadKubeConfig } from '../../src/harness/testing.ts';
import { container, eventually, isAlive, job, startTestRunner } from './helpers.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const auth = kc.makeApiClient(AuthenticationV1Api);

let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let runner: Awaited<ReturnType<typeof startTestRunner>>;
let scratch: string;

beforeAll(async () => {
  ns = await createTestNamespace('podrunner-jobs');
  runner = await startTestRunner(ns.name);
  scratch = await mkdtemp(join(tmpdir(), 'podrunner-jobs-'));
});

afterAll(async () => {
  await runner?.stop();
  await ns?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const jobPods = async (name: string): Promise<V1Pod[]> =>
  (await core.listNamespacedPod({ namespace: ns.name, labelSelector: `job-name=${name}` })).items;

async function finished(name: string): Promise<V1Job> {
  return eventually(`job ${name} to finish`, async () => {
    const j = await batch.readNamespacedJob({ name, namespace: ns.name });
    const done = j.status?.conditions?.find(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    return done ? j : undefined;
  });
}

describe('local pod runner with the real job controller', () => {
  it('runs a Job to completion with its env, Secret, ConfigMap and service account token', async () => {
    const namespace = ns.name;
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'creds' }, stringData: { password: 's3cret', 'api-key': 'k-123' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'settings' }, data: { color: 'blue', 'app.json': '{"a":1}' } },
    });
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reporter' } } });
    await batch.createNamespacedJob({
      namespace,
      body: job('report', {
        serviceAccountName: 'reporter',
        automountServiceAccountToken: false,
        containers: [
          container(
            {},
            {
              args: ['--flag', '/etc/settings/app.json'],
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
                {
                  name: 'FROM_CONFIGMAP',
                  valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } },
                },
                {
                  name: 'OPTIONAL_MISSING',
                  valueFrom: { secretKeyRef: { name: 'creds', key: 'nope', optional: true } },
                },
                ...[
                  ['MODE', 'report'],
                  ['PLAIN', 'plain value'],
                  ['EXPANDED', 'pod is $(POD_NAME)'],
                  ['SECRET_DIR', '/etc/creds'],
                  ['CONFIG_DIR', '/etc/settings'],
                  ['TOKEN_FILE', '/var/run/tessera/token/token'],
                  ['SCRATCH_DIR', '/scratch'],
                ].map(([name, value]) => ({ name: name!, value: value! })),
              ],
              envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
              volumeMounts: [
                { name: 'creds', mountPath: '/etc/creds', readOnly: true },
                { name: 'settings', mountPath: '/etc/settings' },
                { name: 'token', mountPath: '/var/run/tessera/token' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
            },
          ),
        ],
        volumes: [
          { name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } },
          { name: 'settings', configMap: { name: 'settings' } },
          {
            name: 'token',
            projected: {
              sources: [
                { serviceAccountToken: { audience: 'tessera-test', expirationSeconds: 3600, path: 'token' } },
              ],
            },
          },
          { name: 'scratch', emptyDir: {} },
        ],
      }),
    });
    const done = await finished('report');
    expect(done.status?.conditions?.find((c) => c.type === 'Complete')?.status).toBe('True');
    expect(done.status?.succeeded).toBe(1);

    const [p] = await jobPods('report');
    expect(p?.spec?.nodeName).toBe(runner.nodeName);
    expect(p?.status?.phase).toBe('Succeeded');
    const terminated = p?.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.exitCode).toBe(0);
    expect(terminated?.reason).toBe('Completed');
    expect(terminated?.startedAt).toBeInstanceOf(Date);
    expect(terminated?.finishedAt).toBeInstanceOf(Date);

    const report = JSON.parse(terminated?.message ?? '{}');
    expect(report.env).toEqual({
      PLAIN: 'plain value',
      EXPANDED: `pod is ${p?.metadata?.name}`,
      POD_NAME: p?.metadata?.name,
      POD_NAMESPACE: namespace,
      NODE_NAME: runner.nodeName,
      FROM_SECRET: 's3cret',
      FROM_CONFIGMAP: 'blue',
      CFG_color: 'blue',
      OPTIONAL_MISSING: null,
    });
    expect(report.secretDir).toEqual({ password: 's3cret', 'api-key': 'k-123' });
    expect(report.configDir).toEqual({ color: 'blue', 'app.json': '{"a":1}' });
    expect(report.cwdWritable).toBe(true);
    // mount paths in args are rewritten into the container's root directory
    expect(report.args[0]).toBe('--flag');
    expect(report.args[1]).toBe(join(report.mountRoot, 'etc/settings/app.json'));

    // the token is a real bound token for the pod's service account and the projection's audience
    const review = await auth.createTokenReview({
      body: { spec: { token: report.token, audiences: ['tessera-test'] } },
    });
    expect(review.status?.authenticated).toBe(true);
    expect(review.status?.user?.username).toBe(`system:serviceaccount:${namespace}:reporter`);
    expect(review.status?.user?.extra?.['authentication.kubernetes.io/pod-name']).toEqual([
      p?.metadata?.name,
    ]);
    const wrongAudience = await auth.createTokenReview({
      body: { spec: { token: report.token, audiences: ['kubernetes'] } },
    });
    expect(wrongAudience.status?.authenticated).toBeFalsy();

    // the volumes (which held the secret) are gone once the pod finished; the runner's files too
    // once the pod is deleted
    await batch.deleteNamespacedJob({ name: 'report', namespace, propagationPolicy: 'Foreground' });
    await eventually('report pods to be deleted', async () =>
      (await jobPods('report')).length === 0 ? true : undefined,
    );
  });

  it('fails a Job after backoffLimit retries with the exit code and termination message', async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: job('fails', { containers: [container({ MODE: 'fail', EXIT_CODE: '3' })] }, { backoffLimit: 1 }),
    });
    const done = await finished('fails');
    const failed = done.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed?.status).toBe('True');
    expect(failed?.reason).toBe('BackoffLimitExceeded');
    expect(done.status?.failed).toBe(2);
    const pods = await jobPods('fails');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.status?.phase).toBe('Failed');
      const t = p.status?.containerStatuses?.[0]?.state?.terminated;
      expect(t?.exitCode).toBe(3);
      expect(t?.reason).toBe('Error');
      expect(t?.message).toBe('boom');
    }
  });

  it('restarts a failed container in place with restartPolicy OnFailure', async () => {
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: job(
        'flaky',
        {
          restartPolicy: 'OnFailure',
          containers: [
            container(
              { MODE: 'flaky', SCRATCH_DIR: '/scratch' },
              { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] },
            ),
          ],
          volumes: [{ name: 'scratch', emptyDir: {} }],
        },
        { backoffLimit: 3 },
      ),
    });
    const done = await finished('flaky');
    expect(done.status?.succeeded).toBe(1);
    const [p, ...others] = await jobPods('flaky');
    expect(others).toHaveLength(0);
    const status = p?.status?.containerStatuses?.[0];
    expect(status?.restartCount).toBe(1);
    expect(status?.lastState?.terminated?.exitCode).toBe(5);
    expect(status?.lastState?.terminated?.message).toBe('first run');
    expect(status?.state?.terminated?.message).toBe('second run');
  });

  it('garbage-collects the pods of a deleted Job and kills their processes', async () => {
    const pidFile = join(scratch, 'gc.pid');
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: job('sleeper', { containers: [container({ MODE: 'sleep', PID_FILE: pidFile })] }),
    });
    await eventually('the sleeper pod to run', async () =>
      (await jobPods('sleeper'))[0]?.status?.phase === 'Running' && existsSync(pidFile) ? true : undefined,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    await batch.deleteNamespacedJob({ name: 'sleeper', namespace: ns.name, propagationPolicy: 'Background' });
    await eventually('the garbage collector to delete the pod', async () =>
      (await jobPods('sleeper')).length === 0 ? true : undefined,
    );
    await eventually('the process to exit', async () => (isAlive(pid) ? undefined : true));
  });

  it('kills the pod of a Job that exceeds its activeDeadlineSeconds', async () => {
    const pidFile = join(scratch, 'job-deadline.pid');
    await batch.createNamespacedJob({
      namespace: ns.name,
      body: job(
        'too-slow',
        { containers: [container({ MODE: 'sleep', PID_FILE: pidFile })] },
        { activeDeadlineSeconds: 2 },
      ),
    });
    const done = await finished('too-slow');
    expect(done.status?.conditions?.find((c) => c.type === 'Failed')?.reason).toBe('DeadlineExceeded');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await eventually('the process to exit', async () => (isAlive(pid) ? undefined : true));
  });
});
