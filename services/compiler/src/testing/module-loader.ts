// Test helper: runs compiled define-wrapped modules in a separate node:vm context (the way the
// view frame would load them as scripts) and renders templates with real data. Tests only.
import { runInNewContext } from 'node:vm';
import type {
  CompiledTemplateModule,
  ModuleFactory,
  RenderRuntime,
  VNode,
} from '@tessera/runtime-sdk/render/contract';
import { PRELUDE_MODULE } from '../wxml/prelude.ts';

export function toStr(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export class ModuleLoader {
  private readonly factories = new Map<string, ModuleFactory>();
  private readonly instances = new Map<string, { exports: unknown }>();

  constructor(files: ReadonlyMap<string, Uint8Array>) {
    const decoder = new TextDecoder();
    const sandbox = {
      __tesseraDefine: (id: string, factory: ModuleFactory) => {
        this.factories.set(id, factory);
      },
    };
    runInNewContext(PRELUDE_MODULE, sandbox, { filename: 'prelude' });
    for (const [path, bytes] of files) {
      if (path.endsWith('.wxml.js') || path.endsWith('.wxs.js')) {
        runInNewContext(decoder.decode(bytes), sandbox, { filename: path });
      }
    }
  }

  require = (id: string): unknown => {
    const existing = this.instances.get(id);
    if (existing) return existing.exports;
    const factory = this.factories.get(id);
    if (!factory) throw new Error(`module ${id} not found`);
    const module = { exports: {} as unknown };
    this.instances.set(id, module);
    factory(module, module.exports, this.require);
    return module.exports;
  };

  template(id: string): CompiledTemplateModule {
    return this.require(id) as CompiledTemplateModule;
  }

  render(id: string, data: Record<string, unknown>, rt: Partial<RenderRuntime> = {}): VNode[] {
    return this.template(id).render(data, { toStr, ...rt });
  }
}

/** Plain text of a VNode tree (for assertions). */
export function textOf(nodes: readonly VNode[]): string {
  return nodes
    .map((n) => {
      if (n.t === 'text') return n.text;
      if (n.t === 'slot') return `<slot:${n.name}>`;
      return textOf(n.children);
    })
    .join('');
}

export function findAll(nodes: readonly VNode[], pred: (n: VNode) => boolean): VNode[] {
  const out: VNode[] = [];
  const walk = (list: readonly VNode[]) => {
    for (const n of list) {
      if (pred(n)) out.push(n);
      if (n.t === 'el' || n.t === 'comp') walk(n.children);
    }
  };
  walk(nodes);
  return out;
}
