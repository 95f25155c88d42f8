// Children are written with server-side apply under one field manager, and only when applying
// would change something: the desired object is compared with the cached live object first, so
// a settled reconcile sends no request at all.
import { createHash } from 'node:crypto';
import { isSubset } from './equality.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';

export const FIELD_MANAGER = 'tessera-operator';
/** Longer than a watch normally lags behind a write; a later repeat apply is harmless. */
const MEMO_TTL_MS = 30_000;

export class Applier {
  readonly #client: KubeClient;
  readonly fieldManager: string;
  // What we applied and the live resourceVersion it was based on: until the informer cache shows
  // a newer object, compare against this instead of the stale cache (no repeated applies). Only
  // for MEMO_TTL_MS: a memo of a create ('' base) cannot tell "not in the cache yet" from
  // "created, then deleted", and a deleted child must be applied again.
  readonly #recent = new Map<string, { baseRv: string; hash: string; at: number }>();
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
    if (recent && recent.baseRv === liveRv && Date.now() - recent.at < MEMO_TTL_MS) {
      if (recent.hash === hashOf(want)) return { object: (live ?? want) as T, changed: false };
    } else {
      this.#recent.delete(key);
      if (live && isSubset(want, live)) return { object: live, changed: false };
    }
    const object = await this.#client.apply<T>(resource, desired, this.fieldManager);
    if (this.#recent.size > 50_000) this.#recent.clear();
    this.#recent.set(key, { baseRv: liveRv, hash: hashOf(want), at: Date.now() });
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
