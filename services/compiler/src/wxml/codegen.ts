// WXML → JavaScript module text (see @tessera/runtime-sdk/render/contract). Every expression is
// parsed and compiled here; data only ever becomes text nodes or attribute values.

import { MODEL_HANDLER_PREFIX } from '@tessera/runtime-sdk/render/contract';
import { type CompatReporter, CompileError, type SourcePosition } from '../errors.ts';
import type { WxmlAttr, WxmlElement, WxmlNode } from './ast.ts';
import { STRUCTURAL_TAGS, SUPPORTED_BUILTINS, UNSUPPORTED_BUILTINS } from './builtins.ts';
import { type Expr, ExpressionError, parseExpression } from './expression.ts';
import { isPureExpression, offsetPos, type Part, splitInterpolation } from './interpolation.ts';
import { parseWxml } from './parser.ts';
import { resolvePackagePath } from './paths.ts';
import { PRELUDE, PRELUDE_IMPORT } from './prelude.ts';

export interface WxmlOwner {
  /** Classes added to every element this page/component renders (style isolation). */
  scopeClass: string;
  /** Custom component aliases visible to this page/component (usingComponents). */
  components: ReadonlySet<string>;
}

export interface CompileWxmlInput {
  /** Package-relative path, e.g. "pages/index/index.wxml". */
  file: string;
  source: string;
  /** Present when the file is the template of a page or component. */
  owner?: WxmlOwner;
  /** Reads another package file's text (for <include>); undefined when missing. */
  readText(path: string): string | undefined;
  /** Compiles inline <wxs> code (ES5 subset) into a CommonJS body; relative requires resolved. */
  compileWxs(code: string, file: string, pos: SourcePosition): string;
  compat: CompatReporter;
  /** Require the shared helper module (PRELUDE_MODULE) instead of inlining the helpers. */
  sharedPrelude?: boolean;
}

export interface CompileWxmlOutput {
  code: string;
  /** Package paths of .wxs files and imported .wxml files this module requires. */
  requires: string[];
}

const EVENT_ATTR = /^(capture-bind|capture-catch|mut-bind|bind|catch)(:?)([A-Za-z][\w-]*)$/;
const IDENT = /^[A-Za-z_$][\w$]*$/;
const MAX_INCLUDE_DEPTH = 16;

export function moduleId(path: string): string {
  return `/${path}`;
}

export function compileWxml(input: CompileWxmlInput): CompileWxmlOutput {
  const nodes = parseWxml(input.source, input.file, undefined, input.compat);
  return new Generator(input).module(nodes);
}

interface WxsDecl {
  name: string;
  varName: string;
  init: string;
}

class Generator {
  private lines: string[] = [];
  private n = 0;
  private locals: Array<Map<string, string>> = [];
  private readonly wxs = new Map<string, WxsDecl>();
  private readonly imports: string[] = [];
  private readonly templates = new Map<string, WxmlElement>();
  private readonly requires = new Set<string>();
  private readonly parsedIncludes = new Map<string, WxmlNode[]>();
  private includeStack: string[] = [];

  private readonly input: CompileWxmlInput;
  constructor(input: CompileWxmlInput) {
    this.input = input;
  }

  private err(
    code: 'WXML_EXPRESSION' | 'WXML_DIRECTIVE' | 'WXML_RESOLVE',
    file: string,
    pos: SourcePosition,
    msg: string,
    hint = '',
  ): CompileError {
    return new CompileError(code, file, pos, msg, hint);
  }

  private fresh(prefix: string): string {
    this.n++;
    return `${prefix}${this.n}`;
  }

