// A leader that cannot renew its Lease stops leading before the Lease can expire, so a standby
// never reconciles while the old leader still does. Ordering is asserted, not durations.

import { KubeClient, LeaderElector, silentLogger } from '@tessera/controller-runtime';
import { loadKubeConfig } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiProxy } from './api-proxy.ts';
import { client, R, runId, waitFor } from './helpers.ts';

const kube = client();
const ns = runId('lease');
const proxy = new ApiProxy(loadKubeConfig());
const timings = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };

beforeAll(async () => {
  await proxy.start();
  await kube.create(R.Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
});
afterAll(async () => {
  await proxy.stop();
  await kube.delete(R.Namespaces, undefined, ns);
});

describe('lease loss', () => {
  it('the cut-off leader stops before the standby starts', async () => {
    const log: string[] = [];
    const stop = new AbortController();
    const a = new LeaderElector(new KubeClient(proxy.kubeConfig()), silentLogger, {
      namespace: ns,
      name: 'l',
      identity: 'a',
      ...timings,
    });
    const b = new LeaderElector(kube, silentLogger, { namespace: ns, name: 'l', identity: 'b', ...timings });
    const runA = a.run(
      stop.signal,
      () => log.push('a started'),
      () => log.push('a stopped'),
    );
    await waitFor('a leads', () => a.leading);
    const runB = b.run(
      stop.signal,
      () => log.push('b started'),
      () => log.push('b stopped'),
    );
    expect(b.leading).toBe(false);
    proxy.unavailable = true; // a can no longer reach the API server
    await waitFor('b leads', () => b.leading, 30_000);
    expect(log).toEqual(['a started', 'a stopped', 'b started']);
    expect(a.leading).toBe(false);
    stop.abort();
    await Promise.all([runA, runB]);
  });
});
