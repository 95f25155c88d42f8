import { describe, expect, it } from 'vitest';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import { StatusWriter } from './status.ts';

type Obj = KubeObject & { status?: { phase?: string } };
const R = { group: 'tessera.dev', version: 'v1alpha1', kind: 'X', plural: 'xs', namespaced: true };

// Records the PUTs a StatusWriter sends and answers like the API server (a new resourceVersion).
function recordingClient() {
  const puts: Obj[] = [];
  let rv = 100;
  const client = {
    async update(_r: unknown, obj: Obj) {
      puts.push(obj);
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
    },
  } as unknown as KubeClient;
  return { client, puts };
}

const obj = (rv: string, phase?: string): Obj => ({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'X',
  metadata: { name: 'a', namespace: 'n', uid: 'u1', resourceVersion: rv },
  ...(phase ? { status: { phase } } : {}),
});

describe('StatusWriter', () => {
  it('writes only a changed status', async () => {
    const { client, puts } = recordingClient();
    const w = new StatusWriter(client);
    expect(await w.update(R, obj('1', 'A'), { phase: 'A' })).toBeUndefined();
    expect(await w.update(R, obj('1', 'A'), { phase: 'B' })).toBeDefined();
    expect(puts).toHaveLength(1);
  });

  it('does not write again from a resourceVersion it already replaced (stale cache), then writes from the fresh one', async () => {
    const { client, puts } = recordingClient();
    const w = new StatusWriter(client);
    await w.update(R, obj('1'), { phase: 'Compiling' });
    // The cache still shows rv 1: a PUT from it could only conflict.
    expect(await w.update(R, obj('1'), { phase: 'Compiled' })).toBeUndefined();
    expect(puts).toHaveLength(1);
    // The watch delivered our write (rv 101): a real change is written, an unchanged one is not.
    expect(await w.update(R, obj('101', 'Compiling'), { phase: 'Compiling' })).toBeUndefined();
    expect(await w.update(R, obj('101', 'Compiling'), { phase: 'Compiled' })).toBeDefined();
    expect(puts.map((p) => [p.metadata?.resourceVersion, p.status?.phase])).toEqual([
      ['1', 'Compiling'],
      ['101', 'Compiled'],
    ]);
  });
});
