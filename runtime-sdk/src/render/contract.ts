// Render-function contract between the compiler (which emits render functions from WXML at
// compile time) and the view-layer renderer (which mounts/patches VNodes into the DOM).
// Types only: nothing here runs. Owner: compiler; additive changes by the SDK are welcome.
//
// A compiled WXML file is a plain script that calls the page-global define function:
//
//   __tesseraDefine("/pages/index/index.wxml", function (module, exports, require) {
//     ...
//     module.exports = { render: function (data, rt) { ... }, templates: { ... } };
//   });
//
// `require(path)` takes absolute package paths of other compiled modules ("/common/tpl.wxml",
// "/utils/fmt.wxs"); the compiler resolves every relative path at compile time. A compiled
// .wxs file uses the same wrapper. Nothing is evaluated from strings at run time, so the view
// works under a strict Content-Security-Policy (the script text is loaded as a script).

/** Name of the global function a compiled module calls to register itself. */
export type DefineFunctionName = '__tesseraDefine';

export type ModuleRequire = (absolutePath: string) => unknown;

export interface ModuleRecord {
  exports: unknown;
}

export type ModuleFactory = (module: ModuleRecord, exports: unknown, require: ModuleRequire) => void;

export type DefineFunction = (absolutePath: string, factory: ModuleFactory) => void;

export type EventName = string; // 'tap', 'longpress', 'input', 'touchstart', custom component events…

export type EventMode = 'bind' | 'catch' | 'capture-bind' | 'capture-catch' | 'mut-bind';

/**
 * A handler named `model:<data path>` is a two-way binding (`<input model:value="{{a.b}}" />`):
 * the logic layer sets that data path to the event's `detail.value` instead of calling a method.
 */
export const MODEL_HANDLER_PREFIX = 'model:';

export interface EventBinding {
  name: EventName;
  /**
   * Handler method name on the page/component instance (already evaluated if it was `{{ }}`),
   * or `model:<path>` for a two-way binding (MODEL_HANDLER_PREFIX).
   */
  handler: string;
  mode: EventMode;
}

export interface VText {
  t: 'text';
  /** Always plain text: the renderer must create a Text node, never parse it as markup. */
  text: string;
}

export interface VElement {
  t: 'el';
  /** Built-in component or HTML-like tag name as written in WXML ('view', 'text', 'button', …). */
  tag: string;
  /** From wx:key (or the index when a wx:for has no key); unique among siblings of one wx:for. */
  key?: string;
  /** Attribute values, already stringified. Never contain class, style, data- or event attributes. */
  attrs: Record<string, string>;
  classes?: string;
  /** Inline style; rpx units already converted to vw (see WXSS docs: 1rpx = 100vw / 750). */
  style?: string;
  /** data-* attributes: name without `data-`, dashes to camelCase, upper case lowered. */
  dataset: Record<string, unknown>;
  /** `mark:name="…"` values (name as written); merged along the event path into `event.mark`. (SDK, additive) */
  marks?: Record<string, unknown>;
  events: EventBinding[];
  children: VNode[];
  /** Set when this node is slot content for a custom component's named slot (`slot="name"`). */
  slotName?: string;
  /** WXML `hidden`: the element stays in the tree but is not displayed. */
  hidden?: boolean;
}

export interface VComponent {
  t: 'comp';
  /** The tag as written; resolve it through the manifest's usingComponents of the owner. */
  tag: string;
  key?: string;
  /** Property values keep their type (a single `{{expr}}` passes the raw value). */
  props: Record<string, unknown>;
  id?: string;
  classes?: string;
  style?: string;
  dataset: Record<string, unknown>;
  /** `mark:name="…"` values, as on VElement. (SDK, additive) */
  marks?: Record<string, unknown>;
  events: EventBinding[];
  /** Slot content; each child's slotName selects a named slot, absent = default slot. */
  children: VNode[];
  slotName?: string;
  hidden?: boolean;
  /**
   * `generic:name="alias"`: for each generic of the component (its json's componentGenerics),
   * the alias in the *owner's* usingComponents that fills it. (SDK, additive)
   */
  generics?: Record<string, string>;
  /**
   * `model:my-value="{{path}}"`: property (camelCase) → the owner's data path that follows it
   * when the component sets that property itself (two-way binding). (SDK, additive)
   */
  models?: Record<string, string>;
}

export interface VSlot {
  t: 'slot';
  /** '' for the default slot. */
  name: string;
}

export type VNode = VText | VElement | VComponent | VSlot;

/** A wxs module instance: the `module.exports` of a compiled .wxs module. */
export type WxsModule = Record<string, unknown>;

export type TemplateFn = (data: Record<string, unknown>, rt: RenderRuntime) => VNode[];

export interface RenderRuntime {
  /**
   * Extra wxs module instances by name. Compiled modules `require` their own wxs modules, so
   * this is only consulted for names the compiler did not bind (normally empty).
   */
  wxs?: Record<string, WxsModule>;
  /**
   * Extra templates for `<template is>`. Compiled modules resolve templates statically (own
   * templates + those of `<import>`ed files, not transitive); this table is the fallback for
   * dynamic names that are not found there (normally empty).
   */
  templates?: Record<string, TemplateFn>;
  /** Text interpolation: how a value becomes text (WeChat: null/undefined → '', objects → JSON). */
  toStr(value: unknown): string;
  /**
   * Set by compiled code only (the SDK passes nothing): the style-isolation classes of the page
   * or component whose render is running; compiled code prefixes every element's classes with it.
   */
  scopeClass?: string;
}

export type RenderFn = (data: Record<string, unknown>, rt: RenderRuntime) => VNode[];

export interface CompiledTemplateModule {
  render: RenderFn;
  /** Templates defined in this file (`<template name>`), for importers. */
  templates: Record<string, TemplateFn>;
}
