import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { buildRichText, isSafeImageUrl, sanitizeStyle } from './sanitize.ts';

const doc = new JSDOM('').window.document;
const html = (input: string | unknown[]) => {
  const d = doc.createElement('div');
  d.appendChild(buildRichText(input, doc));
  return d.innerHTML;
};

describe('rich-text sanitizer', () => {
  it('keeps allowed markup and drops scripts, handlers and dangerous URLs', () => {
    expect(html('<p class="x" onclick="alert(1)">hi <b>there</b></p>')).toBe(
      '<p class="x">hi <b>there</b></p>',
    );
    expect(html('<img src=x onerror=alert(1)><script>alert(1)</script>')).toBe('<img>');
    expect(html('<a href="javascript:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(
      html('<iframe src="https://evil"></iframe><svg><script>1</script></svg><style>*{}</style>ok'),
    ).toBe('ok');
    expect(html('<custom-tag>text <i>kept</i></custom-tag>')).toBe('text <i>kept</i>');
    expect(html('<img src="https://cdn.example.com/a.png" width="10">')).toBe(
      '<img src="https://cdn.example.com/a.png" width="10">',
    );
    expect(html('<div style="color:red;background:url(javascript:alert(1))">s</div>')).toBe(
      '<div style="color:red">s</div>',
    );
    expect(html('<math><mi xlink:href="javascript:1">m</mi></math><form><input></form>')).toBe('');
  });

  it('accepts WeChat node arrays and ignores malformed entries', () => {
    expect(
      html([
        {
          name: 'div',
          attrs: { class: 'a', onload: 'x', style: 'color: blue' },
          children: [{ type: 'text', text: '<b>not markup</b>' }],
        },
        null,
        7,
        { name: 'script', children: [{ type: 'text', text: 'alert(1)' }] },
        { name: 'img', attrs: { src: 'javascript:alert(1)' } },
      ]),
    ).toBe('<div class="a" style="color: blue">&lt;b&gt;not markup&lt;/b&gt;</div><img>');
  });

  it('bounds depth and node count of hostile input', () => {
    const deep = `${'<div>'.repeat(500)}x${'</div>'.repeat(500)}`;
    expect(html(deep).split('<div>').length - 1).toBeLessThanOrEqual(65);
    const wide = '<span>a</span>'.repeat(30_000);
    expect(html(wide).split('<span>').length - 1).toBeLessThanOrEqual(10_000);
    // jsdom parses 30,000 elements slowly on a loaded machine
  }, 30_000);

  it('checks image URLs and styles', () => {
    expect(isSafeImageUrl('https://x/y.png')).toBe(true);
    expect(isSafeImageUrl('data:image/png;base64,AAAA')).toBe(true);
    expect(isSafeImageUrl('data:text/html;base64,AAAA')).toBe(false);
    expect(isSafeImageUrl(' javascript:alert(1)')).toBe(false);
    expect(sanitizeStyle('color:red;x:expression(alert(1));y:\\75rl(a)')).toBe('color:red');
  });
});
