// The page frame's stand-in for view/view-chunks.ts: asks the host for a chunk's code (the host
// fetches it with its subresource integrity), runs it as a blob script, and takes the specs it
// registers. connectViewChunks wires the frame's port.
import type { ViewChunk } from '../view/view-chunks.ts';

let ask: ((name: string) => void) | undefined;
let run: ((code: string) => Promise<void>) | undefined;
const loading = new Map<string, Promise<unknown>>();
const waiting = new Map<string, { resolve(m: unknown): void; reject(e: Error): void }>();

/** Called once by the page frame's entry: how to ask the host, and how to run what arrives. */
export function connectViewChunks(
  send: (name: string) => void,
  runScript: (code: string) => Promise<void>,
): void {
  ask = send;
  run = runScript;
  (globalThis as Record<symbol, unknown>)[Symbol.for('tessera.chunk')] = (
    name: string,
    module: ViewChunk,
  ) => {
    waiting.get(name)?.resolve(module);
    waiting.delete(name);
  };
}

/** The host's answer to a chunk request: its code, or why it could not load. */
export function viewChunkArrived(name: string, code: string | undefined, error: string | undefined): void {
  const w = waiting.get(name);
  if (!w) return;
  if (code === undefined || !run) {
    waiting.delete(name);
    loading.delete(name); // a later use asks again
    w.reject(new Error(error ?? `the ${name} chunk did not load`));
    return;
  }
  run(code).catch((err: unknown) => {
    waiting.delete(name);
    loading.delete(name);
    w.reject(err instanceof Error ? err : new Error(String(err)));
  });
}

export function loadViewChunk<T = ViewChunk>(name: string): Promise<T> {
  let p = loading.get(name);
  if (!p) {
    p = new Promise((resolve, reject) => waiting.set(name, { resolve, reject }));
    loading.set(name, p);
    ask?.(name);
  }
  return p as Promise<T>;
}
