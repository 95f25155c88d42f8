// Loads a chunk of the browser build: a <script> for its file from beside the SDK's own script,
// with the SHA-384 digest of the chunk built together with this entry as its subresource
// integrity, so the browser refuses a chunk that is not that one.

declare const __TESSERA_CHUNKS__: Record<string, { file: string; integrity: string }>;

// Taken while the SDK's classic script is evaluating; an ES module has import.meta.url instead.
const scriptUrl = (globalThis.document?.currentScript as HTMLScriptElement | null | undefined)?.src;
let base: string | undefined;
const loading = new Map<string, Promise<unknown>>();
const waiting = new Map<string, (module: unknown) => void>();

/** Where the SDK's chunk files are served when not beside the SDK's script (bundled apps). */
export const setChunkBase = (url: string | undefined) => {
  base = url;
};

const urlOf = (file: string) => new URL(file, base ?? scriptUrl ?? import.meta.url).href;
const notLoaded = (name: string, file: string, url: string, why = '') =>
  new Error(
    `the SDK's ${name} chunk did not load from ${url}${why}: serve ${file} from the same build beside the SDK's script, or set chunkBase`,
  );

export function loadChunk<T>(name: string): Promise<T> {
  let p = loading.get(name);
  if (!p) {
    const chunk = __TESSERA_CHUNKS__[name]!;
    p = new Promise((resolve, reject) => {
      const key = Symbol.for('tessera.chunk');
      (globalThis as Record<symbol, unknown>)[key] ??= (n: string, module: unknown) =>
        waiting.get(n)?.(module);
      const script = document.createElement('script');
      script.src = urlOf(chunk.file);
      script.integrity = chunk.integrity;
      script.crossOrigin = 'anonymous';
      waiting.set(name, (module) => {
        waiting.delete(name);
        resolve(module);
      });
      script.onerror = () => {
        loading.delete(name);
        waiting.delete(name);
        reject(notLoaded(name, chunk.file, script.src));
      };
      document.head.append(script);
    });
    loading.set(name, p);
  }
  return p as Promise<T>;
}

const texts = new Map<string, Promise<string>>();

/**
 * A page frame's chunk (`view-*`), as text for the frame to run: fetched from beside the SDK's
 * script with the same integrity pin, so the browser refuses any other bytes.
 */
export function loadChunkText(name: string): Promise<string> {
  let p = texts.get(name);
  if (!p) {
    const chunk =
      name.startsWith('view-') && Object.hasOwn(__TESSERA_CHUNKS__, name)
        ? __TESSERA_CHUNKS__[name]
        : undefined;
    if (!chunk) return Promise.reject(new Error(`there is no view chunk "${name.slice(0, 64)}"`));
    const url = urlOf(chunk.file);
    p = fetch(url, { integrity: chunk.integrity, credentials: 'omit' })
      .then((r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.text();
      })
      .catch((err: unknown) => {
        texts.delete(name);
        throw notLoaded(name, chunk.file, url, ` (${err instanceof Error ? err.message : String(err)})`);
      });
    texts.set(name, p);
  }
  return p;
}
