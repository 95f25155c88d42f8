import { JSDOM } from 'jsdom';
import { describe, expect, it, vi } from 'vitest';
import { createRenderer } from '../render/dom.ts';
import { el, text } from '../render/vnode.ts';
import { createBuiltins, formValues } from './builtins.ts';

function setup() {
  const dom = new JSDOM('<div id="root"></div>');
  const doc = dom.window.document;
  const root = doc.getElementById('root')!;
  const emitted: Array<[string, string, unknown]> = [];
  const navigations: string[] = [];
  const r = createRenderer({
    elements: createBuiltins({
      emit: (target, name, detail) => emitted.push([target.localName, name, detail]),
      navigate: (url, type) => navigations.push(`${type} ${url}`),
      resolveAsset: (p) =>
        p === '/img/logo.png'
          ? 'blob:pkg/logo'
          : p === 'https://cdn.example.com/a.png'
            ? Promise.resolve('blob:remote')
            : undefined,
      webViewAllowed: (u) => u.startsWith('https://ok.example.com/'),
    }),
  });
  return { dom, doc, root, r, emitted, navigations };
}

describe('built-in components', () => {
  it('input keeps typed state across re-renders and emits input/confirm', () => {
    const { dom, root, r, emitted } = setup();
    r.render(root, [el('input', { attrs: { value: 'a', placeholder: 'p', maxlength: '5' } })]);
    const input = root.querySelector('input')!;
    expect(input.value).toBe('a');
    expect(input.maxLength).toBe(5);
    input.value = 'abc';
    input.dispatchEvent(new dom.window.Event('input'));
    input.dispatchEvent(new dom.window.KeyboardEvent('keydown', { key: 'Enter' }));
    r.render(root, [el('input', { attrs: { value: 'a', placeholder: 'q', maxlength: '5' } })]);
    expect(input.value).toBe('abc'); // value attr unchanged → not reset
    expect(input.placeholder).toBe('q');
    expect(emitted).toEqual([
      ['wx-input', 'input', { value: 'abc', cursor: 3 }],
      ['wx-input', 'confirm', { value: 'abc' }],
    ]);
    r.render(root, [el('input', { attrs: { value: 'z', password: 'true' } })]);
    expect(input.value).toBe('z');
    expect(input.type).toBe('password');
  });

  it('image resolves package assets and remote images through the host, refuses script URLs', async () => {
    const { root, r } = setup();
    r.render(root, [
      el('image', { attrs: { src: '/img/logo.png', mode: 'aspectFit' } }),
      el('image', { attrs: { src: 'javascript:alert(1)' } }),
      el('image', { attrs: { src: '/missing.png' } }),
      el('image', { attrs: { src: 'https://cdn.example.com/a.png' } }),
      el('image', { attrs: { src: 'http://cdn.example.com/a.png' } }),
    ]);
    await Promise.resolve();
    const imgs = [...root.querySelectorAll('img')];
    expect(imgs.map((i) => i.getAttribute('src'))).toEqual([
      'blob:pkg/logo',
      null,
      null,
      'blob:remote',
      null,
    ]);
  });

  it('checkbox-group, radio-group, switch and form submit collect values', () => {
    const { dom, root, r, emitted } = setup();
    r.render(root, [
      el('form', {}, [
        el('checkbox-group', { attrs: { name: 'fruits' } }, [
          el('checkbox', { attrs: { value: 'apple', checked: 'true' } }),
          el('checkbox', { attrs: { value: 'pear' } }),
        ]),
        el('radio-group', { attrs: { name: 'size' } }, [
          el('radio', { attrs: { value: 's' } }),
          el('radio', { attrs: { value: 'm' } }),
        ]),
        el('switch', { attrs: { name: 'on', checked: 'true' } }),
        el('input', { attrs: { name: 'who', value: 'me' } }),
        el('button', { attrs: { 'form-type': 'submit', id: 'go' } }, [text('submit')]),
      ]),
    ]);
    const boxes = root.querySelectorAll('wx-checkbox input');
    (boxes[1] as HTMLInputElement).click();
    const radios = root.querySelectorAll('wx-radio input');
    (radios[1] as HTMLInputElement).click();
    (root.querySelector('#go') as HTMLElement).dispatchEvent(
      new dom.window.MouseEvent('click', { bubbles: true }),
    );
    expect(emitted).toEqual([
      ['wx-checkbox-group', 'change', { value: ['apple', 'pear'] }],
      ['wx-radio-group', 'change', { value: 'm' }],
      ['wx-form', 'submit', { value: { fruits: ['apple', 'pear'], size: 'm', on: true, who: 'me' } }],
    ]);
    expect(formValues(root.querySelector('wx-form')!)).toMatchObject({ on: true });
  });

  it('rich-text (a chunk: filled in when it arrives), progress, navigator, web-view whitelist, disabled button', async () => {
    const { dom, root, r, navigations } = setup();
    r.render(root, [
      el('rich-text', { attrs: { nodes: '<b onclick="x">bold</b><script>1</script>' } }),
      el('rich-text', {
        attrs: { nodes: JSON.stringify([{ name: 'i', children: [{ type: 'text', text: 'it' }] }]) },
      }),
      el('progress', { attrs: { percent: '150' } }),
      el('navigator', { attrs: { url: '/pages/b/b', 'open-type': 'redirect' } }, [text('go')]),
      el('web-view', { attrs: { src: 'https://evil.example.com/' } }),
      el('web-view', { attrs: { src: 'https://ok.example.com/page' } }),
    ]);
    const rich = root.querySelectorAll('wx-rich-text');
    await vi.waitFor(() => expect(rich[0]!.innerHTML).toBe('<b>bold</b>'));
    expect(rich[1]!.innerHTML).toBe('<i>it</i>');
    expect((root.querySelector('.wx-progress-bar') as HTMLElement).style.width).toBe('100%');
    (root.querySelector('wx-navigator') as HTMLElement).dispatchEvent(new dom.window.MouseEvent('click'));
    expect(navigations).toEqual(['redirect /pages/b/b']);
    const views = root.querySelectorAll('wx-web-view');
    expect(views[0]!.textContent).toMatch(/web-view blocked/);
    expect(views[0]!.querySelector('iframe')).toBeNull();
    expect(views[1]!.querySelector('iframe')!.getAttribute('sandbox')).toBe('allow-scripts allow-forms');
  });
});
