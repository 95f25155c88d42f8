// Status is written only through the /status subresource and only when it differs from what the
// cache holds. PUT with the cached resourceVersion gives optimistic concurrency: a 409 means the
// cache was stale and the key is simply reconciled again.
import { jsonEqual } from './equality.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';
import { WriteMemo } from './write-memo.ts';

export class StatusWriter {
  readonly #client: KubeClient;
  // uid -> our last write, by the resourceVersion it replaced
  readonly #replaced = new WriteMemo<undefined>();
  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** Returns the updated object, or undefined when no request was sent. */
  async update<T extends KubeObject & { status?: unknown }>(
    resource: ResourceType,
    current: T,
    status: T['status'],
  ): Promise<T | undefined> {
    const uid = current.metadata?.uid ?? '';
    const rv = current.metadata?.resourceVersion ?? '';
    // The cache has not caught up with our last write yet: a PUT from this resourceVersion could
    // only fail with 409 Conflict (and be retried through the rate limiter). The watch event of
    // that write requeues the key, and that reconcile sees the fresh object.
    if (this.#replaced.get(uid, rv)) return undefined;
    if (jsonEqual(current.status, status)) return undefined;
    const updated = await this.#client.update<T>(resource, { ...current, status }, 'status');
    this.#replaced.set(uid, rv, undefined);
    return updated;
  }
}
