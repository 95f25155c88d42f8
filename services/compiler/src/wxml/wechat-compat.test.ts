// WXML and WXS as WeChat's toolchain treats them, where a strict reading would refuse real code:
// repeated attributes, keywords used as data names, a wxs module named "this", wxs modules that
// export a function, require between wxs files, getRegExp/getDate.
import { describe, expect, it } from 'vitest';
import { compileSnippet } from '../testing/compile-snippet.ts';
import { findAll, textOf } from '../testing/module-loader.ts';

const attrsOf = (s: ReturnType<typeof compileSnippet>, data: Record<string, unknown> = {}) =>
  findAll(s.render(data), (n) => n.t === 'el').map((n) => (n.t === 'el' ? n.attrs : {}));

describe('WeChat leniencies in WXML', () => {
  it('a repeated attribute keeps its last value, with a report entry at the repetition', () => {
    const s = compileSnippet('<image mode="a" src="x.png"\n  mode="aspectFill" />');
    expect(attrsOf(s)[0]).toEqual({ src: 'x.png', mode: 'aspectFill' });
    expect(s.compat.entries).toEqual([
      expect.objectContaining({ line: 2, column: 3, feature: 'wxml:repeated-attribute' }),
    ]);
    const cls = compileSnippet('<view class="a" class="{{b}}" />');
    const [v] = findAll(cls.render({ b: 'B' }), (n) => n.t === 'el');
    expect(v?.t === 'el' && v.classes).toBe('B');
  });

  it("early built-ins (toast, loading, modal, action-sheet) are WeChat's, reported as not supported", () => {
    const s = compileSnippet(
      '<toast hidden="{{!show}}">saved</toast><action-sheet><action-sheet-item>a</action-sheet-item></action-sheet>',
    );
    expect(s.compat.entries.map((w) => w.feature)).toEqual([
      'builtin:toast',
      'builtin:action-sheet',
      'builtin:action-sheet-item',
    ]);
  });

  it('keywords are data names: {{class}}, {{new}}', () => {
    expect(textOf(compileSnippet('{{class}}-{{new}}').render({ class: 'c', new: 'n' }))).toBe('c-n');
  });

  it('a wxs module may be named "this" and its functions called as this.fn()', () => {
    const s = compileSnippet(
      '<wxs module="this">module.exports = { cls: function (p) { return p + "__item"; } };</wxs><view class="{{this.cls(prefix)}}" />',
    );
    const [v] = findAll(s.render({ prefix: 't-swiper' }), (n) => n.t === 'el');
    expect(v?.t === 'el' && v.classes).toBe('t-swiper__item');
  });
});

describe('WXS', () => {
  it('a module whose export is a function is called from WXML', () => {
    const s = compileSnippet(
      '<wxs module="price">module.exports = function (cents) { return (cents / 100).toFixed(2); };</wxs>{{ price(1250) }}',
    );
    expect(textOf(s.render())).toBe('12.50');
  });

  it('wxs files require each other (relative paths, resolved at compile time)', () => {
    const s = compileSnippet('<wxs module="f" src="../../utils/fmt.wxs" />{{ f.money(5) }}', {
      'utils/fmt.wxs':
        'var cur = require("./currency.wxs"); module.exports = { money: function (n) { return cur.sign + n; } };',
      'utils/currency.wxs': 'module.exports = { sign: "¥" };',
    });
    expect(textOf(s.render())).toBe('¥5');
  });

  it('has getRegExp and getDate', () => {
    const s = compileSnippet(
      `<wxs module="u">
var re = getRegExp("^(\\\\d{3})(\\\\d+)$", "g");
module.exports = {
  mask: function (s) { return s.replace(re, "$1****"); },
  year: function (ms) { return getDate(ms).getUTCFullYear(); },
  ymd: function () { return getDate(2024, 0, 31).getDate(); },
  now: function () { return typeof getDate().getTime(); },
};
</wxs>{{ u.mask("13800001234") }} {{ u.year(0) }} {{ u.ymd() }} {{ u.now() }}`,
    );
    expect(textOf(s.render())).toBe('138**** 1970 31 number');
  });
});

describe('model: two-way binding on built-in controls', () => {
  it('binds the attribute and adds an event that sets the data path', () => {
    const s = compileSnippet(
      '<input model:value="{{form.name}}" bindinput="onInput" /><switch model:checked="{{on}}" /><slider model:value="{{list[0]}}" />',
    );
    const els = findAll(s.render({ form: { name: 'Ann' }, on: true, list: [3] }), (n) => n.t === 'el');
    expect(els.map((e) => (e.t === 'el' ? [e.tag, e.attrs, e.events] : []))).toEqual([
      [
        'input',
        { value: 'Ann' },
        [
          { name: 'input', handler: 'model:form.name', mode: 'bind' },
          { name: 'input', handler: 'onInput', mode: 'bind' },
        ],
      ],
      ['switch', { checked: 'true' }, [{ name: 'change', handler: 'model:on', mode: 'bind' }]],
      ['slider', { value: '3' }, [{ name: 'change', handler: 'model:list[0]', mode: 'bind' }]],
    ]);
    expect(s.compat.entries).toEqual([]);
  });

  it('on a custom component: the property plus models {prop: path} on the vnode', () => {
    const s = compileSnippet(
      '<my-field model:my-value="{{form.name}}" />',
      {},
      {
        scopeClass: '',
        components: new Set(['my-field']),
      },
    );
    expect(s.render({ form: { name: 'Ann' } })[0]).toMatchObject({
      t: 'comp',
      props: { myValue: 'Ann' },
      models: { myValue: 'form.name' },
      events: [],
    });
    expect(s.compat.entries).toEqual([]);
  });

  it('reports what it cannot bind two ways (and binds it one way)', () => {
    const s = compileSnippet(
      '<input model:value="a{{x}}" /><input model:value="{{a + b}}" /><view model:value="{{x}}" /><block wx:for="{{list}}"><input model:value="{{item}}" /></block>',
    );
    const [first] = findAll(s.render({ x: 'X' }), (n) => n.t === 'el');
    expect(first?.t === 'el' && [first.attrs, first.events]).toEqual([{ value: 'aX' }, []]);
    expect(s.compat.entries.map((w) => w.message.replace(/;.*/, ''))).toEqual([
      '"model:value" on <input>: the value must be a single {{ field }}',
      '"model:value" on <input>: the value must be a data field or a sub-field of one (a, a.b, a[0])',
      expect.stringContaining('"model:value" on <view>: two-way binding is supported on <input model:value>'),
      '"model:value" on <input>: the value must be a data field or a sub-field of one (a, a.b, a[0])',
    ]);
  });
});

describe('generic: and componentGenerics', () => {
  it('passes the filling alias of each generic on the component vnode', () => {
    const s = compileSnippet(
      '<list generic:cell="my-cell" class="l" />',
      {},
      {
        scopeClass: '',
        components: new Set(['list', 'my-cell']),
      },
    );
    const [list] = s.render();
    expect(list).toMatchObject({ t: 'comp', tag: 'list', generics: { cell: 'my-cell' } });
    expect(s.compat.entries).toEqual([]);
  });

  it('reports generic: on an element that is not a custom component', () => {
    const s = compileSnippet('<view generic:cell="x" />');
    expect(s.compat.entries.map((w) => w.feature)).toEqual(['generic']);
  });
});
