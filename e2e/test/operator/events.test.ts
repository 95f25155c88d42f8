// Events are counted the way client-go's recorder counts them: a transition that happens again
// (promote, rollback, promote) is visible again in `kubectl describe`, as a higher count and a
// newer last timestamp on the Event already posted, not dropped as a duplicate.

import { EventRecorder, type KubeObject, resources, silentLogger } from '@tessera/controller-runtime';
import { createTestNamespace, kubectl } from '@tessera/e2e/harness/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client } from './helpers.ts';

const kube = client();
let ns: { name: string; remove: () => Promise<void> };
let target: KubeObject;

beforeAll(async () => {
  ns = await createTestNamespace('events');
  target = await kube.create(resources.ConfigMaps, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'transfer', namespace: ns.name },
  } as KubeObject);
  target = { ...target, apiVersion: 'v1', kind: 'ConfigMap' };
});
afterAll(async () => ns?.remove());

interface CoreEvent extends KubeObject {
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
}

it('counts repeated transitions on one Event and keeps distinct ones apart', async () => {
  const recorder = new EventRecorder(kube, 'tessera-operator', silentLogger);
  const sequence = ['version 1.1.0 is released', 'version 1.0.0 is released', 'version 1.1.0 is released'];
  for (const message of sequence) {
    recorder.record(target, 'Normal', 'Released', message);
    await recorder.flush();
    // lastTimestamp has one-second resolution: keep the transitions in distinct seconds
    await new Promise((r) => setTimeout(r, 1100));
  }
  recorder.record(target, 'Normal', 'Unreleased', 'MiniProgram transfer is suspended');
  await recorder.flush();

  const { items } = await kube.list<CoreEvent>(resources.CoreEvents, { namespace: ns.name });
  const byMessage = new Map(items.map((e) => [e.message, e]));
  expect(items).toHaveLength(3);
  const promoted = byMessage.get('version 1.1.0 is released');
  const rolledBack = byMessage.get('version 1.0.0 is released');
  expect(promoted?.count).toBe(2);
  expect(rolledBack?.count).toBe(1);
  expect(Date.parse(promoted?.lastTimestamp ?? '')).toBeGreaterThan(
    Date.parse(rolledBack?.lastTimestamp ?? ''),
  );
  expect(Date.parse(promoted?.lastTimestamp ?? '')).toBeGreaterThan(
    Date.parse(promoted?.firstTimestamp ?? ''),
  );

  const described = await kubectl(['describe', 'configmap', 'transfer', '-n', ns.name]);
  expect(described.code).toBe(0);
  expect(described.stdout).toMatch(
    /Released\s+.*\(x2 over \d+s\)\s+tessera-operator\s+version 1\.1\.0 is released/,
  );
  expect(described.stdout).toMatch(/Released\s+.*tessera-operator\s+version 1\.0\.0 is released/);
});

it('starts a new Event when the counted one has expired', async () => {
  const recorder = new EventRecorder(kube, 'tessera-operator', silentLogger);
  recorder.record(target, 'Warning', 'SourceNotFound', 'ConfigMap src does not exist');
  await recorder.flush();
  const first = (await kube.list<CoreEvent>(resources.CoreEvents, { namespace: ns.name })).items.find(
    (e) => e.reason === 'SourceNotFound',
  );
  expect(first?.metadata?.name).toBeDefined();
  // the API server drops Events after their TTL; deleting it stands in for that
  await kube.delete(resources.CoreEvents, ns.name, first?.metadata?.name ?? '');
  recorder.record(target, 'Warning', 'SourceNotFound', 'ConfigMap src does not exist');
  await recorder.flush();
  const again = (await kube.list<CoreEvent>(resources.CoreEvents, { namespace: ns.name })).items.filter(
    (e) => e.reason === 'SourceNotFound',
  );
  expect(again).toHaveLength(1);
  expect(again[0]?.count).toBe(1);
  expect(again[0]?.metadata?.name).not.toBe(first?.metadata?.name);
});