  module(nodes: WxmlNode[]): CompileWxmlOutput {
    this.collect(nodes, this.input.file);
    const body: string[] = [];
    for (const decl of [...this.wxs.values()]) body.push(`var ${decl.varName} = ${decl.init};`);
    body.push(`var IMPORTS = ${JSON.stringify(this.imports.map(moduleId))};`);
    body.push('var OWN = {};');
    for (const [name, el] of this.templates) {
      body.push(`OWN[${JSON.stringify(name)}] = ${this.fn(el.children, false)};`);
    }
    body.push(`var R = ${this.fn(nodes, true)};`);
    body.push('module.exports = { render: R, templates: OWN };');
    const prelude = this.input.sharedPrelude ? PRELUDE_IMPORT : PRELUDE;
    const code = `__tesseraDefine(${JSON.stringify(moduleId(this.input.file))}, function (module, exports, require) {\n"use strict";\n${prelude}${body.join('\n')}\n});\n`;
    return { code, requires: [...this.requires].sort() };
  }

  /** Pre-pass: <wxs>, <import>, <template name> anywhere in the file (not in includes). */
  private collect(nodes: WxmlNode[], file: string): void {
    for (const node of nodes) {
      if (node.type !== 'element') continue;
      if (node.tag === 'wxs') {
        this.declareWxs(node, file);
        continue;
      }
      if (node.tag === 'import') {
        const src = this.staticAttr(node, 'src', file, true) ?? '';
        const path = this.resolveRef(file, src, node.pos, '.wxml');
        if (!this.input.readText(path)) {
          throw this.err(
            'WXML_RESOLVE',
            file,
            node.pos,
            `imported file "${src}" does not exist`,
            'fix the src path',
          );
        }
        if (!this.imports.includes(path)) this.imports.push(path);
        this.requires.add(path);
        continue;
      }
      if (node.tag === 'template' && this.attr(node, 'name')) {
        const name = this.staticAttr(node, 'name', file, true) ?? '';
        if (this.templates.has(name)) {
          this.input.compat.add(
            file,
            node.pos,
            'template-redefined',
            `template "${name}" is defined twice; the last one wins`,
          );
        }
        this.templates.set(name, node);
        continue;
      }
      this.collect(node.children, file);
    }
  }

