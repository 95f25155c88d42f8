// WXSS → CSS: @import inlined (once per file, cycles rejected), rpx → vw (see rpx.ts), the
// `page` selector becomes `body` (one page per view frame), and — for style isolation — every
// compound selector of a page or component gets that owner's scope class appended, matching
// the classes compiled templates put on every element they render.
import { type CompatReporter, CompileError, type SourcePosition } from '../errors.ts';
import { resolvePackagePath } from '../wxml/paths.ts';
import { rpxToVw } from './rpx.ts';

export interface CompileWxssInput {
  file: string;
  source: string;
  readText(path: string): string | undefined;
  /** Class (without the dot) appended to every compound selector; none for unscoped CSS. */
  scope?: string;
  compat: CompatReporter;
}

type CssNode =
  | { type: 'rule'; selector: string; pos: SourcePosition; decls: string; file: string }
  | { type: 'import'; spec: string; pos: SourcePosition; file: string }
  | { type: 'block'; prelude: string; children: CssNode[] }
  | { type: 'raw'; text: string };

const NESTED_AT_RULES = /^@(media|supports|container|layer|document)\b/i;
const MAX_IMPORT_DEPTH = 32;

export function compileWxss(input: CompileWxssInput): string {
  const seen = new Set<string>();
  const nodes = expandImports(parseCss(input.source, input.file), input, seen, [input.file]);
  return serialize(nodes, input).trim();
}

function expandImports(
  nodes: CssNode[],
  input: CompileWxssInput,
  seen: Set<string>,
  stack: string[],
): CssNode[] {
  const out: CssNode[] = [];
  for (const n of nodes) {
    if (n.type === 'import') {
      const spec = n.spec.endsWith('.wxss') || n.spec.endsWith('.css') ? n.spec : `${n.spec}.wxss`;
      const path = resolvePackagePath(n.file, spec);
      if (!path)
        throw new CompileError(
          'WXSS_RESOLVE',
          n.file,
          n.pos,
          `@import "${n.spec}" points outside the package`,
        );
      if (stack.includes(path)) {
        throw new CompileError(
          'WXSS_RESOLVE',
          n.file,
          n.pos,
          `@import cycle: ${[...stack, path].join(' → ')}`,
          'remove one of the imports',
        );
      }
      if (stack.length > MAX_IMPORT_DEPTH)
        throw new CompileError('WXSS_RESOLVE', n.file, n.pos, 'imports nested too deeply');
      if (seen.has(path)) continue;
      seen.add(path);
      const text = input.readText(path);
      if (text === undefined) {
        throw new CompileError(
          'WXSS_RESOLVE',
          n.file,
          n.pos,
          `@import "${n.spec}": file not found`,
          'fix the path',
        );
      }
      out.push(...expandImports(parseCss(text, path), input, seen, [...stack, path]));
    } else if (n.type === 'block') {
      out.push({ ...n, children: expandImports(n.children, input, seen, stack) });
    } else {
      out.push(n);
    }
  }
  return out;
}

