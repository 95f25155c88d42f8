// Parser for the expressions inside WXML `{{ }}`: literals, identifiers, member access,
// unary/binary/logical operators, ternaries, array and object literals with spread, and calls
// of wxs module functions. WeChat's template-data shorthand (`{{a: 1, ...b}}`, an object body
// without braces) is accepted where `allowObjectBody` is set.

export type Expr =
  | { k: 'lit'; value: string | number | boolean | null | undefined }
  | { k: 'id'; name: string; at: number }
  | { k: 'member'; object: Expr; property: Expr; computed: boolean }
  | { k: 'call'; callee: Expr; args: Expr[]; at: number }
  | { k: 'unary'; op: '!' | '-' | '+' | '~' | 'typeof'; arg: Expr }
  | { k: 'binary'; op: string; left: Expr; right: Expr }
  | { k: 'cond'; test: Expr; yes: Expr; no: Expr }
  | { k: 'array'; items: Array<{ spread: boolean; value: Expr }> }
  | {
      k: 'object';
      props: Array<{ spread: true; value: Expr } | { spread: false; key: string; value: Expr }>;
    };

export class ExpressionError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

type Tok =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'id'; v: string; at: number }
  | { t: 'p'; v: string; at: number }
  | { t: 'eof'; at: number };

const PUNCT = [
  '...',
  '===',
  '!==',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '.',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  ',',
  ':',
  '?',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '~',
];

const UNSUPPORTED_PUNCT = ['=>', '=', '&', '|', '^', '`', ';', '@', '#'];

export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
      if (!m) throw new ExpressionError('malformed number', i);
      out.push({ t: 'num', v: Number(m[0]), at: i });
      i += m[0].length;
      if (/[A-Za-z_$]/.test(src[i] ?? '')) throw new ExpressionError('identifier directly after a number', i);
      continue;
    }
    if (ch === '"' || ch === "'") {
      const start = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError('unterminated string literal', start);
        const c = src[i] ?? '';
        if (c === ch) {
          i++;
          break;
        }
        if (c === '\\') {
          const n = src[i + 1] ?? '';
          const map: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            b: '\b',
            f: '\f',
            v: '\v',
            '0': '\0',
          };
          if (n === 'u') {
            const hex = /^[0-9a-fA-F]{4}/.exec(src.slice(i + 2));
            if (!hex) throw new ExpressionError('bad \\u escape', i);
            v += String.fromCharCode(Number.parseInt(hex[0], 16));
            i += 6;
            continue;
          }
          v += map[n] ?? n;
          i += 2;
          continue;
        }
        v += c;
        i++;
      }
      out.push({ t: 'str', v, at: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
      const word = m?.[0] ?? ch;
      out.push({ t: 'id', v: word, at: i });
      i += word.length;
      continue;
    }
    const p = PUNCT.find((x) => src.startsWith(x, i));
    const bad = UNSUPPORTED_PUNCT.find((x) => src.startsWith(x, i));
    if (bad && (!p || bad.length > p.length || (bad === '=' && p !== '==' && p !== '==='))) {
      throw new ExpressionError(
        `"${bad}" is not allowed in WXML expressions (no assignments, bitwise operators, arrow functions or template literals)`,
        i,
      );
    }
    if (!p) throw new ExpressionError(`unexpected character "${ch}"`, i);
    out.push({ t: 'p', v: p, at: i });
    i += p.length;
  }
  out.push({ t: 'eof', at: src.length });
  return out;
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '??': 1,
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '===': 4,
  '!==': 4,
  '<': 5,
  '>': 5,
  '<=': 5,
  '>=': 5,
  in: 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

