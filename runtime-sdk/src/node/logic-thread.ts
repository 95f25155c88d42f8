// worker_threads entry of the Node logic realm. The mini-program runs in a vm context with no
// Node globals (no process, require, Buffer, fetch), code generation from strings and wasm
// disabled, and talks to this thread only through strings (see realm-entry.ts).
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import type { RealmHandle } from './realm-entry.ts';

interface Init {
  bundle: string;
  boot: string;
  sources: Record<string, string>;
}

const port = parentPort;
if (!port) throw new Error('logic-thread.ts must run in a worker thread');
const init = workerData as Init;
const context = vm.createContext(Object.create(null), {
  name: 'tessera-logic',
  codeGeneration: { strings: false, wasm: false },
});
// The bundle's `var __tesseraRealm` stays local to this function: nothing global to find.
const initFn = vm.runInContext(
  `(function () {\n${init.bundle}\n;return __tesseraRealm.init;\n})()`,
  context,
  {
    filename: 'tessera-realm.js',
  },
) as (host: unknown, boot: string) => RealmHandle;

const timers = new Map<number, NodeJS.Timeout>();
const sources = init.sources;
const realm = initFn(
  {
    post: (json: string) => port.postMessage(JSON.parse(String(json))),
    load: (path: string) => {
      const p = String(path);
      const text = Object.hasOwn(sources, p) ? sources[p] : undefined;
      if (text === undefined) return false;
      vm.runInContext(text, context, { filename: p, timeout: 5000 });
      return true;
    },
    schedule: (id: number, ms: number) => {
      clearTimeout(timers.get(id));
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          realm.fire(id);
        }, ms),
      );
    },
    log: (level: string, text: string) =>
      port.postMessage({ type: 'log', level: String(level), text: String(text) }),
  },
  init.boot,
);
// Promises of mini-program code rejected with no handler, and exceptions that escape it
// (module evaluation time-outs included), go to App.onError / onUnhandledRejection and the host:
// they never end this thread, which would take the mini-program down.
process.on('unhandledRejection', (reason, promise) => realm.unhandled('rejection', reason, promise));
process.on('uncaughtException', (err) => realm.unhandled('exception', err));
port.on('message', (msg: { type?: string; root?: string; sources?: Record<string, string> }) => {
  // A subpackage's modules join the module table here; only the notice enters the realm.
  if (msg?.type === 'subpackage:ready' && msg.sources) {
    Object.assign(sources, msg.sources);
    realm.receive(JSON.stringify({ type: msg.type, root: msg.root, sources: {} }));
    return;
  }
  realm.receive(JSON.stringify(msg));
});
port.postMessage({ type: 'ready' });
