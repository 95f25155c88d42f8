import type { VComponent, VElement, VNode } from '@tessera/runtime-sdk/render/contract';
import { describe, expect, it } from 'vitest';
import { CompileError } from '../errors.ts';
import { compileSnippet } from '../testing/compile-snippet.ts';
import { findAll, textOf } from '../testing/module-loader.ts';

const els = (nodes: VNode[], tag?: string) =>
  findAll(nodes, (n) => n.t === 'el' && (tag === undefined || n.tag === tag)) as VElement[];

describe('wx:for', () => {
  it('iterates arrays, objects, strings and numbers with for-item/for-index', () => {
    const s = compileSnippet('<text wx:for="{{v}}" wx:for-item="it" wx:for-index="ix">{{ix}}={{it}};</text>');
    expect(textOf(s.render({ v: ['a', 'b'] }))).toBe('0=a;1=b;');
    expect(textOf(s.render({ v: { x: 1, y: 2 } }))).toBe('x=1;y=2;');
    expect(textOf(s.render({ v: 'hi' }))).toBe('0=h;1=i;');
    expect(textOf(s.render({ v: 3 }))).toBe('0=0;1=1;2=2;');
    expect(textOf(s.render({ v: null }))).toBe('');
    expect(textOf(compileSnippet('<text wx:for="ab">{{item}}</text>').render())).toBe('ab');
  });

  it('keys by property, *this, or index; nested loops see outer variables', () => {
    const byId = els(
      compileSnippet('<view wx:for="{{l}}" wx:key="id">{{item.id}}</view>').render({
        l: [{ id: 'x' }, { id: 'y' }],
      }),
    );
    expect(byId.map((n) => n.key)).toEqual(['x', 'y']);
    const byThis = els(compileSnippet('<view wx:for="{{l}}" wx:key="*this"/>').render({ l: ['p', 'q'] }));
    expect(byThis.map((n) => n.key)).toEqual(['p', 'q']);
    const byIndex = els(compileSnippet('<view wx:for="{{l}}"/>').render({ l: ['p', 'q'] }));
    expect(byIndex.map((n) => n.key)).toEqual(['0', '1']);
    const nested = compileSnippet(
      '<block wx:for="{{rows}}" wx:for-item="row" wx:key="*this"><text wx:for="{{cols}}" wx:key="*this">{{row}}{{item}} </text></block>',
    );
    expect(textOf(nested.render({ rows: ['a', 'b'], cols: [1, 2] }))).toBe('a1 a2 b1 b2 ');
  });

  it('applies wx:if inside the loop when both are on one element', () => {
    const s = compileSnippet('<text wx:for="{{l}}" wx:if="{{item % 2}}">{{item}}</text>');
    expect(textOf(s.render({ l: [1, 2, 3] }))).toBe('13');
  });
});

describe('conditionals, block and hidden', () => {
  const s = compileSnippet(
    '<view wx:if="{{n > 1}}">many</view>\n<view wx:elif="{{n === 1}}">one</view>\n<view wx:else>none</view><block wx:if="{{n}}"><text>a</text><text>b</text></block>',
  );
  it('renders exactly one branch', () => {
    expect(textOf(s.render({ n: 5 }))).toBe('manyab');
    expect(textOf(s.render({ n: 1 }))).toBe('oneab');
    expect(textOf(s.render({ n: 0 }))).toBe('none');
  });
  it('renders block children without a wrapper element', () => {
    expect(s.render({ n: 1 }).map((n) => (n.t === 'el' ? n.tag : n.t))).toEqual(['view', 'text', 'text']);
  });
  it('rejects wx:else without wx:if', () => {
    expect(() => compileSnippet('<view/><text>x</text><view wx:else/>')).toThrow(/must directly follow/);
  });
  it('maps hidden to a boolean', () => {
    const h = compileSnippet('<view hidden="{{h}}"/><view hidden/>');
    expect(els(h.render({ h: 0 })).map((n) => n.hidden)).toEqual([false, true]);
  });
});

