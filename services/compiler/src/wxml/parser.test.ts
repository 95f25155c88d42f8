import { describe, expect, it } from 'vitest';
import { CompileError } from '../errors.ts';
import type { WxmlElement } from './ast.ts';
import { parseWxml } from './parser.ts';

function err(src: string): CompileError {
  try {
    parseWxml(src, 'pages/x.wxml');
  } catch (e) {
    if (e instanceof CompileError) return e;
    throw e;
  }
  throw new Error('expected a CompileError');
}

describe('WXML parser', () => {
  it('keeps positions on elements, attributes and text', () => {
    const [root] = parseWxml('<view a="1"\n  b>\n  hi {{x > 1 ? "<" : ">"}}</view>', 'f.wxml') as [
      WxmlElement,
    ];
    expect(root.pos).toEqual({ line: 1, column: 1 });
    expect(root.attrs.map((a) => [a.name, a.value, a.pos.line, a.pos.column])).toEqual([
      ['a', '1', 1, 7],
      ['b', null, 2, 3],
    ]);
    expect(root.children[0]).toMatchObject({ type: 'text', pos: { line: 2, column: 5 } });
    expect((root.children[0] as { value: string }).value).toContain('"<"');
  });

  it('accepts quotes and > inside {{ }} in attribute values, comments and raw wxs', () => {
    const nodes = parseWxml(
      `<!-- <view> --><view class="{{ a > b ? 'x' : "y" }}"/><wxs module="m">var a = 1 < 2;</wxs>`,
      'f.wxml',
    );
    expect(nodes).toHaveLength(2);
    expect((nodes[0] as WxmlElement).attrs[0]?.value).toBe(`{{ a > b ? 'x' : "y" }}`);
    expect(((nodes[1] as WxmlElement).children[0] as { value: string }).value).toBe('var a = 1 < 2;');
  });

  it('reports mismatched, unclosed and stray tags with line and column', () => {
    expect(err('<view>\n  <text></view>')).toMatchObject({ line: 2, column: 9, code: 'WXML_SYNTAX' });
    expect(err('<view>\n  <text></view>').message).toMatch(/does not match <text> opened at 2:3/);
    expect(err('<view>\n<text>').message).toMatch(/<text> is never closed/);
    expect(err('</view>').message).toMatch(/no matching opening tag/);
    expect(err('<view a=1/>').message).toMatch(/must be quoted/);
    expect(err('<view a="{{x"/>').message).toMatch(/unterminated/);
    expect(err('text {{ open').message).toMatch(/unterminated "\{\{"/);
    expect(err('<!-- never closed').message).toMatch(/unterminated comment/);
  });

  it('bounds nesting depth and node count (hostile input)', () => {
    expect(err('<view>'.repeat(300) + '</view>'.repeat(300)).message).toMatch(/nested deeper than 256/);
    const many = '<text/>'.repeat(200_001);
    expect(err(many).message).toMatch(/more than 200000 nodes/);
  });
});
