// Kubernetes Events (core/v1) on the user's object, for `kubectl describe`, recorded the way
// client-go's EventRecorder and EventCorrelator do:
//  - an event identical to one already posted (same object, type, reason, message) is not posted
//    again: the existing Event's count goes up and its lastTimestamp moves, so `kubectl describe`
//    shows "x3 over 5m" and a transition that happens again is visible again;
//  - more than 10 events with the same object, type and reason but different messages within
//    10 minutes are combined into one "(combined from similar events)" Event;
//  - a token bucket per object (burst 25, one token per 5 minutes) drops the rest of a storm.
import { randomBytes } from 'node:crypto';
import { rfc3339 } from './conditions.ts';
import { isNotFound, type KubeClient } from './kube-client.ts';
import type { Logger } from './logger.ts';
import type { KubeObject } from './object.ts';
import { CoreEvents } from './resources.ts';

export type EventType = 'Normal' | 'Warning';

/** client-go's defaults (tools/record/events_cache.go). */
export const CORRELATION = {
  maxEntries: 4096,
  similarThreshold: 10,
  similarWindowMs: 10 * 60_000,
  spamBurst: 25,
  spamRefillMs: 5 * 60_000,
} as const;

const COMBINED_PREFIX = '(combined from similar events): ';

export interface EventRecord {
  /** name of the Event object this record was posted as */
  name: string;
  count: number;
  firstTimestamp: string;
}

export type Decision =
  | { action: 'drop' }
  | { action: 'create'; message: string; key: string }
  | { action: 'increment'; key: string; record: EventRecord };

/** Sets `k` as the newest entry of a bounded map (insertion order: the first key is the oldest). */
function setNewest<V>(map: Map<string, V>, k: string, v: V): void {
  map.delete(k);
  map.set(k, v);
  if (map.size > CORRELATION.maxEntries) map.delete(map.keys().next().value as string);
}

/** Decides, as client-go's EventCorrelator does, whether an event is new, a repeat or spam. */
export class EventCorrelator {
  readonly #records = new Map<string, EventRecord>();
  readonly #similar = new Map<string, { messages: Set<string>; since: number }>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  decide(uid: string, type: EventType, reason: string, message: string, now: number): Decision {
    if (!this.#takeToken(uid, now)) return { action: 'drop' };
    const group = `${uid}\u0000${type}\u0000${reason}`;
    let similar = this.#similar.get(group);
    if (!similar || now - similar.since > CORRELATION.similarWindowMs) {
      similar = { messages: new Set(), since: now };
    }
    similar.messages.add(message);
    setNewest(this.#similar, group, similar);
    const combined = similar.messages.size > CORRELATION.similarThreshold;
    const effective = combined ? `${COMBINED_PREFIX}${message}` : message;
    const key = combined ? `${group}\u0000combined` : `${group}\u0000${message}`;
    const record = this.#records.get(key);
    return record ? { action: 'increment', key, record } : { action: 'create', message: effective, key };
  }

  remember(key: string, record: EventRecord): void {
    setNewest(this.#records, key, record);
  }

  forget(key: string): void {
    this.#records.delete(key);
  }

  #takeToken(uid: string, now: number): boolean {
    const b = this.#buckets.get(uid) ?? { tokens: CORRELATION.spamBurst, at: now };
    const refill = Math.floor((now - b.at) / CORRELATION.spamRefillMs);
    if (refill > 0) {
      b.tokens = Math.min(CORRELATION.spamBurst, b.tokens + refill);
      b.at += refill * CORRELATION.spamRefillMs;
    }
    setNewest(this.#buckets, uid, b);
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }
}

export class EventRecorder {
  readonly #client: KubeClient;
  readonly #component: string;
  readonly #log: Logger;
  readonly #correlator = new EventCorrelator();
  /** Posts for one object run one after another, so counts never go backwards. */
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(client: KubeClient, component: string, log: Logger) {
    this.#client = client;
    this.#component = component;
    this.#log = log;
  }

  /** Fire and forget: an event that fails to post is logged, never fails the reconcile. */
  record(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata;
    if (!m?.name || !m.uid) return;
    const text = message.slice(0, 1024);
    const group = m.uid;
    const previous = this.#inFlight.get(group) ?? Promise.resolve();
    const next = previous
      .then(() => this.#post(obj, type, reason, text))
      .catch((e: unknown) => this.#log.warn('could not record event', { reason, error: e }))
      .finally(() => {
        if (this.#inFlight.get(group) === next) this.#inFlight.delete(group);
      });
    this.#inFlight.set(group, next);
  }

  /** Resolves when every event recorded so far has been posted (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all(this.#inFlight.values());
  }

  async #post(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata ?? {};
    const now = Date.now();
    const time = rfc3339(new Date(now));
    const namespace = m.namespace ?? 'default';
    const decision = this.#correlator.decide(m.uid ?? '', type, reason, message, now);
    if (decision.action === 'drop') return;
    if (decision.action === 'increment') {
      const { key, record } = decision;
      const count = record.count + 1;
      try {
        await this.#client.patch(CoreEvents, namespace, record.name, { count, lastTimestamp: time });
        this.#correlator.remember(key, { ...record, count });
        return;
      } catch (e) {
        // the Event expired (the API server keeps them for an hour): start a new one
        if (!isNotFound(e)) throw e;
        this.#correlator.forget(key);
      }
    }
    const created = decision.action === 'create' ? decision.message : message;
    const name = `${m.name}.${randomBytes(8).toString('hex')}`;
    await this.#client.create(CoreEvents, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
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
      message: created,
      source: { component: this.#component },
      reportingComponent: this.#component,
      reportingInstance: this.#component,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
    this.#correlator.remember(decision.key, { name, count: 1, firstTimestamp: time });
  }
}
