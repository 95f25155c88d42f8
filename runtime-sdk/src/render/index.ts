export type * from './contract.ts';
export type {
  ComponentHandle,
  ElementSpec,
  NodeMeta,
  Renderer,
  RendererOptions,
  RenderScope,
} from './dom.ts';
export { createRenderer, longestIncreasing, nodeMeta } from './dom.ts';
export { el, text } from './vnode.ts';
