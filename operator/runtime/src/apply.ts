// Children are written with server-side apply under one field manager, and only when applying
// would change something: the desired object is compared with the cached live object first, so
// a settled reconcile sends no request at all.
import { createHash } from 'node:crypto';
import { isSubset } from './equality.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';
import { WriteMemo } from './write-memo.ts';

export const FIELD_MANAGER = 'tessera-operator';

export class Applier {
  readonly #client: KubeClient;
  readonly fieldManager: string;
  // digest of what we applied, by the live resourceVersion it was based on (no repeated applies)
  readonly #recent = new WriteMemo<string>();
  constructor(client: KubeClient, fieldManager = FIELD_MANAGER) {
    this.#client = client;
    this.fieldManager = fieldManager;
  }

  /**
   * Applies `desired` unless `live` already contains it. Returns the live object afterwards and
   * whether a request was sent.
   */
  async apply<T extends KubeObject>(
    resource: ResourceType,
    desired: KubeObject,
    live: T | undefined,
  ): Promise<{ object: T; changed: boolean }> {
    const key = `${resource.group}/${resource.plural}/${desired.metadata?.namespace ?? ''}/${desired.metadata?.name ?? ''}`;
    const liveRv = live?.metadata?.resourceVersion ?? '';
    const recent = this.#recent.get(key, liveRv);
    const want = stripStatus(desired);
    if (recent) {
      if (recent.value === hashOf(want)) return { object: (live ?? want) as T, changed: false };
    } else if (live && isSubset(want, live)) {
      return { object: live, changed: false };
    }
    const object = await this.#client.apply<T>(resource, desired, this.fieldManager);
    this.#recent.set(key, liveRv, hashOf(want));
    return { object, changed: true };
  }
}

function stripStatus(obj: KubeObject): KubeObject {
  const { status: _s, ...rest } = obj as KubeObject & { status?: unknown };
  return rest;
}

function hashOf(value: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(value) ?? '')
    .digest('base64');
}
