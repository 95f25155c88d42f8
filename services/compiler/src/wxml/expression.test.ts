import { describe, expect, it } from 'vitest';
import { CompileError } from '../errors.ts';
import { compileSnippet } from '../testing/compile-snippet.ts';
import { textOf } from '../testing/module-loader.ts';
import { ExpressionError, parseExpression } from './expression.ts';

const show = (expr: string, data: Record<string, unknown> = {}) =>
  textOf(compileSnippet(`{{${expr}}}`).render(data));

describe('WXML expressions', () => {
  it('evaluates operators with JavaScript precedence', () => {
    expect(show('1 + 2 * 3')).toBe('7');
    expect(show('(1 + 2) * 3')).toBe('9');
    expect(show('a > 1 && b || c', { a: 2, b: 0, c: 'c' })).toBe('c');
    expect(show('a ?? "d"', { a: null })).toBe('d');
    expect(show('!flag ? "no" : x === 1 ? "one" : "other"', { flag: true, x: 1 })).toBe('one');
    expect(show('-n + +"2" % 2', { n: 3 })).toBe('-3');
    expect(show('"a" + 1 + 2')).toBe('a12');
    expect(show("'it\\'s' + \"\\u0041\"")).toBe("it'sA");
    expect(show('typeof x', { x: 1 })).toBe('number');
    expect(show('0x10 + 1e2 + .5')).toBe('116.5');
  });

  it('reads members safely (missing paths are empty, never throw)', () => {
    expect(show('a.b.c', { a: { b: { c: 'deep' } } })).toBe('deep');
    expect(show('a.b.c')).toBe('');
    expect(show('list[1].name', { list: [{}, { name: 'n' }] })).toBe('n');
    expect(show('s.length + arr.length', { s: 'abc', arr: [1, 2] })).toBe('5');
    expect(show('s[1]', { s: 'abc' })).toBe('b');
    expect(show('o[k]', { o: { x: 'X' }, k: 'x' })).toBe('X');
  });

  it('does not reach prototypes (no constructor, __proto__ or toString through data)', () => {
    expect(show('a.constructor', { a: {} })).toBe('');
    expect(show('a.__proto__', { a: {} })).toBe('');
    expect(show('s.constructor.name', { s: 'x' })).toBe('');
    expect(show('toString')).toBe('');
  });

  it('builds array and object literals with spread', () => {
    expect(show('[1, ...a, 4].length', { a: [2, 3] })).toBe('4');
    expect(show('[...notArray].length', { notArray: 5 })).toBe('0');
    expect(show('{a: 1, ...o, "b-c": 2}', { o: { z: 'Z' } })).toBe('{"a":1,"z":"Z","b-c":2}');
    const s = compileSnippet('{{ {"__proto__": {"polluted": 1}} }}');
    expect(textOf(s.render())).toBe('{"__proto__":{"polluted":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects what WXML does not allow, with the position', () => {
    for (const bad of ['a = 1', 'a => a', 'new X', '`t`', 'a; b', 'a | b', 'x in y']) {
      expect(() => compileSnippet(`<view>\n  {{${bad}}}</view>`), bad).toThrow(CompileError);
    }
    try {
      compileSnippet('<view>\n  <text>{{ a + }}</text></view>');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      const err = e as CompileError;
      expect(err.code).toBe('WXML_EXPRESSION');
      expect(err.file).toBe('pages/p/p.wxml');
      expect(err.line).toBe(2);
      expect(err.column).toBeGreaterThan(8);
      expect(err.message).toMatch(/end of expression/);
    }
  });

  it('only calls functions of wxs modules; any other call renders nothing, with a report entry, as in WeChat', () => {
    for (const call of ['data.fn(1)', 'fn()', 'name.trim().length', 'JSON.stringify(x)']) {
      const other = compileSnippet(`<view>[{{ ${call} }}]</view>`);
      expect(textOf(other.render({ data: { fn: 'x' }, name: ' a ', x: {} })), call).toBe('[]');
      expect(other.compat.entries.map((w) => w.feature)).toEqual(['wxml:call']);
    }
    const s = compileSnippet(
      '<wxs module="m">module.exports = { up: function (s) { return s.toUpperCase(); } };</wxs>{{ m.up(name) }}',
    );
    expect(textOf(s.render({ name: 'abc' }))).toBe('ABC');
    // A data field named like the module does not shadow the wxs module.
    expect(textOf(s.render({ name: 'x', m: { up: 'not a function' } }))).toBe('X');
  });

  it('rejects pathological nesting and unterminated strings', () => {
    expect(() => parseExpression(`${'('.repeat(500)}1${')'.repeat(500)}`)).toThrow(ExpressionError);
    expect(() => parseExpression('"abc')).toThrow(/unterminated/);
    expect(() => parseExpression('')).toThrow(/empty/);
  });
});
