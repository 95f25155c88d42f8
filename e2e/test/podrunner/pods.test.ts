// Single pods on the local pod runner: deadlines, deletion, termination messages, missing
// references, unmapped images and hostile containers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubectl, loadKubeConfig } from '../../src/harness/testing.ts';
import { loadImageMap, matchesImage, resolveCommand } from '../../src/podrunner/index.ts';
import { container, eventually, isAlive, pod, startTestRunner } from './helpers.ts';

const kc = loadKubeConfig();
const core = kc.makeApiClient(CoreV1Api);

let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let runner: Awaited<ReturnType<typeof startTestRunner>>;
let scratch: string;

beforeAll(async () => {
  ns = await createTestNamespace('podrunner-pods');
  runner = await startTestRunner(ns.name);
  scratch = await mkdtemp(join(tmpdir(), 'podrunner-pods-'));
});

afterAll(async () => {
  await runner?.stop();
  await ns?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const read = (name: string) => core.readNamespacedPod({ name, namespace: ns.name });
const create = (body: V1Pod) => core.createNamespacedPod({ namespace: ns.name, body });

async function terminal(name: string): Promise<V1Pod> {
  return eventually(`pod ${name} to finish`, async () => {
    const p = await read(name);
    return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
  });
}

const podDirs = () => readdirSync(runner.workDir).flatMap((d) => readdirSync(join(runner.workDir, d)));

describe('local pod runner: single pods', () => {
  it('registers a Ready node with capacity and a heartbeat Lease', async () => {
    const node = await core.readNode({ name: runner.nodeName });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(Number(node.status?.allocatable?.pods)).toBeGreaterThan(0);
    expect(node.metadata?.labels?.['kubernetes.io/hostname']).toBe(runner.nodeName);
    const { CoordinationV1Api } = await import('@kubernetes/client-node');
    const lease = await eventually('the node lease', () =>
      kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: runner.nodeName, namespace: 'kube-node-lease' }),
    );
    expect(lease.spec?.holderIdentity).toBe(runner.nodeName);
  });

  it('kills a pod at its activeDeadlineSeconds and reports DeadlineExceeded', async () => {
    const pidFile = join(scratch, 'deadline.pid');
    await create(
      pod('deadline', {
        activeDeadlineSeconds: 2,
        containers: [container({ MODE: 'sleep', PID_FILE: pidFile })],
      }),
    );
    const p = await terminal('deadline');
    expect(p.status?.phase).toBe('Failed');
    expect(p.status?.reason).toBe('DeadlineExceeded');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toBeDefined();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
  });

  it('kills the process of a deleted pod, then finalizes the deletion', async () => {
    const pidFile = join(scratch, 'deleted.pid');
    const created = await create(
      pod('deleted', { containers: [container({ MODE: 'sleep', PID_FILE: pidFile })] }),
    );
    await eventually('the pod to run', async () =>
      (await read('deleted')).status?.phase === 'Running' && existsSync(pidFile) ? true : undefined,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    expect(podDirs().some((d) => d.includes(created.metadata?.uid ?? '?'))).toBe(true);
    await core.deleteNamespacedPod({ name: 'deleted', namespace: ns.name });
    await eventually('the pod object to be gone', async () =>
      (await core.listNamespacedPod({ namespace: ns.name, fieldSelector: 'metadata.name=deleted' })).items
        .length === 0
        ? true
        : undefined,
    );
    expect(isAlive(pid)).toBe(false);
    await eventually('the pod directory to be removed', async () =>
      podDirs().some((d) => d.includes(created.metadata?.uid ?? '?')) ? undefined : true,
    );
  });

  it('falls back to the log tail for FallbackToLogsOnError', async () => {
    await create(
      pod('fallback', {
        containers: [container({ MODE: 'fallback' }, { terminationMessagePolicy: 'FallbackToLogsOnError' })],
      }),
    );
    const t = (await terminal('fallback')).status?.containerStatuses?.[0]?.state?.terminated;
    expect(t?.exitCode).toBe(4);
    const lines = t?.message?.split('\n') ?? [];
    expect(lines).toHaveLength(80);
    expect(lines.at(-1)).toBe('log line 100');
    expect(lines[0]).toBe('log line 21');
  });

  it('serves container logs to kubectl logs through the API server', async () => {
    await create(pod('ticker', { containers: [container({ MODE: 'ticker' })] }));
    await eventually('the ticker to start', async () =>
      (await read('ticker')).status?.phase === 'Running' ? true : undefined,
    );
    // follow streams until the container exits
    const followed = await kubectl(['logs', '-f', 'ticker', '-n', ns.name]);
    expect(followed.stdout).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
    const tail = await kubectl(['logs', 'ticker', '-n', ns.name, '--tail=2']);
    expect(tail.stdout).toBe('tick 4\ntick 5\n');
    const limited = await kubectl(['logs', 'ticker', '-n', ns.name, '--limit-bytes=6']);
    expect(limited.stdout).toBe('tick 1');
    const missing = await kubectl(['logs', 'ticker', '-n', ns.name, '-c', 'nope']);
    expect(missing.code).not.toBe(0);
  });

  it('truncates the termination message to 4096 bytes', async () => {
    await create(pod('big', { containers: [container({ MODE: 'big' })] }));
    const t = (await terminal('big')).status?.containerStatuses?.[0]?.state?.terminated;
    expect(t?.exitCode).toBe(0);
    expect(t?.message).toBe('x'.repeat(4096));
  });

  it('does not follow a termination message symlink to a node file', async () => {
    await create(
      pod('symlink', {
        containers: [container({ MODE: 'symlink' }, { terminationMessagePath: '/tmp/message' })],
      }),
    );
    const t = (await terminal('symlink')).status?.containerStatuses?.[0]?.state?.terminated;
    expect(t?.exitCode).toBe(1);
    expect(t?.message ?? '').not.toContain('root:');
  });

  it('waits with CreateContainerConfigError for a missing Secret, then runs once it exists', async () => {
    await create(
      pod('needs-secret', {
        containers: [
          container(
            { MODE: 'report' },
            {
              env: [
                { name: 'MODE', value: 'report' },
                { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'late', key: 'value' } } },
              ],
            },
          ),
        ],
      }),
    );
    const waiting = await eventually('the config error', async () => {
      const w = (await read('needs-secret')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    expect(waiting.message).toContain('secret "late" not found');
    expect((await read('needs-secret')).status?.phase).toBe('Pending');
    await core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: 'late' }, stringData: { value: 'arrived' } },
    });
    const t = (await terminal('needs-secret')).status?.containerStatuses?.[0]?.state?.terminated;
    expect(JSON.parse(t?.message ?? '{}').env.FROM_SECRET).toBe('arrived');
  });

  it('leaves a pod with an unmapped image Pending with a message that names the image map', async () => {
    await create(
      pod('unmapped', { containers: [{ name: 'main', image: 'docker.io/library/busybox:1.36' }] }),
    );
    const waiting = await eventually('the waiting reason', async () => {
      const w = (await read('unmapped')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.message ? w : undefined;
    });
    expect(waiting.message).toContain(
      '"docker.io/library/busybox:1.36" is not in the local pod runner\'s image map',
    );
    expect((await read('unmapped')).status?.phase).toBe('Pending');
  });

  it('fails a pod when one of its containers fails', async () => {
    await create(
      pod('two', {
        containers: [
          { ...container({ MODE: 'big' }), name: 'ok' },
          { ...container({ MODE: 'fail', EXIT_CODE: '7' }), name: 'bad' },
        ],
      }),
    );
    const p = await terminal('two');
    expect(p.status?.phase).toBe('Failed');
    const byName = Object.fromEntries(
      (p.status?.containerStatuses ?? []).map((c) => [c.name, c.state?.terminated]),
    );
    expect(byName.ok?.exitCode).toBe(0);
    expect(byName.bad?.exitCode).toBe(7);
  });

  it('leaves pods of other schedulers alone', async () => {
    await create(
      pod('other-scheduler', { schedulerName: 'someone-else', containers: [container({ MODE: 'report' })] }),
    );
    // bind a pod after it so the runner has certainly seen the first one
    await create(pod('after', { containers: [container({ MODE: 'big' })] }));
    await terminal('after');
    expect((await read('other-scheduler')).spec?.nodeName).toBeUndefined();
  });
});