describe('templates, import and include', () => {
  const files = {
    'tpl/a.wxml': '<import src="b.wxml"/><template name="a"><text>A{{x}}</text><template is="b"/></template>',
    'tpl/b.wxml': '<template name="b"><text>B</text></template>',
    'inc/part.wxml':
      '<template name="hiddenTpl"><text>T</text></template><wxs module="w">module.exports={v:1}</wxs><text>part {{who}}</text>',
  };
  it('imports templates non-transitively and passes data', () => {
    const s = compileSnippet(
      '<import src="/tpl/a.wxml"/><template is="a" data="{{x: 1}}"/><template is="b"/>',
      files,
    );
    // "a" can use "b" (its own import), the page cannot (import is not transitive).
    expect(textOf(s.render())).toBe('A1B');
  });
  it('supports dynamic names, the {{item}} shorthand and spread data', () => {
    const s = compileSnippet(
      '<template name="t"><text>{{item.n}}{{n}}</text></template><template is="{{name}}" data="{{item}}"/><template is="t" data="{{...item}}"/>',
    );
    expect(textOf(s.render({ name: 't', item: { n: 7 } }))).toBe('77');
    expect(textOf(s.render({ name: 'missing', item: { n: 7 } }))).toBe('7');
  });
  it('includes content but not templates or wxs of the included file', () => {
    const s = compileSnippet('<include src="/inc/part.wxml"/><template is="hiddenTpl"/>{{w.v}}', files);
    expect(textOf(s.render({ who: 'me' }))).toBe('part me');
  });
  it('rejects include cycles and missing files with the location', () => {
    expect(() =>
      compileSnippet('<include src="/x.wxml"/>', { 'x.wxml': '<include src="/x.wxml"/>' }),
    ).toThrow(/includes itself/);
    expect(() => compileSnippet('\n <import src="nope.wxml"/>')).toThrow(
      /2:2: imported file "nope.wxml" does not exist/,
    );
    expect(() => compileSnippet('<include src="../../../etc/passwd"/>')).toThrow(/outside the package/);
  });
});

describe('slots and components', () => {
  it('emits default and named slots', () => {
    const nodes = compileSnippet('<view><slot/><slot name="footer"/></view>').render();
    expect(findAll(nodes, (n) => n.t === 'slot')).toEqual([
      { t: 'slot', name: '' },
      { t: 'slot', name: 'footer' },
    ]);
  });
  it('renders custom components with typed props, camelCased names and slot content', () => {
    const s = compileSnippet(
      '<my-card id="c1" title="{{t}}" item-count="{{n}}" flag class="x"><text slot="footer">f</text>body</my-card>',
      {},
      { scopeClass: 't-page', components: new Set(['my-card']) },
    );
    const [card] = s.render({ t: 'T', n: 3 }) as [VComponent];
    expect(card).toMatchObject({
      t: 'comp',
      tag: 'my-card',
      id: 'c1',
      props: { title: 'T', itemCount: 3, flag: true },
      classes: 't-page x',
    });
    expect(card.children[0]).toMatchObject({ t: 'el', slotName: 'footer' });
  });
  it('reports unknown and unsupported tags in the compatibility report', () => {
    const s = compileSnippet('<video/><foo-bar/>');
    expect(s.compat.entries.map((e) => e.feature)).toEqual(['builtin:video', 'unknown-tag']);
  });
});

describe('wxs modules', () => {
  it('supports inline and file modules with require of .wxs only', () => {
    const files = {
      'utils/a.wxs':
        'var b = require("./b.wxs"); module.exports = { f: function (x) { return b.g(x) + 1; } };',
      'utils/b.wxs': 'module.exports = { g: function (x) { return x * 10; } };',
    };
    const s = compileSnippet(
      '<wxs module="a" src="/utils/a.wxs"/><wxs module="i">module.exports = { k: "K" };</wxs>{{a.f(2)}}{{i.k}}',
      files,
    );
    expect(textOf(s.render())).toBe('21K');
  });
  it('accepts the ES2015+ syntax WeChat accepts, rejects syntax errors, non-.wxs requires and bad module names', () => {
    const modern = compileSnippet(
      '<wxs module="m">const join = (a, b = "-", ...rest) => [a, b, ...rest].join(""); module.exports = { join };</wxs>{{ m.join("x") }}',
    );
    expect(textOf(modern.render())).toBe('x-');
    expect(() => compileSnippet('<wxs module="m">const x = ;</wxs>')).toThrow(CompileError);
    expect(() => compileSnippet('<wxs module="m">var f = (a) => ;</wxs>')).toThrow(/wxs/);
    expect(() => compileSnippet('<wxs module="m">var x = require("./x.js");</wxs>')).toThrow(
      /only require \.wxs/,
    );
    expect(() => compileSnippet('<wxs module="m">var x = require(name);</wxs>')).toThrow(/string literal/);
    expect(() => compileSnippet('<wxs module="1m">module.exports = {};</wxs>')).toThrow(/valid identifier/);
  });
});

