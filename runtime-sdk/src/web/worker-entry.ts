// Entry of the logic realm (a Web Worker started inside a sandboxed, opaque-origin frame with
// connect-src 'none'). Receives its MessagePort, the boot data and the decrypted logic
// modules, then runs the mini-program with everything else locked away.
import type { HostMessage, LogicBoot } from '../core/bridge.ts';
import { LogicRuntime } from '../logic/runtime.ts';
import { lockdown } from './lockdown.ts';

interface WorkerScope {
  importScripts(...urls: string[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', fn: (e: ErrorEvent) => void): void;
  addEventListener(type: 'unhandledrejection', fn: (e: PromiseRejectionEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const loadScript = scope.importScripts.bind(scope);
const createUrl = URL.createObjectURL.bind(URL);
const revokeUrl = URL.revokeObjectURL.bind(URL);
const BlobCtor = Blob;

/** Runs `text` as a classic script (a blob URL: the frame's CSP allows no eval). */
const run = (text: string) => {
  const url = createUrl(new BlobCtor([text], { type: 'text/javascript' }));
  try {
    loadScript(url);
  } finally {
    revokeUrl(url);
  }
};
// The first script load of a worker sets up its loader (~15 ms): done while the realm is warm.
run('');

scope.addEventListener('message', (e: MessageEvent) => {
  const port = e.ports[0];
  if (!port || (e.data as { type?: string })?.type !== 'port') return;
  port.onmessage = (m: MessageEvent) => {
    const data = m.data as { type: string; boot?: LogicBoot; sources?: Record<string, string> };
    if (data.type !== 'boot' || !data.boot || !data.sources) return;
    const sources = data.sources;
    const runtime = new LogicRuntime({
      boot: data.boot,
      post: (msg) => port.postMessage(msg),
      load(path) {
        const text = Object.hasOwn(sources, path) ? sources[path] : undefined;
        if (text === undefined) return false;
        run(text);
        return true;
      },
    });
    for (const [k, v] of Object.entries(runtime.globals)) {
      Object.defineProperty(globalThis, k, { value: v, writable: false, configurable: false });
    }
    // Exceptions thrown outside the runtime's own calls (timers, microtasks) and promises
    // rejected with no handler go to App.onError / onUnhandledRejection and the host; handled
    // here, they never reach the frame as a worker error. Registered before mini-program code
    // runs, so its own listeners come later and cannot stop these.
    scope.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      runtime.reportError(e.error ?? e.message, 'uncaught');
      runtime.flush();
    });
    scope.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
      e.preventDefault();
      runtime.reportUnhandledRejection(e.reason, e.promise);
      runtime.flush();
    });
    lockdown(globalThis);
    // Every module defined by one script (a blob load costs a synchronous IPC each); a file that
    // does not parse fails the whole script, and then require() loads files one by one again.
    try {
      run(Object.values(sources).join('\n;'));
    } catch {}
    port.onmessage = (msg: MessageEvent) => {
      const m = msg.data as HostMessage;
      // A subpackage's modules join the module table before navigation into it continues.
      if (m.type === 'subpackage:ready') Object.assign(sources, m.sources);
      runtime.receive(m);
    };
    port.postMessage({ type: 'ready' });
  };
});