describe('image map', () => {
  it('matches exact names, tags, digests and prefixes', () => {
    expect(matchesImage('tessera/compiler', 'tessera/compiler')).toBe(true);
    expect(matchesImage('tessera/compiler', 'tessera/compiler:0.1.0')).toBe(true);
    expect(matchesImage('tessera/compiler', 'tessera/compiler@sha256:abc')).toBe(true);
    expect(matchesImage('tessera/compiler', 'tessera/compiler-evil')).toBe(false);
    expect(matchesImage('tessera/compiler*', 'tessera/compiler-next:1')).toBe(true);
    expect(matchesImage('tessera/compiler', 'evil.io/tessera/compiler')).toBe(false);
  });

  it('appends container args unless passArgs is false', () => {
    const map = [
      { image: 'a', command: ['node', 'a.ts'] },
      { image: 'b', command: ['node', 'b.ts'], passArgs: false },
    ];
    expect(resolveCommand(map, 'a:1', ['--x'])).toEqual({
      file: 'node',
      args: ['a.ts'],
      containerArgs: ['--x'],
    });
    expect(resolveCommand(map, 'b', ['--x'])).toEqual({ file: 'node', args: ['b.ts'], containerArgs: [] });
    expect(resolveCommand(map, 'c', [])).toBeUndefined();
  });

  it('rejects malformed image map files with the path of the problem', async () => {
    const file = join(scratch, 'map.json');
    await writeFile(file, JSON.stringify([{ image: 'x', command: [] }]));
    await expect(loadImageMap(file)).rejects.toThrow(/invalid image map .* at 0\.command/);
    await writeFile(file, '{not json');
    await expect(loadImageMap(file)).rejects.toThrow(/cannot read the image map/);
    await writeFile(file, JSON.stringify([{ image: 'x', command: ['node', 'x.ts'] }]));
    expect(await loadImageMap(file)).toEqual([{ image: 'x', command: ['node', 'x.ts'], passArgs: true }]);
  });
});
