// The browser build's UI chunk loader (see chunk-loader.ts).
import { loadChunk } from './chunk-loader.ts';
import type { UiChunk } from './ui-chunk.ts';

export { setChunkBase } from './chunk-loader.ts';
export const loadUi = () => loadChunk<UiChunk>('ui');
