// The browser build's stand-in for core/chunks.ts: the same modules, as verified chunks.
import type { ConsentChunk, PageApisChunk, TransfersChunk } from '../core/chunks.ts';
import { loadChunk } from './chunk-loader.ts';

export const loadTransfers = () => loadChunk<TransfersChunk>('transfers');
export const loadConsent = () => loadChunk<ConsentChunk>('consent');
export const loadPageApis = () => loadChunk<PageApisChunk>('page-apis');
