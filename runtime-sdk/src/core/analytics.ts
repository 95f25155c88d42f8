// Analytics and performance reporting: launch timings, page views, errors and the
// mini-program's own wx.reportAnalytics events, batched to the store's events ingest.
// Reporting never blocks or breaks a mini-program: failures keep the events for the next
// flush, and the queue is bounded (oldest dropped first).
import type { TesseraEvent } from '../protocol/events.ts';
import type { LaunchTimings } from './launcher.ts';

export interface EventSink {
  postEvents(batch: { events: TesseraEvent[] }): Promise<unknown>;
}

export const MAX_QUEUED_EVENTS = 1000;

type Base = { appId: string; version: string; userId?: string | undefined };

function uuid(): string {
  return globalThis.crypto.randomUUID();
}

const clampMs = (n: number | undefined) =>
  n === undefined ? undefined : Math.max(0, Math.min(600_000, Math.round(n)));

export class Analytics {
  readonly #sink: EventSink;
  readonly #base: Base;
  #queue: TesseraEvent[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #delayMs: number;

  constructor(sink: EventSink, base: Base, delayMs = 2000) {
    this.#sink = sink;
    this.#base = base;
    this.#delayMs = delayMs;
  }

  get queued(): number {
    return this.#queue.length;
  }

  #common() {
    const c: { id: string; appId: string; version: string; at: string; userId?: string } = {
      id: uuid(),
      appId: this.#base.appId,
      version: this.#base.version,
      at: new Date().toISOString(),
    };
    if (this.#base.userId !== undefined) c.userId = this.#base.userId;
    return c;
  }

  #push(e: TesseraEvent): void {
    this.#queue.push(e);
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.splice(0, this.#queue.length - MAX_QUEUED_EVENTS);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#delayMs);
  }

  launch(t: LaunchTimings, cold: boolean): void {
    // Phases not measured stay undefined and are left out of the JSON.
    const timings = {
      total: clampMs(t.total) ?? 0,
      resolve: clampMs(t.resolve),
      download: clampMs(t.download),
      decrypt: clampMs(t.verify),
      firstRender: clampMs(t.firstRender),
    };
    this.#push({ ...this.#common(), type: 'launch', timings, cold });
  }

  pageView(page: string): void {
    this.#push({ ...this.#common(), type: 'page-view', page: page.slice(0, 256) });
  }

  error(message: string, page?: string): void {
    const e: TesseraEvent = { ...this.#common(), type: 'error', message: message.slice(0, 2048) };
    if (page) e.page = page.slice(0, 256);
    this.#push(e);
  }

  custom(name: unknown, props: unknown): void {
    if (typeof name !== 'string' || !/^[\w.:-]{1,128}$/.test(name)) return;
    const clean: Record<string, string | number | boolean> = {};
    if (props && typeof props === 'object') {
      for (const [k, v] of Object.entries(props).slice(0, 64)) {
        if (k.length > 64) continue;
        if (typeof v === 'string') clean[k] = v.slice(0, 1024);
        else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') clean[k] = v;
      }
    }
    this.#push({ ...this.#common(), type: 'custom', name, props: clean });
  }

  /** Sends everything queued; on failure the events stay queued. */
  async flush(): Promise<boolean> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length === 0) return true;
    const batch = this.#queue.slice(0, 1000);
    try {
      await this.#sink.postEvents({ events: batch });
      this.#queue = this.#queue.slice(batch.length);
      return true;
    } catch {
      return false;
    }
  }
}
