// Runs INSIDE the restricted vm context of the Node logic realm (bundled by esbuild and
// evaluated there). Only strings and numbers cross the boundary: the host functions it is
// given stay in this closure, where mini-program code cannot reach them.
import type { HostMessage, LogicBoot } from '../core/bridge.ts';
import { LogicRuntime } from '../logic/runtime.ts';

export interface HostFunctions {
  /** JSON of a LogicMessage → the host. */
  post(json: string): void;
  /** Evaluates the module at `path` in this context; false when there is none. */
  load(path: string): boolean;
  /** Asks the host to call fire(id) after `ms`. */
  schedule(id: number, ms: number): void;
  log(level: string, text: string): void;
}

export interface RealmHandle {
  receive(json: string): void;
  fire(id: number): void;
  /** A rejection or exception the thread caught that came from mini-program code. */
  unhandled(kind: 'rejection' | 'exception', reason: unknown, promise?: unknown): void;
}

export function init(host: HostFunctions, bootJson: string): RealmHandle {
  const g = globalThis as unknown as Record<string, unknown>;
  const post = host.post;
  const load = host.load;
  const schedule = host.schedule;
  const log = host.log;
  g.queueMicrotask = (fn: () => void) => {
    Promise.resolve().then(fn);
  };
  const timers = new Map<number, { fn: () => void; every: number }>();
  let nextTimer = 1;
  const setTimer = (fn: unknown, ms: unknown, every: boolean) => {
    if (typeof fn !== 'function') return 0;
    const id = nextTimer++;
    const delay = Math.max(0, Math.min(Number(ms) || 0, 2_147_483_647));
    timers.set(id, { fn: fn as () => void, every: every ? Math.max(delay, 1) : -1 });
    schedule(id, delay);
    return id;
  };
  g.setTimeout = (fn: unknown, ms?: unknown) => setTimer(fn, ms, false);
  g.setInterval = (fn: unknown, ms?: unknown) => setTimer(fn, ms, true);
  g.clearTimeout = g.clearInterval = (id: unknown) => {
    timers.delete(Number(id));
  };
  const fmt = (args: unknown[]) =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        try {
          return JSON.stringify(a);
        } catch {
          return String(a);
        }
      })
      .join(' ')
      .slice(0, 4096);
  g.console = Object.freeze({
    log: (...a: unknown[]) => log('info', fmt(a)),
    info: (...a: unknown[]) => log('info', fmt(a)),
    warn: (...a: unknown[]) => log('warn', fmt(a)),
    error: (...a: unknown[]) => log('error', fmt(a)),
    debug: (...a: unknown[]) => log('debug', fmt(a)),
  });
  const boot = JSON.parse(bootJson) as LogicBoot;
  const runtime = new LogicRuntime({
    boot,
    post: (m) => post(JSON.stringify(m)),
    load: (path) => load(String(path)) === true,
  });
  for (const [k, v] of Object.entries(runtime.globals)) {
    Object.defineProperty(g, k, { value: v, writable: false, configurable: false, enumerable: false });
  }
  return {
    receive(json: string) {
      runtime.receive(JSON.parse(json) as HostMessage);
    },
    fire(id: number) {
      const t = timers.get(id);
      if (!t) return;
      if (t.every < 0) timers.delete(id);
      else schedule(id, t.every);
      try {
        t.fn();
      } catch (err) {
        runtime.reportError(err, 'timer');
      }
      runtime.flush();
    },
    unhandled(kind, reason, promise) {
      if (kind === 'rejection') runtime.reportUnhandledRejection(reason, promise);
      else runtime.reportError(reason, 'uncaught');
      runtime.flush();
    },
  };
}
