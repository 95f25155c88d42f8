// Status is written only through the /status subresource and only when it differs from what the
// cache holds. PUT with the cached resourceVersion gives optimistic concurrency: a 409 means the
// cache was stale and the key is simply reconciled again.
import { createHash } from 'node:crypto';
import { jsonEqual } from './equality.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';

export class StatusWriter {
  readonly #client: KubeClient;
  // uid -> the status we wrote and the resourceVersion it replaced, so a reconcile that still sees
  // the pre-write object in the cache does not write the same status again.
  readonly #recent = new Map<string, { baseRv: string; hash: string }>();
  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** Returns the updated object, or undefined when nothing changed (no request sent). */
  async update<T extends KubeObject & { status?: unknown }>(
    resource: ResourceType,
    current: T,
    status: T['status'],
  ): Promise<T | undefined> {
    const uid = current.metadata?.uid ?? '';
    const rv = current.metadata?.resourceVersion ?? '';
    const recent = this.#recent.get(uid);
    if (recent && recent.baseRv === rv) {
      if (recent.hash === hashOf(status)) return undefined;
    } else {
      this.#recent.delete(uid);
      if (jsonEqual(current.status, status)) return undefined;
    }
    const updated = await this.#client.update<T>(resource, { ...current, status }, 'status');
    this.#recent.set(uid, { baseRv: rv, hash: hashOf(status) });
    if (this.#recent.size > 50_000) this.#recent.clear();
    return updated;
  }
}

// A digest, not a copy: the memo must not double the memory of every status written.
function hashOf(value: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(value) ?? '')
    .digest('base64');
}
