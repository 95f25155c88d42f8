export { BASE_CSS } from './base-css.ts';
export { type BuiltinContext, createBuiltins, formValues } from './builtins.ts';
export {
  BUBBLING_EVENTS,
  closestRendered,
  type Delivery,
  type DispatchOptions,
  dispatchWxEvent,
} from './events.ts';
export { PageView, type PageViewOptions, toStr } from './page-view.ts';
export { buildRichText, isSafeImageUrl, parseRichHtml, type RichNode, sanitizeStyle } from './sanitize.ts';