class CssParser {
  i = 0;
  line = 1;
  col = 1;
  readonly src: string;
  readonly file: string;
  constructor(src: string, file: string) {
    this.src = src;
    this.file = file;
  }
  pos(): SourcePosition {
    return { line: this.line, column: this.col };
  }
  err(msg: string, at: SourcePosition = this.pos(), hint = ''): CompileError {
    return new CompileError('WXSS_SYNTAX', this.file, at, msg, hint);
  }
  adv(n = 1): void {
    for (let k = 0; k < n && this.i < this.src.length; k++) {
      if (this.src.charCodeAt(this.i) === 10) {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.i++;
    }
  }
  /** Reads until one of `stops` at depth 0, skipping comments and strings; returns text without comments. */
  readUntil(stops: string): { text: string; stop: string } {
    let text = '';
    let paren = 0;
    while (this.i < this.src.length) {
      const c = this.src[this.i] ?? '';
      if (c === '/' && this.src[this.i + 1] === '*') {
        const at = this.pos();
        const end = this.src.indexOf('*/', this.i + 2);
        if (end < 0) throw this.err('unterminated comment', at, 'close it with */');
        this.adv(end + 2 - this.i);
        text += ' ';
        continue;
      }
      if (c === '"' || c === "'") {
        const at = this.pos();
        let j = this.i + 1;
        while (j < this.src.length && this.src[j] !== c && this.src[j] !== '\n')
          j += this.src[j] === '\\' ? 2 : 1;
        if (this.src[j] !== c) throw this.err('unterminated string', at, `close it with ${c}`);
        text += this.src.slice(this.i, j + 1);
        this.adv(j + 1 - this.i);
        continue;
      }
      if (c === '(') paren++;
      if (c === ')') paren = Math.max(0, paren - 1);
      if (paren === 0 && stops.includes(c)) return { text, stop: c };
      text += c;
      this.adv();
    }
    return { text, stop: '' };
  }
  nodes(nested: boolean, openPos: SourcePosition | null): CssNode[] {
    const out: CssNode[] = [];
    for (;;) {
      while (this.i < this.src.length && /\s/.test(this.src[this.i] ?? '')) this.adv();
      const start = this.pos();
      const { text, stop } = this.readUntil('{;}');
      const prelude = text.trim();
      if (stop === '') {
        if (nested && openPos) throw this.err('"{" is never closed', openPos, 'add the missing "}"');
        if (prelude)
          throw this.err(
            `unexpected end of file after "${prelude.slice(0, 40)}"`,
            start,
            'add "{ … }" or ";"',
          );
        return out;
      }
      const stopPos = this.pos();
      this.adv();
      if (stop === '}') {
        if (prelude) throw this.err(`"${prelude.slice(0, 40)}" has no declaration block`, start);
        if (!nested) throw this.err('unexpected "}"', stopPos, 'remove it or add the missing "{"');
        return out;
      }
      const at = prelude ? { line: start.line, column: start.column } : start;
      if (stop === ';') {
        if (!prelude) continue;
        const imp = /^@import\s+(?:url\(\s*)?["']?([^"')]+)["']?\s*\)?\s*$/i.exec(prelude);
        if (imp?.[1]) out.push({ type: 'import', spec: imp[1].trim(), pos: at, file: this.file });
        else if (prelude.startsWith('@')) out.push({ type: 'raw', text: `${prelude};` });
        else
          throw this.err(
            `"${prelude.slice(0, 40)}" is outside a rule`,
            at,
            'put declarations inside "selector { … }"',
          );
        continue;
      }
      // stop === '{'
      if (!prelude) throw this.err('"{" without a selector', at);
      if (NESTED_AT_RULES.test(prelude)) {
        out.push({ type: 'block', prelude, children: this.nodes(true, at) });
      } else if (prelude.startsWith('@')) {
        // Known (keyframes, font-face…) and unknown at-rule blocks are kept verbatim (rpx converted).
        out.push({ type: 'raw', text: `${prelude}{${this.rawBlock(at)}}` });
      } else {
        const { text: decls, stop: end } = this.readUntil('{}');
        if (end === '{')
          throw this.err('nested rules are not supported in WXSS', this.pos(), 'flatten the selector');
        if (end === '') throw this.err(`rule "${prelude.slice(0, 40)}" is never closed`, at, 'add "}"');
        this.adv();
        out.push({ type: 'rule', selector: prelude, pos: at, decls: decls.trim(), file: this.file });
      }
    }
  }
  rawBlock(openPos: SourcePosition): string {
    let depth = 1;
    let text = '';
    for (;;) {
      const { text: t, stop } = this.readUntil('{}');
      text += t;
      if (stop === '') throw this.err('"{" is never closed', openPos, 'add the missing "}"');
      this.adv();
      if (stop === '{') depth++;
      else depth--;
      if (depth === 0) return text;
      text += stop;
    }
  }
}

function parseCss(source: string, file: string): CssNode[] {
  return new CssParser(source, file).nodes(false, null);
}

/** rpx → vw outside strings and url(). */
export function convertRpxInCss(text: string): string {
  let out = '';
  let i = 0;
  const re = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|url\([^)]*\))|(-?(?:\d+\.?\d*|\.\d+))rpx\b/gi;
  for (const m of text.matchAll(re)) {
    out += text.slice(i, m.index);
    out += m[1] !== undefined ? m[1] : rpxToVw(Number(m[2]));
    i = (m.index ?? 0) + m[0].length;
  }
  return out + text.slice(i);
}

