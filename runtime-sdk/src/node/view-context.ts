// Compiled templates (and wxs) of one page evaluated in a vm context without Node globals and
// without code generation from strings. Data enters as JSON parsed inside the context, so the
// template code never holds an object of the host realm.
import vm from 'node:vm';
import type { CompiledTemplateModule, RenderRuntime, VNode } from '../render/contract.ts';

export interface TemplateContext {
  template(path: string): CompiledTemplateModule;
}

const CONTEXT_PRELUDE = `(function (g) {
  var modules = Object.create(null);
  g.__tesseraDefine = function (path, factory) {
    if (typeof path === 'string' && typeof factory === 'function' && !(path in modules)) modules[path] = { factory: factory };
  };
  function req(path) {
    var rec = modules[path];
    if (!rec) throw new Error('module ' + path + ' is not loaded in this page');
    if (!rec.module) { rec.module = { exports: {} }; rec.factory(rec.module, rec.module.exports, req); }
    return rec.module.exports;
  }
  function toStr(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') { try { return JSON.stringify(v); } catch (e) { return ''; } }
    return String(v);
  }
  var rt = { toStr: toStr };
  return function render(path, json) {
    var mod = req('/' + path + '.wxml');
    return JSON.stringify(mod.render(JSON.parse(json), rt));
  };
})(this)`;

export function createTemplateContext(scripts: Record<string, string>): TemplateContext {
  const context = vm.createContext(Object.create(null), {
    name: 'tessera-view',
    codeGeneration: { strings: false, wasm: false },
  });
  const render = vm.runInContext(CONTEXT_PRELUDE, context) as (path: string, json: string) => string;
  for (const [path, text] of Object.entries(scripts))
    vm.runInContext(text, context, { filename: path, timeout: 5000 });
  return {
    template(path) {
      return {
        // VNodes come back as JSON too: nothing the template built can run code on our side.
        render: (data: Record<string, unknown>, _rt: RenderRuntime) =>
          JSON.parse(render(path, JSON.stringify(data))) as VNode[],
        templates: {},
      };
    },
  };
}
