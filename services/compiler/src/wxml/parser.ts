// WXML parser: XML-like markup with WeChat's leniencies (attributes without values, `{{ }}`
// that may contain "<" and ">" in text and attribute values, raw text inside <wxs>).
// Positions (1-based line/column) are kept on every node and attribute for error messages.
import { type CompatReporter, CompileError, type SourcePosition } from '../errors.ts';
import type { WxmlAttr, WxmlElement, WxmlNode } from './ast.ts';
import { findExpressionEnd } from './scan.ts';

export interface ParseLimits {
  maxDepth: number;
  maxNodes: number;
}

const DEFAULT_LIMITS: ParseLimits = { maxDepth: 256, maxNodes: 200_000 };
const RAW_TEXT_TAGS = new Set(['wxs']);
const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-@]/;

export function parseWxml(
  source: string,
  file: string,
  limits: ParseLimits = DEFAULT_LIMITS,
  compat?: CompatReporter,
): WxmlNode[] {
  return new WxmlParser(source, file, limits, compat).parse();
}

class WxmlParser {
  private i = 0;
  private line = 1;
  private col = 1;
  private nodes = 0;

  private readonly src: string;
  private readonly file: string;
  private readonly limits: ParseLimits;
  private readonly compat: CompatReporter | undefined;
  constructor(src: string, file: string, limits: ParseLimits, compat?: CompatReporter) {
    this.src = src;
    this.file = file;
    this.limits = limits;
    this.compat = compat;
  }

  private pos(): SourcePosition {
    return { line: this.line, column: this.col };
  }

  private error(message: string, hint = '', at: SourcePosition = this.pos()): CompileError {
    return new CompileError('WXML_SYNTAX', this.file, at, message, hint);
  }

