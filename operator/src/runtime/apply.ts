// Children are written with server-side apply under one field manager, and only when applying
// would change something: the desired object is compared with the cached live object first, so
// a settled reconcile sends no request at all.
import { createHash } from 'node:crypto';
import { isSubset } from './equality.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';

export const FIELD_MANAGER = 'tessera-operator';

export class Applier {
  readonly #client: KubeClient;
  readonly fieldManager: string;
  // What we applied and the live resourceVersion it was based on: until the informer cache shows
  // a newer object, compare against this instead of the stale cache (no repeated applies).
  readonly #recent = new Map<string, { baseRv: string; hash: string }>();
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
    const recent = this.#recent.get(key);
    const want = stripStatus(desired);
    if (recent && recent.baseRv === liveRv) {
      if (recent.hash === hashOf(want)) return { object: (live ?? want) as T, changed: false };
    } else {
      this.#recent.delete(key);
      if (live && isSubset(want, live)) return { object: live, changed: false };
    }
    const object = await this.#client.apply<T>(resource, desired, this.fieldManager);
    if (this.#recent.size > 50_000) this.#recent.clear();
    this.#recent.set(key, { baseRv: liveRv, hash: hashOf(want) });
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