describe('events, dataset, class and style', () => {
  it('parses every binding form, including handler names from {{ }}', () => {
    const s = compileSnippet(
      '<view bindtap="a" bind:longpress="b" catchtap="c" catch:touchstart="d" capture-bind:tap="e" capture-catch:touchmove="f" mut-bind:tap="g" bind:my-event="{{h}}"/>',
    );
    const [v] = els(s.render({ h: 'dynamic' }));
    expect(v?.events).toEqual([
      { name: 'tap', handler: 'a', mode: 'bind' },
      { name: 'longpress', handler: 'b', mode: 'bind' },
      { name: 'tap', handler: 'c', mode: 'catch' },
      { name: 'touchstart', handler: 'd', mode: 'catch' },
      { name: 'tap', handler: 'e', mode: 'capture-bind' },
      { name: 'touchmove', handler: 'f', mode: 'capture-catch' },
      { name: 'tap', handler: 'g', mode: 'mut-bind' },
      { name: 'my-event', handler: 'dynamic', mode: 'bind' },
    ]);
  });
  it('maps data-* to dataset: dashes to camelCase, upper case lowered, values keep their type', () => {
    const [v] = els(
      compileSnippet('<view data-user-id="{{id}}" data-userName="n" data-a-b-c="x{{id}}"/>').render({
        id: 7,
      }),
    );
    expect(v?.dataset).toEqual({ userId: 7, username: 'n', aBC: 'x7' });
  });
  it('prefixes the owner scope class, converts rpx in inline styles', () => {
    const s = compileSnippet(
      '<view class="a {{b}}" style="width: {{w}}rpx; margin: 15rpx"/>',
      {},
      { scopeClass: 't-app t-1', components: new Set() },
    );
    const [v] = els(s.render({ b: 'B', w: 375 }));
    expect(v?.classes).toBe('t-app t-1 a B');
    expect(v?.style).toBe('width: 50vw; margin: 2vw');
  });
});

describe('template injection', () => {
  const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>{{x}}';
  it('keeps data with markup as text and attribute values', () => {
    const s = compileSnippet('<view title="{{h}}" data-h="{{h}}">{{h}}</view>');
    const [v] = els(s.render({ h: hostile }));
    expect(v?.children).toEqual([{ t: 'text', text: hostile }]);
    expect(v?.attrs.title).toBe(hostile);
    expect(v?.dataset.h).toBe(hostile);
  });
  it('never evaluates {{ }} that arrives in data', () => {
    const s = compileSnippet('<text>{{h}}</text>');
    expect(textOf(s.render({ h: '{{constructor.constructor("return process")()}}' }))).toBe(
      '{{constructor.constructor("return process")()}}',
    );
  });
  it('treats data keys like __proto__ as plain data', () => {
    const s = compileSnippet('<view wx:for="{{o}}">{{index}}</view><text>{{a.__proto__}}</text>');
    const data = JSON.parse('{"o": {"__proto__": {"x": 1}, "k": 2}, "a": {"__proto__": "own"}}');
    expect(textOf(s.render(data))).toBe('__proto__kown');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
  it('generated code contains no eval or Function constructor', () => {
    const s = compileSnippet('<view>{{a}}</view>');
    expect(s.code).not.toMatch(/\beval\s*\(|new Function|Function\(/);
  });
});
