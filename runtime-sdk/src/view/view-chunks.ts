// Built-in components whose code loads on first use. From the sources (the Node host, tests) a
// dynamic import; the web build swaps this module for web/view-chunks.bundled.ts, which asks
// the host for the separately built, integrity-checked chunk and runs it in the page frame.
import type { LazySpec } from './builtins.ts';

export type ViewChunk = { specs: Record<string, LazySpec> };

const SOURCES: Record<string, () => Promise<unknown>> = {
  'view-swiper': () => import('./swiper.ts'),
  'view-rich-text': () => import('./rich-text.ts'),
  'view-scroll-view': () => import('./scroll-view.ts'),
  'view-pull': () => import('./pull-refresh.ts'),
  'view-intersection': () => import('./intersection.ts'),
  'view-animation': () => import('./animation.ts'),
};

export const loadViewChunk = <T = ViewChunk>(name: string): Promise<T> => {
  const load = SOURCES[name];
  return load ? (load() as Promise<T>) : Promise.reject(new Error(`no view chunk "${name}"`));
};
