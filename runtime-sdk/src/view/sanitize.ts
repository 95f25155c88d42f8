// rich-text sanitizer: input (an HTML string or WeChat node array) is never inserted as
// markup. Strings are parsed into an inert document, then every node is rebuilt from an
// allow-list of tags, attributes and URL schemes; everything else is dropped.
import { isSafeImageUrl } from './image-url.ts';

export { isSafeImageUrl };

export interface RichNode {
  type?: 'node' | 'text';
  name?: string;
  attrs?: Record<string, unknown>;
  children?: RichNode[];
  text?: string;
}

const ALLOWED_TAGS = new Set([
  'a',
  'abbr',
  'address',
  'article',
  'aside',
  'b',
  'bdi',
  'bdo',
  'big',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'div',
  'dl',
  'dt',
  'em',
  'fieldset',
  'font',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'i',
  'img',
  'ins',
  'label',
  'legend',
  'li',
  'mark',
  'nav',
  'ol',
  'p',
  'pre',
  'q',
  'rt',
  'ruby',
  's',
  'section',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'tt',
  'u',
  'ul',
]);
const DROP_WITH_CONTENT = new Set([
  'script',
  'style',
  'iframe',
  'object',
  'embed',
  'template',
  'noscript',
  'svg',
  'math',
  'title',
  'textarea',
  'select',
]);
const GLOBAL_ATTRS = new Set(['class', 'style', 'title', 'dir', 'lang']);
const TAG_ATTRS: Record<string, Set<string>> = {
  img: new Set(['src', 'alt', 'width', 'height']),
  col: new Set(['span', 'width']),
  colgroup: new Set(['span', 'width']),
  td: new Set(['colspan', 'rowspan', 'width', 'height', 'align', 'valign']),
  th: new Set(['colspan', 'rowspan', 'width', 'height', 'align', 'valign']),
  table: new Set(['width', 'border', 'cellpadding', 'cellspacing']),
  ol: new Set(['start', 'type', 'reversed']),
  font: new Set(['color', 'size', 'face']),
};

export const MAX_RICH_NODES = 10_000;
const MAX_DEPTH = 64;

export function sanitizeStyle(style: string): string {
  // Drop declarations that can fetch, execute or escape (url(), expression(), escapes).
  return style
    .split(';')
    .filter(
      (d) =>
        d.includes(':') && !/url\s*\(|expression|javascript:|\\|@import|behavior\s*:|-moz-binding/i.test(d),
    )
    .join(';')
    .slice(0, 4096);
}

function sanitizeAttr(tag: string, name: string, value: string): string | undefined {
  const n = name.toLowerCase();
  if (!GLOBAL_ATTRS.has(n) && !TAG_ATTRS[tag]?.has(n)) return undefined;
  if (n === 'style') return sanitizeStyle(value);
  if (n === 'src') return isSafeImageUrl(value) ? value.trim() : undefined;
  return value.slice(0, 4096);
}

/** Parses an HTML string into rich nodes using an inert document (no script, no loads). */
export function parseRichHtml(html: string, doc: Document): RichNode[] {
  const inert = doc.implementation.createHTMLDocument('');
  const holder = inert.createElement('div');
  // The inert document has no browsing context: nothing loads or runs while parsing.
  holder.innerHTML = html.slice(0, 1024 * 1024);
  let count = 0;
  const convert = (n: Node, depth: number): RichNode | undefined => {
    if (++count > MAX_RICH_NODES || depth > MAX_DEPTH) return undefined;
    if (n.nodeType === 3) return { type: 'text', text: n.nodeValue ?? '' };
    if (n.nodeType !== 1) return undefined;
    const e = n as Element;
    const attrs: Record<string, string> = {};
    for (const a of Array.from(e.attributes)) attrs[a.name] = a.value;
    const children: RichNode[] = [];
    for (const c of Array.from(e.childNodes)) {
      const r = convert(c, depth + 1);
      if (r) children.push(r);
    }
    return { type: 'node', name: e.localName, attrs, children };
  };
  const out: RichNode[] = [];
  for (const c of Array.from(holder.childNodes)) {
    const r = convert(c, 0);
    if (r) out.push(r);
  }
  return out;
}

/** Builds DOM from rich nodes through the allow-list. */
export function buildRichText(input: string | readonly unknown[], doc: Document): DocumentFragment {
  const nodes = typeof input === 'string' ? parseRichHtml(input, doc) : (input as unknown[]);
  const frag = doc.createDocumentFragment();
  let count = 0;
  const build = (raw: unknown, parent: Node, depth: number): void => {
    if (++count > MAX_RICH_NODES || depth > MAX_DEPTH || typeof raw !== 'object' || raw === null) return;
    const n = raw as RichNode;
    if (n.type === 'text') {
      parent.appendChild(doc.createTextNode(String(n.text ?? '')));
      return;
    }
    const tag = String(n.name ?? '').toLowerCase();
    if (DROP_WITH_CONTENT.has(tag)) return;
    let target: Node = parent;
    if (ALLOWED_TAGS.has(tag)) {
      const el = doc.createElement(tag);
      if (n.attrs && typeof n.attrs === 'object') {
        for (const [k, v] of Object.entries(n.attrs)) {
          if (typeof v !== 'string' && typeof v !== 'number') continue;
          const safe = sanitizeAttr(tag, k, String(v));
          if (safe !== undefined) el.setAttribute(k.toLowerCase(), safe);
        }
      }
      parent.appendChild(el);
      target = el;
    }
    // Unknown tags are unwrapped: their text survives, the tag does not.
    if (Array.isArray(n.children)) for (const c of n.children) build(c, target, depth + 1);
  };
  for (const n of nodes) build(n, frag, 0);
  return frag;
}
