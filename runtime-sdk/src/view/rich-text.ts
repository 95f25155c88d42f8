// <rich-text nodes>: an array of WeChat nodes or an HTML string, rebuilt from an allow-list
// (sanitize.ts). A view chunk: only pages that use it load the sanitizer.
import type { LazySpec } from './builtins.ts';
import { buildRichText } from './sanitize.ts';

const richText: LazySpec = {
  upgrade() {},
  setAttr(el, name, value) {
    if (name !== 'nodes') {
      if (value === undefined) el.removeAttribute(name);
      else el.setAttribute(name, value);
      return;
    }
    let nodes: string | unknown[] = value ?? '';
    if (typeof nodes === 'string' && nodes.trimStart().startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(nodes);
        if (Array.isArray(parsed)) nodes = parsed;
      } catch {
        // Not JSON: treat as an HTML string.
      }
    }
    el.replaceChildren(buildRichText(nodes, el.ownerDocument));
  },
};

export const specs: Record<string, LazySpec> = { 'rich-text': richText };