  private advance(n: number): void {
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

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.i);
  }

  private count(at: SourcePosition): void {
    if (++this.nodes > this.limits.maxNodes) {
      throw this.error(
        `more than ${this.limits.maxNodes} nodes in one file`,
        'split the page into components',
        at,
      );
    }
  }

  parse(): WxmlNode[] {
    const root: WxmlElement = {
      type: 'element',
      tag: '#root',
      attrs: [],
      children: [],
      pos: this.pos(),
      file: this.file,
    };
    const stack: WxmlElement[] = [root];
    while (this.i < this.src.length) {
      const parent = stack[stack.length - 1] ?? root;
      if (this.startsWith('<!--')) {
        const start = this.pos();
        const end = this.src.indexOf('-->', this.i + 4);
        if (end < 0) throw this.error('unterminated comment', 'close it with "-->"', start);
        this.advance(end + 3 - this.i);
      } else if (this.startsWith('</')) {
        const start = this.pos();
        this.advance(2);
        const name = this.readName();
        this.skipSpace();
        if (this.src[this.i] !== '>') throw this.error(`expected ">" to end </${name}>`);
        this.advance(1);
        if (parent === root) {
          throw this.error(`closing tag </${name}> has no matching opening tag`, `remove </${name}>`, start);
        }
        if (parent.tag !== name) {
          throw this.error(
            `closing tag </${name}> does not match <${parent.tag}> opened at ${parent.pos.line}:${parent.pos.column}`,
            `close <${parent.tag}> first`,
            start,
          );
        }
        stack.pop();
      } else if (this.src[this.i] === '<' && NAME_START.test(this.src[this.i + 1] ?? '')) {
        const el = this.readOpenTag(stack.length);
        parent.children.push(el.node);
        if (!el.selfClosing) {
          if (RAW_TEXT_TAGS.has(el.node.tag)) {
            this.readRawText(el.node);
          } else {
            if (stack.length > this.limits.maxDepth) {
              throw this.error(`elements nested deeper than ${this.limits.maxDepth}`, '', el.node.pos);
            }
            stack.push(el.node);
          }
        }
      } else {
        this.readText(parent);
      }
    }
    if (stack.length > 1) {
      const open = stack[stack.length - 1];
      if (open) {
        throw this.error(
          `<${open.tag}> is never closed`,
          `add </${open.tag}> or write <${open.tag} />`,
          open.pos,
        );
      }
    }
    return root.children;
  }

  private skipSpace(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i] ?? '')) this.advance(1);
  }

  private readName(): string {
    const start = this.i;
    if (!NAME_START.test(this.src[this.i] ?? '')) throw this.error('expected a tag or attribute name');
    while (this.i < this.src.length && NAME_CHAR.test(this.src[this.i] ?? '')) this.advance(1);
    return this.src.slice(start, this.i);
  }

  private readOpenTag(_depth: number): { node: WxmlElement; selfClosing: boolean } {
    const pos = this.pos();
    this.count(pos);
    this.advance(1);
    const tag = this.readName();
    const attrs: WxmlAttr[] = [];
    const seen = new Set<string>();
    for (;;) {
      this.skipSpace();
      if (this.i >= this.src.length) throw this.error(`<${tag}> is not terminated`, 'add ">"', pos);
      if (this.startsWith('/>')) {
        this.advance(2);
        return {
          node: { type: 'element', tag, attrs, children: [], pos, file: this.file },
          selfClosing: true,
        };
      }
      if (this.src[this.i] === '>') {
        this.advance(1);
        return {
          node: { type: 'element', tag, attrs, children: [], pos, file: this.file },
          selfClosing: false,
        };
      }
      const apos = this.pos();
      if (!NAME_START.test(this.src[this.i] ?? '')) {
        throw this.error(
          `unexpected "${this.src[this.i]}" in <${tag}>`,
          'attribute names start with a letter',
        );
      }
      const name = this.readName();
      if (seen.has(name)) {
        // WeChat's toolchain keeps the last value of a repeated attribute
        this.compat?.add(
          this.file,
          apos,
          'wxml:repeated-attribute',
          `attribute "${name}" is repeated on <${tag}>; the last value wins, as in WeChat — remove the others`,
        );
        attrs.splice(
          attrs.findIndex((a) => a.name === name),
          1,
        );
      }
      seen.add(name);
      this.skipSpace();
      if (this.src[this.i] !== '=') {
        attrs.push({ name, value: null, pos: apos, valuePos: apos });
        continue;
      }
      this.advance(1);
      this.skipSpace();
      const q = this.src[this.i];
      if (q !== '"' && q !== "'") {
        throw this.error(`the value of "${name}" must be quoted`, `write ${name}="…"`);
      }
      this.advance(1);
      const valuePos = this.pos();
      const start = this.i;
      // A quote inside {{ }} does not end the value (e.g. class="{{ a ? 'x' : 'y' }}").
      for (;;) {
        if (this.i >= this.src.length)
          throw this.error(`unterminated value of "${name}"`, `close it with ${q}`, valuePos);
        if (this.startsWith('{{')) {
          const end = findExpressionEnd(this.src, this.i + 2);
          if (end < 0)
            throw this.error('unterminated "{{" in an attribute value', 'close it with "}}"', this.pos());
          this.advance(end - this.i);
          continue;
        }
        if (this.src[this.i] === q) break;
        this.advance(1);
      }
      const value = this.src.slice(start, this.i);
      this.advance(1);
      attrs.push({ name, value, pos: apos, valuePos });
    }
  }

  private readRawText(el: WxmlElement): void {
    const close = `</${el.tag}>`;
    const end = this.src.indexOf(close, this.i);
    if (end < 0) throw this.error(`<${el.tag}> is never closed`, `add ${close}`, el.pos);
    const pos = this.pos();
    const value = this.src.slice(this.i, end);
    if (value.length > 0) el.children.push({ type: 'text', value, pos, file: this.file });
    this.advance(end + close.length - this.i);
  }

  private readText(parent: WxmlElement): void {
    const pos = this.pos();
    const start = this.i;
    while (this.i < this.src.length) {
      if (this.startsWith('{{')) {
        const end = findExpressionEnd(this.src, this.i + 2);
        if (end < 0) throw this.error('unterminated "{{"', 'close it with "}}"', this.pos());
        this.advance(end - this.i);
        continue;
      }
      if (this.src[this.i] === '<') {
        const next = this.src[this.i + 1] ?? '';
        if (NAME_START.test(next) || next === '/' || this.startsWith('<!--')) break;
      }
      this.advance(1);
    }
    const value = this.src.slice(start, this.i);
    if (value.length === 0) return;
    this.count(pos);
    parent.children.push({ type: 'text', value, pos, file: this.file });
  }
}
