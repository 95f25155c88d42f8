// The pod runner command: starts, registers its node, runs a pod, and on SIGTERM stops its
// processes and deletes its node.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubeconfigPath, loadKubeConfig } from '../../src/harness/testing.ts';
import { container, eventually, pod, SCRIPT } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../src/podrunner/cli.ts', import.meta.url));
const core = loadKubeConfig().makeApiClient(CoreV1Api);

let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let scratch: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ns = await createTestNamespace('podrunner-cli');
  scratch = await mkdtemp(join(tmpdir(), 'podrunner-cli-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await ns?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function run(args: string[]): {
  child: ChildProcess;
  exit: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, exit };
}

describe('pod runner CLI', () => {
  it('runs pods until SIGTERM, then deletes its node', async () => {
    const imageMap = join(scratch, 'images.json');
    await writeFile(
      imageMap,
      JSON.stringify([{ image: 'tessera-test/script*', command: [process.execPath, SCRIPT] }]),
    );
    const nodeName = `podrunner-cli-${randomBytes(3).toString('hex')}`;
    const { child, exit } = run([
      '--kubeconfig',
      kubeconfigPath(),
      '--node-name',
      nodeName,
      '--work-dir',
      join(scratch, 'work'),
      '--image-map',
      imageMap,
      '--namespace',
      ns.name,
    ]);
    await core.createNamespacedPod({
      namespace: ns.name,
      body: pod('via-cli', { containers: [container({ MODE: 'big' })] }),
    });
    const done = await eventually('the pod to succeed', async () => {
      const p = await core.readNamespacedPod({ name: 'via-cli', namespace: ns.name });
      return p.status?.phase === 'Succeeded' ? p : undefined;
    });
    expect(done.spec?.nodeName).toBe(nodeName);
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
    await expect(core.readNode({ name: nodeName })).rejects.toThrow();
  });

  it('exits 2 with usage on bad arguments and 1 on a bad image map', async () => {
    const bad = await run(['--bogus']).exit;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: node e2e/src/podrunner/cli.ts');
    const file = join(scratch, 'bad.json');
    await writeFile(file, '[{"image": 1}]');
    const badMap = await run(['--kubeconfig', kubeconfigPath(), '--image-map', file]).exit;
    expect(badMap.code).toBe(1);
    expect(badMap.stderr).toContain('invalid image map');
  });
});
