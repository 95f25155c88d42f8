// The default image map runs the real compile-job entrypoint for the operator's compiler image,
// and the entrypoint's termination message reaches the pod status where the operator parses it.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { COMPILE_ENV, COMPILER_COMMAND, COMPILER_IMAGE, parseCompileResult } from '@tessera/operator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubeconfigPath, loadKubeConfig } from '../../src/harness/testing.ts';
import { type PodRunner, startPodRunner } from '../../src/podrunner/index.ts';
import { eventually, pod } from './helpers.ts';

const core = loadKubeConfig().makeApiClient(CoreV1Api);
let ns: Awaited<ReturnType<typeof createTestNamespace>>;
let runner: PodRunner;

beforeAll(async () => {
  ns = await createTestNamespace('podrunner-compiler');
  runner = await startPodRunner({
    kubeconfig: kubeconfigPath(),
    nodeName: `podrunner-${randomBytes(3).toString('hex')}`,
    workDir: join(tmpdir(), 'tessera-podrunner-tests'),
    bind: { namespaces: [ns.name] },
  });
});

afterAll(async () => {
  await runner?.stop();
  await ns?.remove();
});

describe('compiler image on the pod runner', () => {
  it('runs the compile-job entrypoint and reports its result through the termination message', async () => {
    // a misconfigured job (no source): the entrypoint must still write a parseable failure
    await core.createNamespacedPod({
      namespace: ns.name,
      body: pod('compile', {
        containers: [
          {
            name: 'compile',
            image: `${COMPILER_IMAGE}:0.1.0`,
            command: COMPILER_COMMAND,
            env: [{ name: COMPILE_ENV.tenant, value: 'acme' }],
          },
        ],
      }),
    });
    const p = await eventually('the compile pod to finish', async () => {
      const current = await core.readNamespacedPod({ name: 'compile', namespace: ns.name });
      return current.status?.phase === 'Failed' || current.status?.phase === 'Succeeded'
        ? current
        : undefined;
    });
    const terminated = p.status?.containerStatuses?.[0]?.state?.terminated;
    expect(p.status?.phase).toBe('Failed');
    expect(terminated?.exitCode).not.toBe(0);
    const result = parseCompileResult(terminated?.message);
    expect(result.ok).toBe(false);
    expect('invalid' in result).toBe(false);
    expect(result.ok ? '' : result.message).toContain('compile job misconfigured');
    expect(result.ok ? '' : result.message).toContain('TESSERA_SOURCE');
  });
});
