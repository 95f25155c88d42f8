// Loads the UI chunk. From the sources (tests, development) it is a plain dynamic import; the
// browser build swaps this module for ui-chunk.bundled.ts, which loads the separately built,
// integrity-checked tessera-ui.js.
export type UiChunk = typeof import('./ui/index.ts');

export const loadUi = (): Promise<UiChunk> => import('./ui/index.ts');

/** Chunk files come with the sources here; only the browser build locates them. */
export const setChunkBase = (_url: string | undefined) => {};