  private declareWxs(node: WxmlElement, file: string): void {
    const name = this.staticAttr(node, 'module', file, true) ?? '';
    if (!IDENT.test(name)) {
      throw this.err(
        'WXML_DIRECTIVE',
        file,
        node.pos,
        `wxs module name "${name}" is not a valid identifier`,
        'use letters, digits and _',
      );
    }
    if (this.wxs.has(name))
      throw this.err('WXML_DIRECTIVE', file, node.pos, `wxs module "${name}" is declared twice`);
    const varName = this.fresh('w');
    const src = this.staticAttr(node, 'src', file, false);
    if (src !== undefined) {
      const path = this.resolveRef(file, src, node.pos, '');
      if (!path.endsWith('.wxs'))
        throw this.err('WXML_RESOLVE', file, node.pos, `wxs src "${src}" must be a .wxs file`);
      if (this.input.readText(path) === undefined) {
        throw this.err(
          'WXML_RESOLVE',
          file,
          node.pos,
          `wxs file "${src}" does not exist`,
          'fix the src path',
        );
      }
      this.requires.add(path);
      this.wxs.set(name, { name, varName, init: `require(${JSON.stringify(moduleId(path))})` });
      return;
    }
    const text = node.children.map((c) => (c.type === 'text' ? c.value : '')).join('');
    const pos = node.children[0]?.pos ?? node.pos;
    const compiled = this.input.compileWxs(text, file, pos);
    for (const m of compiled.matchAll(/require\("(\/[^"]+\.wxs)"\)/g))
      if (m[1]) this.requires.add(m[1].slice(1));
    this.wxs.set(name, {
      name,
      varName,
      init: `(function () { var module = { exports: {} }; (function (module, exports) {\n${compiled}\n})(module, module.exports); return module.exports; })()`,
    });
  }

  private resolveRef(file: string, spec: string, pos: SourcePosition, ext: string): string {
    const withExt = ext && !spec.endsWith(ext) ? spec + ext : spec;
    const path = resolvePackagePath(file, withExt);
    if (!path)
      throw this.err(
        'WXML_RESOLVE',
        file,
        pos,
        `path "${spec}" points outside the package`,
        'use a path inside the mini-program',
      );
    return path;
  }

  private attr(el: WxmlElement, name: string): WxmlAttr | undefined {
    return el.attrs.find((a) => a.name === name);
  }

  private staticAttr(el: WxmlElement, name: string, file: string, required: boolean): string | undefined {
    const a = this.attr(el, name);
    if (!a || a.value === null) {
      if (required) throw this.err('WXML_DIRECTIVE', file, el.pos, `<${el.tag}> needs a "${name}" attribute`);
      return undefined;
    }
    if (a.value.includes('{{')) {
      throw this.err(
        'WXML_DIRECTIVE',
        file,
        a.valuePos,
        `"${name}" of <${el.tag}> must be a static value, not {{ }}`,
      );
    }
    return a.value;
  }

  /** A function (d, rt) → VNode[] over `nodes`. */
  private fn(nodes: WxmlNode[], isRender: boolean): string {
    const saved = this.lines;
    const savedLocals = this.locals;
    this.lines = [];
    this.locals = [];
    const scope =
      isRender && this.input.owner ? `rt = SC(rt, ${JSON.stringify(this.input.owner.scopeClass)}); ` : '';
    this.nodes(nodes, 'c0');
    const text = `function (d, rt) { ${scope}var S = rt.toStr.bind(rt), c0 = [];\n${this.lines.join('\n')}\nreturn c0; }`;
    this.lines = saved;
    this.locals = savedLocals;
    return text;
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  // ---- expressions -------------------------------------------------------------------------

  private parse(
    source: string,
    file: string,
    base: SourcePosition,
    _offset: number,
    objectBody: 'no' | 'auto' | 'force',
  ): Expr {
    try {
      if (
        objectBody === 'force' &&
        !/^\s*\.\.\.|^\s*[\w$'"]+\s*[:,]/.test(source) &&
        /^\s*[A-Za-z_$][\w$]*\s*$/.test(source)
      ) {
        // `data="{{item}}"` is WeChat shorthand for `{item: item}`.
        return parseExpression(`{${source}}`);
      }
      return parseExpression(source, { allowObjectBody: objectBody !== 'no' });
    } catch (e) {
      if (e instanceof ExpressionError) {
        throw this.err(
          'WXML_EXPRESSION',
          file,
          offsetPos(source, e.offset, offsetPos('', 0, base)),
          `${e.message} in "{{${source.trim()}}}"`,
          'fix the expression',
        );
      }
      throw e;
    }
  }

  private lookup(name: string): string | undefined {
    for (let i = this.locals.length - 1; i >= 0; i--) {
      const v = this.locals[i]?.get(name);
      if (v) return v;
    }
    return undefined;
  }

  private js(e: Expr, file: string, pos: SourcePosition): string {
    switch (e.k) {
      case 'lit':
        return e.value === undefined ? 'undefined' : JSON.stringify(e.value);
      case 'id': {
        const local = this.lookup(e.name);
        if (local) return local;
        const w = this.wxs.get(e.name);
        if (w) return w.varName;
        return `G(d, ${JSON.stringify(e.name)})`;
      }
      case 'member':
        return `G(${this.js(e.object, file, pos)}, ${this.js(e.property, file, pos)})`;
      case 'call': {
        let root: Expr = e.callee;
        while (root.k === 'member') root = root.object;
        const rootIsWxs = root.k === 'id' && !this.lookup(root.name) && this.wxs.has(root.name);
        if (!rootIsWxs) {
          // WeChat evaluates a call of anything but a wxs function to nothing: so does Tessera
          this.input.compat.add(
            file,
            pos,
            'wxml:call',
            `a call of "${describeCallee(e.callee)}" renders nothing (only functions of wxs modules can be called in WXML, as in WeChat) — compute the value in page JS (setData) or use a <wxs> module`,
          );
          return 'undefined';
        }
        const args = e.args.map((a) => this.js(a, file, pos)).join(', ');
        // a wxs module whose export is itself a function: {{ fmt(x) }}
        if (e.callee.k === 'id') return `C(${this.js(e.callee, file, pos)}, undefined, [${args}])`;
        if (e.callee.k !== 'member') return 'undefined';
        const obj = this.js(e.callee.object, file, pos);
        return `(function (o) { return C(G(o, ${this.js(e.callee.property, file, pos)}), o, [${args}]); })(${obj})`;
      }
      case 'unary':
        return e.op === 'typeof'
          ? `(typeof ${this.js(e.arg, file, pos)})`
          : `(${e.op}${this.js(e.arg, file, pos)})`;
      case 'binary':
        if (e.op === 'in')
          throw this.err('WXML_EXPRESSION', file, pos, '"in" is not supported in WXML expressions');
        return `(${this.js(e.left, file, pos)} ${e.op} ${this.js(e.right, file, pos)})`;
      case 'cond':
        return `(${this.js(e.test, file, pos)} ? ${this.js(e.yes, file, pos)} : ${this.js(e.no, file, pos)})`;
      case 'array':
        return `[${e.items.map((i) => (i.spread ? `...SA(${this.js(i.value, file, pos)})` : this.js(i.value, file, pos))).join(', ')}]`;
      case 'object': {
        const segments: string[] = [];
        let pairs: string[] = [];
        for (const p of e.props) {
          if (p.spread) {
            if (pairs.length) segments.push(`O([${pairs.join(', ')}])`);
            pairs = [];
            segments.push(`SO(${this.js(p.value, file, pos)})`);
          } else {
            pairs.push(JSON.stringify(p.key), this.js(p.value, file, pos));
          }
        }
        if (segments.length === 0) return `O([${pairs.join(', ')}])`;
        if (pairs.length) segments.push(`O([${pairs.join(', ')}])`);
        return `OS([${segments.join(', ')}])`;
      }
    }
  }

  /** The raw value of an attribute: a single {{expr}} keeps its type; anything else is a string. */
  private rawValue(a: WxmlAttr, file: string, objectBody: 'no' | 'auto' | 'force' = 'no'): string {
    if (a.value === null) return 'true';
    const parts = splitInterpolation(a.value, file, a.valuePos);
    if (isPureExpression(parts)) {
      const p = parts[0];
      return this.js(
        this.parse(p.source, file, offsetPos(a.value, p.offset, a.valuePos), p.offset, objectBody),
        file,
        a.valuePos,
      );
    }
    return this.concat(parts, a.value, file, a.valuePos);
  }

  private strValue(a: WxmlAttr, file: string): string {
    if (a.value === null) return '"true"';
    const parts = splitInterpolation(a.value, file, a.valuePos);
    return this.concat(parts, a.value, file, a.valuePos);
  }

  private concat(parts: Part[], whole: string, file: string, base: SourcePosition): string {
    if (parts.length === 0) return '""';
    return parts
      .map((p) =>
        p.kind === 'static'
          ? JSON.stringify(p.text)
          : `S(${this.js(this.parse(p.source, file, offsetPos(whole, p.offset, base), p.offset, 'no'), file, offsetPos(whole, p.offset, base))})`,
      )
      .join(' + ');
  }

  // ---- nodes -------------------------------------------------------------------------------

  private nodes(list: WxmlNode[], into: string): void {
    let i = 0;
    while (i < list.length) {
      const node = list[i] as WxmlNode;
      if (node.type === 'text') {
        this.text(node.value, node.file, node.pos, into);
        i++;
        continue;
      }
      const hasFor = !!(this.attr(node, 'wx:for') || this.attr(node, 'wx:for-items'));
      const ifAttr = this.attr(node, 'wx:if');
      const elseAttr = this.attr(node, 'wx:elif') ?? this.attr(node, 'wx:else');
      if (elseAttr) {
        throw this.err(
          'WXML_DIRECTIVE',
          node.file,
          elseAttr.pos,
          `${elseAttr.name} must directly follow an element with wx:if or wx:elif`,
          'add the wx:if element before it or remove the directive',
        );
      }
      if (ifAttr && !hasFor) {
        const chain: WxmlElement[] = [node];
        let j = i + 1;
        for (;;) {
          while (j < list.length && isDroppedText(list[j] as WxmlNode)) j++;
          const next = list[j];
          if (next?.type !== 'element') break;
          if (this.attr(next, 'wx:elif')) {
            chain.push(next);
            j++;
            continue;
          }
          if (this.attr(next, 'wx:else')) {
            chain.push(next);
            j++;
          }
          break;
        }
        chain.forEach((el, k) => {
          const cond = this.attr(el, k === 0 ? 'wx:if' : 'wx:elif');
          if (cond) {
            this.emit(`${k === 0 ? 'if' : '} else if'} (${this.rawValue(cond, el.file)}) {`);
          } else {
            this.emit('} else {');
          }
          this.element(el, into, true);
        });
        this.emit('}');
        i = j;
        continue;
      }
      this.element(node, into, false);
      i++;
    }
  }

  private text(value: string, file: string, pos: SourcePosition, into: string): void {
    if (isDroppedTextValue(value)) return;
    const parts = splitInterpolation(value, file, pos);
    this.emit(`${into}.push({ t: "text", text: ${this.concat(parts, value, file, pos)} });`);
  }

  private element(el: WxmlElement, into: string, ifHandled: boolean): void {
    const forAttr = this.attr(el, 'wx:for') ?? this.attr(el, 'wx:for-items');
    if (!forAttr) {
      this.body(el, into);
      return;
    }
    const file = el.file;
    const itemName = this.staticAttr(el, 'wx:for-item', file, false) ?? 'item';
    const indexName = this.staticAttr(el, 'wx:for-index', file, false) ?? 'index';
    for (const [n, v] of [
      ['wx:for-item', itemName],
      ['wx:for-index', indexName],
    ] as const) {
      if (!IDENT.test(v))
        throw this.err('WXML_DIRECTIVE', file, el.pos, `${n}="${v}" is not a valid identifier`);
    }
    const list = forAttr.value === null ? '[]' : this.rawValue(forAttr, file);
    const itemVar = this.fresh('l');
    const indexVar = this.fresh('l');
    const tmp = this.fresh('c');
    this.emit(`F(${list}, function (${itemVar}, ${indexVar}) { var ${tmp} = [];`);
    this.locals.push(
      new Map([
        [indexName, indexVar],
        [itemName, itemVar],
      ]),
    );
    const keyAttr = this.attr(el, 'wx:key');
    let key = `S(${indexVar})`;
    if (keyAttr?.value) {
      if (keyAttr.value === '*this') key = `S(${itemVar})`;
      else if (keyAttr.value.includes('{{')) key = this.strValue(keyAttr, file);
      else key = `S(G(${itemVar}, ${JSON.stringify(keyAttr.value)}))`;
    }
    const ifAttr = ifHandled ? undefined : this.attr(el, 'wx:if');
    if (ifAttr) this.emit(`if (${this.rawValue(ifAttr, file)}) {`);
    this.body(el, tmp);
    if (ifAttr) this.emit('}');
    this.locals.pop();
    this.emit(`K(${into}, ${tmp}, ${key}); });`);
  }

  private body(el: WxmlElement, into: string): void {
    const file = el.file;
    switch (el.tag) {
      case 'block':
        this.warnBlockAttrs(el);
        this.nodes(el.children, into);
        return;
      case 'wxs':
      case 'import':
        return;
      case 'template': {
        if (this.attr(el, 'name')) return;
        const is = this.attr(el, 'is');
        if (!is || is.value === null) {
          throw this.err(
            'WXML_DIRECTIVE',
            file,
            el.pos,
            '<template> needs either name="…" (definition) or is="…" (use)',
          );
        }
        const data = this.attr(el, 'data');
        const dataCode = data && data.value !== null ? this.rawValue(data, file, 'force') : '{}';
        this.emit(`T(${into}, TL(OWN, IMPORTS, ${this.strValue(is, file)}, rt), ${dataCode}, rt);`);
        return;
      }
      case 'include': {
        const src = this.staticAttr(el, 'src', file, true) ?? '';
        const path = this.resolveRef(file, src, el.pos, '.wxml');
        if (this.includeStack.includes(path) || path === this.input.file) {
          throw this.err(
            'WXML_RESOLVE',
            file,
            el.pos,
            `<include src="${src}"> includes itself (cycle: ${[...this.includeStack, path].join(' → ')})`,
          );
        }
        if (this.includeStack.length >= MAX_INCLUDE_DEPTH) {
          throw this.err('WXML_RESOLVE', file, el.pos, `includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
        }
        let parsed = this.parsedIncludes.get(path);
        if (!parsed) {
          const text = this.input.readText(path);
          if (text === undefined)
            throw this.err(
              'WXML_RESOLVE',
              file,
              el.pos,
              `included file "${src}" does not exist`,
              'fix the src path',
            );
          parsed = parseWxml(text, path, undefined, this.input.compat);
          this.parsedIncludes.set(path, parsed);
        }
        this.includeStack.push(path);
        this.nodes(withoutDefinitions(parsed), into);
        this.includeStack.pop();
        return;
      }
      case 'slot': {
        const name = this.attr(el, 'name');
        this.emit(`${into}.push({ t: "slot", name: ${name ? this.strValue(name, file) : '""'} });`);
        return;
      }
    }
    const owner = this.input.owner;
    const isComponent = owner
      ? owner.components.has(el.tag)
      : !SUPPORTED_BUILTINS.has(el.tag) && !UNSUPPORTED_BUILTINS.has(el.tag) && !STRUCTURAL_TAGS.has(el.tag);
    if (!isComponent) {
      if (UNSUPPORTED_BUILTINS.has(el.tag)) {
        this.input.compat.add(
          file,
          el.pos,
          `builtin:${el.tag}`,
          `<${el.tag}> is not supported by the Tessera runtime; it renders as an empty element`,
        );
      } else if (!SUPPORTED_BUILTINS.has(el.tag) && owner) {
        this.input.compat.add(
          file,
          el.pos,
          'unknown-tag',
          `<${el.tag}> is neither a built-in component nor in usingComponents; it renders as a plain element`,
        );
      }
    }
    this.node(el, into, isComponent);
  }

  /**
   * `model:attr="{{path}}"` on a built-in control: the attribute as usual, plus an event binding
   * that sets `path` in the owner's data (see modelPath).
   */
  private modelBinding(el: WxmlElement, a: WxmlAttr): { event: string; path: string } | undefined {
    const event = MODEL_EVENTS[el.tag]?.[a.name.slice('model:'.length)];
    if (!event) {
      const supported = Object.entries(MODEL_EVENTS)
        .map(([t, m]) => `<${t} model:${Object.keys(m)[0]}>`)
        .join(', ');
      this.reportModel(el, a, `two-way binding is supported on ${supported} and custom components`);
      return undefined;
    }
    const path = this.modelPath(el, a);
    return path ? { event, path } : undefined;
  }

  private reportModel(el: WxmlElement, a: WxmlAttr, why: string): void {
    this.input.compat.add(
      el.file,
      a.pos,
      'model',
      `"${a.name}" on <${el.tag}>: ${why}; it is bound one way only`,
    );
  }

  /**
   * The owner's data path a model: value binds: a data field or a sub-field of one (`a`, `a.b`,
   * `a[0]`, `a['k']`); anything else is reported and left one-way.
   */
  private modelPath(el: WxmlElement, a: WxmlAttr): string | undefined {
    const parts = a.value === null ? [] : splitInterpolation(a.value, el.file, a.valuePos);
    const p = parts[0];
    if (!isPureExpression(parts) || !p || p.kind !== 'expr') {
      this.reportModel(el, a, 'the value must be a single {{ field }}');
      return undefined;
    }
    let expr: Expr;
    try {
      expr = parseExpression(p.source);
    } catch {
      return undefined; // reported as an expression error by the attribute itself
    }
    const path = this.dataPath(expr);
    if (!path) this.reportModel(el, a, 'the value must be a data field or a sub-field of one (a, a.b, a[0])');
    return path;
  }

  private dataPath(e: Expr): string | undefined {
    if (e.k === 'id') return this.lookup(e.name) || this.wxs.has(e.name) ? undefined : e.name;
    if (e.k !== 'member' || e.property.k !== 'lit') return undefined;
    const base = this.dataPath(e.object);
    const key = e.property.value;
    if (base === undefined) return undefined;
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0) return `${base}[${key}]`;
    return typeof key === 'string' && IDENT.test(key) ? `${base}.${key}` : undefined;
  }

  private warnBlockAttrs(el: WxmlElement): void {
    for (const a of el.attrs) {
      if (!a.name.startsWith('wx:')) {
        this.input.compat.add(
          el.file,
          a.pos,
          'block-attribute',
          `<block> renders no element, so "${a.name}" has no effect`,
        );
      }
    }
  }

  private node(el: WxmlElement, into: string, isComponent: boolean): void {
    const file = el.file;
    const attrs: string[] = [];
    const dataset: string[] = [];
    const events: string[] = [];
    const generics: string[] = [];
    const models: string[] = [];
    let classes = '""';
    let style: string | undefined;
    let hidden: string | undefined;
    let slotName: string | undefined;
    let id: string | undefined;
    for (const a of el.attrs) {
      const name = a.name;
      if (name.startsWith('wx:')) {
        if (
          ![
            'wx:if',
            'wx:elif',
            'wx:else',
            'wx:for',
            'wx:for-items',
            'wx:for-item',
            'wx:for-index',
            'wx:key',
          ].includes(name)
        ) {
          this.input.compat.add(
            file,
            a.pos,
            'directive',
            `"${name}" is not a WXML directive Tessera knows; it is ignored`,
          );
        }
        continue;
      }
      const ev = EVENT_ATTR.exec(name);
      if (ev) {
        const handler = a.value === null ? '""' : this.strValue(a, file);
        events.push(
          `{ name: ${JSON.stringify(ev[3])}, handler: ${handler}, mode: ${JSON.stringify(ev[1])} }`,
        );
        continue;
      }
      if (name.startsWith('data-')) {
        dataset.push(JSON.stringify(datasetKey(name.slice(5))), this.rawValue(a, file));
        continue;
      }
      if (name.startsWith('model:') && isComponent) {
        // a custom component's own setData of the property updates the owner's data path
        const prop = camelCase(name.slice('model:'.length));
        attrs.push(JSON.stringify(prop), this.rawValue(a, file));
        const path = this.modelPath(el, a);
        if (path) models.push(JSON.stringify(prop), JSON.stringify(path));
        continue;
      }
      if (name.startsWith('model:')) {
        const model = this.modelBinding(el, a);
        attrs.push(JSON.stringify(name.slice('model:'.length)), this.strValue(a, file));
        if (model) {
          events.push(
            `{ name: ${JSON.stringify(model.event)}, handler: ${JSON.stringify(`${MODEL_HANDLER_PREFIX}${model.path}`)}, mode: "bind" }`,
          );
        }
        continue;
      }
      if (name.startsWith('generic:') && isComponent) {
        generics.push(JSON.stringify(name.slice('generic:'.length)), this.strValue(a, file));
        continue;
      }
      if (name.startsWith('generic:')) {
        this.input.compat.add(
          file,
          a.pos,
          name.split(':')[0] ?? name,
          `"${name}" on <${el.tag}>: generic: fills a custom component's componentGenerics, and <${el.tag}> is not one; it is ignored`,
        );
        continue;
      }
      switch (name) {
        case 'class':
          classes = this.strValue(a, file);
          continue;
        case 'style':
          style = `X(${this.strValue(a, file)})`;
          continue;
        case 'hidden':
          hidden = `!!(${this.rawValue(a, file)})`;
          continue;
        case 'slot':
          slotName = this.strValue(a, file);
          continue;
        case 'id':
          if (isComponent) {
            id = this.strValue(a, file);
            continue;
          }
          break;
      }
      if (isComponent) attrs.push(JSON.stringify(camelCase(name)), this.rawValue(a, file));
      else attrs.push(JSON.stringify(name), this.strValue(a, file));
    }
    const children = this.fresh('c');
    this.emit(`var ${children} = [];`);
    this.nodes(el.children, children);
    const fields = [
      isComponent ? 't: "comp"' : 't: "el"',
      `tag: ${JSON.stringify(el.tag)}`,
      `${isComponent ? 'props' : 'attrs'}: O([${attrs.join(', ')}])`,
      `classes: CL(rt, ${classes})`,
      `dataset: O([${dataset.join(', ')}])`,
      `events: [${events.join(', ')}]`,
      `children: ${children}`,
    ];
    if (style) fields.push(`style: ${style}`);
    if (hidden) fields.push(`hidden: ${hidden}`);
    if (slotName) fields.push(`slotName: ${slotName}`);
    if (id) fields.push(`id: ${id}`);
    if (generics.length) fields.push(`generics: O([${generics.join(', ')}])`);
    if (models.length) fields.push(`models: O([${models.join(', ')}])`);
    this.emit(`${into}.push({ ${fields.join(', ')} });`);
  }
}

/** Built-in controls that support model: (WeChat's two-way binding): attribute → event carrying detail.value. */
const MODEL_EVENTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  input: { value: 'input' },
  textarea: { value: 'input' },
  slider: { value: 'change' },
  picker: { value: 'change' },
  switch: { checked: 'change' },
};

function isDroppedTextValue(value: string): boolean {
  return /^\s*$/.test(value) && value.includes('\n');
}

function isDroppedText(node: WxmlNode): boolean {
  return node.type === 'text' && isDroppedTextValue(node.value);
}

/** <include> brings everything except <template> definitions, <wxs> and <import>. */
function withoutDefinitions(nodes: WxmlNode[]): WxmlNode[] {
  return nodes
    .filter(
      (n) =>
        n.type === 'text' ||
        !(
          n.tag === 'wxs' ||
          n.tag === 'import' ||
          (n.tag === 'template' && n.attrs.some((a) => a.name === 'name'))
        ),
    )
    .map((n) => (n.type === 'element' ? { ...n, children: withoutDefinitions(n.children) } : n));
}

/** data-foo-bar → fooBar; data-fooBar → foobar (WeChat: dashes to camelCase, upper case lowered). */
export function datasetKey(raw: string): string {
  return raw.toLowerCase().replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function camelCase(raw: string): string {
  return raw.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function describeCallee(e: Expr): string {
  if (e.k === 'id') return e.name;
  if (e.k === 'member') {
    const prop = e.property.k === 'lit' ? String(e.property.value) : '[…]';
    return `${describeCallee(e.object)}.${prop}`;
  }
  return '(…)';
}
