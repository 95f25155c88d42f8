// Kubernetes Events (core/v1) on the user's object, for `kubectl describe`. Identical events for
// the same object within the dedupe window are dropped, so a controller that re-derives the same
// situation on every resync does not write anything.
import { randomBytes } from 'node:crypto';
import { rfc3339 } from './conditions.ts';
import type { KubeClient } from './kube-client.ts';
import type { Logger } from './logger.ts';
import type { KubeObject } from './object.ts';
import { CoreEvents } from './resources.ts';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #log: Logger;
  readonly #recent = new Map<string, number>();
  readonly #windowMs: number;

  constructor(client: KubeClient, component: string, log: Logger, windowMs = 10 * 60_000) {
    this.#client = client;
    this.#component = component;
    this.#log = log;
    this.#windowMs = windowMs;
  }

  /** Fire and forget: an event that fails to post is logged, never fails the reconcile. */
  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata;
    if (!m?.name || !m.uid) return;
    const dedupe = `${m.uid}\u0000${reason}\u0000${message}`;
    const now = Date.now();
    const last = this.#recent.get(dedupe);
    if (last !== undefined && now - last < this.#windowMs) return;
    this.#recent.set(dedupe, now);
    if (this.#recent.size > 10_000) {
      for (const [k, t] of this.#recent) if (now - t >= this.#windowMs) this.#recent.delete(k);
      if (this.#recent.size > 10_000) this.#recent.clear();
    }
    const namespace = m.namespace ?? 'default';
    const time = rfc3339(new Date(now));
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#component,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
    this.#client.create(CoreEvents, event).catch((e: unknown) => {
      this.#log.warn('could not record event', { reason, error: e });
    });
  }
}
