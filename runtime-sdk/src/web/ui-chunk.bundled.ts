// The browser build's UI chunk loader: a <script> for tessera-ui.js from beside the SDK's own
// script, with the SHA-384 digest of the chunk built together with this entry as its
// subresource integrity, so the browser refuses a chunk that is not that one.
import type { UiChunk } from './ui-chunk.ts';

declare const __TESSERA_UI_CHUNK__: { file: string; integrity: string };

// Taken while the SDK's classic script is evaluating; an ES module has import.meta.url instead.
const scriptUrl = (globalThis.document?.currentScript as HTMLScriptElement | null | undefined)?.src;
let base: string | undefined;
let loading: Promise<UiChunk> | undefined;

/** Where the SDK's chunk files are served when not beside the SDK's script (bundled apps). */
export const setChunkBase = (url: string | undefined) => {
  base = url;
};

export const loadUi = (): Promise<UiChunk> => {
  loading ??= new Promise<UiChunk>((resolve, reject) => {
    const key = Symbol.for('tessera.ui');
    const from = base ?? scriptUrl ?? import.meta.url;
    const script = document.createElement('script');
    script.src = new URL(__TESSERA_UI_CHUNK__.file, from).href;
    script.integrity = __TESSERA_UI_CHUNK__.integrity;
    script.crossOrigin = 'anonymous';
    (globalThis as Record<symbol, unknown>)[key] = (ui: UiChunk) => {
      delete (globalThis as Record<symbol, unknown>)[key];
      resolve(ui);
    };
    script.onerror = () => {
      loading = undefined;
      reject(
        new Error(
          `the SDK's UI chunk did not load from ${script.src}: serve ${__TESSERA_UI_CHUNK__.file} from the same build beside the SDK's script, or set chunkBase`,
        ),
      );
    };
    document.head.append(script);
  });
  return loading;
};
