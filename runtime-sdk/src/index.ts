// @tessera/runtime-sdk — platform-free entry. Platform hosts: "./web" (browsers), "./node".
export * from './core/index.ts';
export { LogicRuntime } from './logic/runtime.ts';
export { createRenderer } from './render/dom.ts';
