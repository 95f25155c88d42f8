// Test helper: compiles WXML snippets (plus extra files) and renders them.
import type { RenderRuntime, VNode } from '@tessera/runtime-sdk/render/contract';
import { CompatReporter } from '../errors.ts';
import { compileWxsSource } from '../js/wxs.ts';
import { compileWxml, type WxmlOwner } from '../wxml/codegen.ts';
import { ModuleLoader } from './module-loader.ts';

export interface Snippet {
  loader: ModuleLoader;
  compat: CompatReporter;
  code: string;
  render(data?: Record<string, unknown>, rt?: Partial<RenderRuntime>): VNode[];
}

export function compileSnippet(
  source: string,
  files: Record<string, string> = {},
  owner: WxmlOwner | undefined = { scopeClass: '', components: new Set() },
): Snippet {
  const compat = new CompatReporter();
  const all: Record<string, string> = { ...files, 'pages/p/p.wxml': source };
  const out = new Map<string, Uint8Array>();
  const enc = new TextEncoder();
  let mainCode = '';
  for (const [path, text] of Object.entries(all)) {
    if (path.endsWith('.wxml')) {
      const res = compileWxml({
        file: path,
        source: text,
        ...(path === 'pages/p/p.wxml' && owner ? { owner } : {}),
        readText: (p) => all[p],
        compileWxs: (c, f, pos) => compileWxsSource(c, f, pos).code,
        compat,
      });
      if (path === 'pages/p/p.wxml') mainCode = res.code;
      out.set(`${path}.js`, enc.encode(res.code));
    } else if (path.endsWith('.wxs')) {
      const res = compileWxsSource(text, path);
      out.set(
        `${path}.js`,
        enc.encode(`__tesseraDefine("/${path}", function (module, exports, require) {\n${res.code}});`),
      );
    }
  }
  const loader = new ModuleLoader(out);
  return {
    loader,
    compat,
    code: mainCode,
    render: (data = {}, rt = {}) => loader.render('/pages/p/p.wxml', data, rt),
  };
}
