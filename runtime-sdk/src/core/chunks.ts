// Parts of the core that load on first use. From the sources (Node, tests) a dynamic import;
// the web build swaps this module for one that loads the same code as a verified chunk.
export type TransfersChunk = typeof import('./transfers.ts');

export const loadTransfers = (): Promise<TransfersChunk> => import('./transfers.ts');

export type ConsentChunk = typeof import('./consent.ts');

export const loadConsent = (): Promise<ConsentChunk> => import('./consent.ts');

export type PageApisChunk = typeof import('./page-apis.ts');

export const loadPageApis = (): Promise<PageApisChunk> => import('./page-apis.ts');
