// Behavioural tests: compiled templates rendered to a real DOM (jsdom) by the SDK's renderer.
import { fileURLToPath } from 'node:url';
import { createRenderer, nodeMeta } from '@tessera/runtime-sdk/render';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { compileProject } from './project/compile-project.ts';
import { readSourceDir } from './project/read-dir.ts';
import { compileSnippet } from './testing/compile-snippet.ts';
import { ModuleLoader } from './testing/module-loader.ts';

function mount() {
  const dom = new JSDOM('<!doctype html><body><div id="root"></div></body>');
  const root = dom.window.document.getElementById('root');
  if (!root) throw new Error('no root');
  return { dom, root, renderer: createRenderer() };
}

describe('compiled templates in the DOM', () => {
  it('renders data containing markup as text, never as elements or attributes', () => {
    const { root, renderer } = mount();
    const s = compileSnippet('<view class="c {{cls}}" title="{{t}}">{{t}}</view><text>{{a}}</text>');
    const evil = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    renderer.render(root, s.render({ t: evil, a: '"><svg onload=alert(1)>', cls: 'x" onclick="alert(1)' }));
    expect(root.querySelector('img, script, svg, [onerror], [onclick], [onload]')).toBeNull();
    const view = root.firstElementChild;
    expect(view?.textContent).toBe(evil);
    expect(view?.getAttribute('title')).toBe(evil);
    expect(view?.getAttribute('class')).toBe('c x" onclick="alert(1)');
    expect(root.textContent).toContain('"><svg onload=alert(1)>');
  });

  it('exposes dataset and event bindings to the event system and patches keyed lists', () => {
    const { root, renderer } = mount();
    const s = compileSnippet(
      '<view wx:for="{{list}}" wx:key="id" data-item-id="{{item.id}}" bindtap="onTap" catch:longpress="{{h}}" hidden="{{item.hide}}" style="height: {{item.h}}rpx">{{item.label}}</view>',
    );
    const data = {
      h: 'onLong',
      list: [
        { id: 'a', label: 'A', h: 75 },
        { id: 'b', label: 'B', h: 150, hide: true },
      ],
    };
    renderer.render(root, s.render(data));
    const [a, b] = Array.from(root.children);
    expect(a?.textContent).toBe('A');
    expect(a?.getAttribute('style')).toBe('height: 10vw');
    expect(b?.hasAttribute('hidden')).toBe(true);
    expect(nodeMeta(a)?.dataset).toEqual({ itemId: 'a' });
    expect(nodeMeta(a)?.events).toEqual([
      { name: 'tap', handler: 'onTap', mode: 'bind' },
      { name: 'longpress', handler: 'onLong', mode: 'catch' },
    ]);
    // Reorder: keyed nodes keep their DOM identity.
    renderer.render(root, s.render({ ...data, list: [data.list[1], data.list[0]] }));
    expect(Array.from(root.children)).toEqual([b, a]);
  });

  it('renders the demo page and its conditional branches', async () => {
    const tree = await readSourceDir(fileURLToPath(new URL('../test/fixtures/demo', import.meta.url)));
    const result = await compileProject(tree);
    const loader = new ModuleLoader(result.artifacts[0]?.files ?? new Map());
    const { root, renderer } = mount();
    const data = { title: 'Home', items: [{ id: 'a', name: 'Apple', cents: 100 }], count: 20, tags: ['x'] };
    renderer.render(root, loader.render('/pages/index/index.wxml', data));
    expect(root.querySelector('wx-view.header')?.textContent).toBe('Home');
    expect(root.textContent).toContain('big many');
    expect(root.querySelector('[data-item-id]')).toBeNull(); // dataset is not written as attributes
    renderer.render(root, loader.render('/pages/index/index.wxml', { ...data, count: 0 }));
    expect(root.textContent).toContain('none');
    expect(root.textContent).not.toContain('big many');
  });
});