function compactDecls(decls: string): string {
  return convertRpxInCss(
    decls
      .replace(/\s+/g, ' ')
      .replace(/\s*;\s*/g, ';')
      .replace(/\s*:\s*/g, ':')
      .replace(/;$/, ''),
  );
}

function serialize(nodes: CssNode[], input: CompileWxssInput): string {
  const out: string[] = [];
  for (const n of nodes) {
    switch (n.type) {
      case 'rule':
        out.push(
          `${scopeSelectorList(n.selector, input.scope, n.file, n.pos, input.compat)}{${compactDecls(n.decls)}}`,
        );
        break;
      case 'block':
        out.push(`${n.prelude.replace(/\s+/g, ' ')}{${serialize(n.children, input)}}`);
        break;
      case 'raw':
        out.push(convertRpxInCss(n.text.replace(/\s+/g, ' ')));
        break;
      case 'import':
        break;
    }
  }
  return out.join('\n');
}

function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  let quote = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === sep && depth === 0) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

export function scopeSelectorList(
  list: string,
  scope: string | undefined,
  file: string,
  pos: SourcePosition,
  compat: CompatReporter,
): string {
  return splitTopLevel(list, ',')
    .map((s) => scopeSelector(s.trim(), scope, file, pos, compat))
    .join(',');
}

function scopeSelector(
  sel: string,
  scope: string | undefined,
  file: string,
  pos: SourcePosition,
  compat: CompatReporter,
): string {
  if (!sel)
    throw new CompileError(
      'WXSS_SYNTAX',
      file,
      pos,
      'empty selector in a selector list',
      'remove the extra ","',
    );
  // Split into compounds and combinators at depth 0.
  const tokens: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < sel.length; i++) {
    const c = sel[i] ?? '';
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (depth === 0 && (c === ' ' || c === '>' || c === '+' || c === '~' || c === '\n' || c === '\t')) {
      if (cur) tokens.push(cur);
      cur = '';
      if (c !== ' ' && c !== '\n' && c !== '\t') tokens.push(c);
      continue;
    }
    cur += c;
  }
  if (cur) tokens.push(cur);
  return tokens
    .map((t) => {
      if (t === '>' || t === '+' || t === '~') return t;
      if (t.startsWith(':host')) {
        compat.add(
          file,
          pos,
          'wxss:host',
          '":host" is not supported yet; style the component through its root element',
        );
        return t;
      }
      let compound = t;
      if (/^page(?![\w-])/.test(compound)) return compound.replace(/^page/, 'body');
      if (/^(from|to|\d+%)$/.test(compound)) return compound;
      // The renderer creates every WXML tag as an inert `wx-<tag>` element.
      compound = compound.replace(/^([A-Za-z][\w-]*)/, 'wx-$1');
      if (!scope) return compound;
      const pseudoElement = compound.search(/::/);
      if (pseudoElement >= 0) {
        compound = `${compound.slice(0, pseudoElement)}.${scope}${compound.slice(pseudoElement)}`;
      } else {
        compound = `${compound}.${scope}`;
      }
      return compound;
    })
    .join(' ')
    .replace(/ ([>+~]) /g, '$1');
}