const MAX_DEPTH = 200;

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly toks: Tok[];
  constructor(toks: Tok[]) {
    this.toks = toks;
  }

  peek(): Tok {
    return this.toks[this.pos] ?? { t: 'eof', at: 0 };
  }
  next(): Tok {
    const t = this.peek();
    this.pos++;
    return t;
  }
  isP(v: string): boolean {
    const t = this.peek();
    return t.t === 'p' && t.v === v;
  }
  expectP(v: string): void {
    const t = this.next();
    if (t.t !== 'p' || t.v !== v) throw new ExpressionError(`expected "${v}" but found ${describe(t)}`, t.at);
  }
  enter(at: number): void {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError('expression is nested too deeply', at);
  }
  leave(): void {
    this.depth--;
  }

  expression(): Expr {
    this.enter(this.peek().at);
    const test = this.binary(0);
    let out = test;
    if (this.isP('?')) {
      this.next();
      const a = this.expression();
      this.expectP(':');
      const b = this.expression();
      out = { k: 'cond', test, yes: a, no: b };
    }
    this.leave();
    return out;
  }

  binary(minPrec: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.t === 'p' || (t.t === 'id' && t.v === 'in') ? t.v : '';
      const prec = BINARY_PRECEDENCE[op];
      if (prec === undefined || prec <= minPrec) return left;
      this.next();
      const right = this.binary(prec);
      left = { k: 'binary', op, left, right };
    }
  }

  unary(): Expr {
    const t = this.peek();
    if (t.t === 'p' && (t.v === '!' || t.v === '-' || t.v === '+' || t.v === '~')) {
      this.next();
      this.enter(t.at);
      const arg = this.unary();
      this.leave();
      return { k: 'unary', op: t.v, arg };
    }
    if (t.t === 'id' && t.v === 'typeof') {
      this.next();
      return { k: 'unary', op: 'typeof', arg: this.unary() };
    }
    return this.postfix(this.primary());
  }

  postfix(expr: Expr): Expr {
    let e = expr;
    for (;;) {
      const t = this.peek();
      if (t.t === 'p' && (t.v === '.' || t.v === '?.')) {
        this.next();
        const name = this.next();
        if (name.t !== 'id') throw new ExpressionError(`expected a property name after "${t.v}"`, name.at);
        e = { k: 'member', object: e, property: { k: 'lit', value: name.v }, computed: false };
      } else if (t.t === 'p' && t.v === '[') {
        this.next();
        const prop = this.expression();
        this.expectP(']');
        e = { k: 'member', object: e, property: prop, computed: true };
      } else if (t.t === 'p' && t.v === '(') {
        this.next();
        const args: Expr[] = [];
        while (!this.isP(')')) {
          args.push(this.expression());
          if (!this.isP(')')) this.expectP(',');
        }
        this.expectP(')');
        e = { k: 'call', callee: e, args, at: t.at };
      } else {
        return e;
      }
    }
  }

  primary(): Expr {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return { k: 'lit', value: t.v };
      case 'str':
        return { k: 'lit', value: t.v };
      case 'id':
        if (t.v === 'true') return { k: 'lit', value: true };
        if (t.v === 'false') return { k: 'lit', value: false };
        if (t.v === 'null') return { k: 'lit', value: null };
        if (t.v === 'undefined') return { k: 'lit', value: undefined };
        // Other words, keywords included ("class", "new", "this" as a wxs module name), are names
        // looked up in the data and wxs modules, as in WeChat.
        return { k: 'id', name: t.v, at: t.at };
      case 'p':
        if (t.v === '(') {
          const e = this.expression();
          this.expectP(')');
          return e;
        }
        if (t.v === '[') return this.arrayLiteral();
        if (t.v === '{') {
          const o = this.objectBody('}');
          this.expectP('}');
          return o;
        }
        throw new ExpressionError(`unexpected "${t.v}"`, t.at);
      default:
        throw new ExpressionError('unexpected end of expression', t.at);
    }
  }

  arrayLiteral(): Expr {
    const items: Array<{ spread: boolean; value: Expr }> = [];
    while (!this.isP(']')) {
      if (this.isP('...')) {
        this.next();
        items.push({ spread: true, value: this.expression() });
      } else {
        items.push({ spread: false, value: this.expression() });
      }
      if (!this.isP(']')) this.expectP(',');
    }
    this.expectP(']');
    return { k: 'array', items };
  }

  objectBody(end: string): Expr & { k: 'object' } {
    const props: Array<{ spread: true; value: Expr } | { spread: false; key: string; value: Expr }> = [];
    while (!(end === 'eof' ? this.peek().t === 'eof' : this.isP(end))) {
      if (this.isP('...')) {
        this.next();
        props.push({ spread: true, value: this.expression() });
      } else {
        const keyTok = this.next();
        let key: string;
        if (keyTok.t === 'id' || keyTok.t === 'str') key = keyTok.v;
        else if (keyTok.t === 'num') key = String(keyTok.v);
        else throw new ExpressionError(`expected a property name but found ${describe(keyTok)}`, keyTok.at);
        if (this.isP(':')) {
          this.next();
          props.push({ spread: false, key, value: this.expression() });
        } else if (keyTok.t === 'id') {
          props.push({ spread: false, key, value: { k: 'id', name: key, at: keyTok.at } });
        } else {
          throw new ExpressionError(`expected ":" after property "${key}"`, this.peek().at);
        }
      }
      if (end === 'eof' ? this.peek().t !== 'eof' : !this.isP(end)) this.expectP(',');
    }
    return { k: 'object', props };
  }

  /** `{{ a: 1, ...b }}` — an object body without braces (WeChat template data shorthand). */
  looksLikeObjectBody(): boolean {
    const a = this.toks[this.pos];
    const b = this.toks[this.pos + 1];
    if (a?.t === 'p' && a.v === '...') return true;
    return (a?.t === 'id' || a?.t === 'str') && b?.t === 'p' && (b.v === ':' || b.v === ',');
  }
}

function describe(t: Tok): string {
  if (t.t === 'eof') return 'the end of the expression';
  return `"${String(t.v)}"`;
}

export function parseExpression(src: string, options: { allowObjectBody?: boolean } = {}): Expr {
  const toks = tokenize(src);
  const p = new Parser(toks);
  if (p.peek().t === 'eof') throw new ExpressionError('empty expression', 0);
  let e: Expr;
  if (options.allowObjectBody && p.looksLikeObjectBody()) {
    e = p.objectBody('eof');
  } else {
    e = p.expression();
  }
  const rest = p.peek();
  if (rest.t !== 'eof')
    throw new ExpressionError(`unexpected ${describe(rest)} after the expression`, rest.at);
  return e;
}
