import { describe, expect, it } from 'vitest';
import { CompatReporter, CompileError } from '../errors.ts';
import { compileWxss } from './compile.ts';
import { convertRpx, rpxToVw } from './rpx.ts';

const css = (source: string, files: Record<string, string> = {}, scope?: string) =>
  compileWxss({
    file: 'a.wxss',
    source,
    readText: (p) => files[p],
    compat: new CompatReporter(),
    ...(scope ? { scope } : {}),
  });

describe('WXSS', () => {
  it('converts rpx with 750rpx = 100vw, outside strings and url()', () => {
    expect(rpxToVw(750)).toBe('100vw');
    expect(rpxToVw(1)).toBe('0.1333vw');
    expect(rpxToVw(0)).toBe('0');
    expect(convertRpx('margin: -15rpx .75rpx')).toBe('margin: -2vw 0.1vw');
    expect(css('.a { width: 375rpx; content: "3rpx"; background: url(x-3rpx.png) }')).toBe(
      '.a{width:50vw;content:"3rpx";background:url(x-3rpx.png)}',
    );
  });

  it('inlines @import once (relative and absolute), rejecting cycles and missing files', () => {
    const files = {
      'common/a.wxss': '@import "/common/b.wxss"; .a{color:red}',
      'common/b.wxss': '.b{color:blue}',
    };
    expect(css('@import "common/a.wxss";\n@import "/common/b";\n.c{}', files)).toBe(
      '.b{color:blue}\n.a{color:red}\n.c{}',
    );
    expect(() => css('@import "x.wxss";', { 'x.wxss': '@import "a.wxss";', 'a.wxss': '' })).toThrow(/cycle/);
    expect(() => css('\n  @import "missing.wxss";')).toThrow(
      /a.wxss:2:3: @import "missing.wxss": file not found/,
    );
    expect(() => css('@import "../../outside.wxss";')).toThrow(/outside the package/);
  });

  it('maps page to body, tags to wx-*, and scopes every compound selector', () => {
    expect(css('page, view .a > text::before, .b:hover { color: red }', {}, 't-1')).toBe(
      'body,wx-view.t-1 .a.t-1>wx-text.t-1::before,.b:hover.t-1{color:red}',
    );
    expect(css('@media (max-width: 100px) { .a { width: 10rpx } }', {}, 't-1')).toBe(
      '@media (max-width: 100px){.a.t-1{width:1.3333vw}}',
    );
    expect(css('@keyframes k { from { left: 0 } to { left: 75rpx } }', {}, 't-1')).toBe(
      '@keyframes k{ from { left: 0 } to { left: 10vw } }',
    );
  });

  it('reports syntax errors with line and column', () => {
    const at = (src: string) => {
      try {
        css(src);
      } catch (e) {
        return e instanceof CompileError ? `${e.line}:${e.column} ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(at('.a { color: red;\n.b { }')).toMatch(/^2:4 .*nested rules/);
    expect(at('.a { color: red; }\n}')).toMatch(/^2:1 .*unexpected "}"/);
    expect(at('.a {\n color: red;')).toMatch(/never closed/);
    expect(at('/* open')).toMatch(/unterminated comment/);
    expect(at('.a { content: "x }')).toMatch(/unterminated string/);
    expect(at('color: red;')).toMatch(/outside a rule/);
    expect(at('.a,, .b {}')).toMatch(/empty selector/);
  });
});
