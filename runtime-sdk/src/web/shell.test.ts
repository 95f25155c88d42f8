import { JSDOM } from 'jsdom';
import { describe, expect, it, vi } from 'vitest';
import { createShell, safeLogo, textFor } from './shell.ts';

function shellIn() {
  const { window } = new JSDOM('<!doctype html><div id="app"></div>');
  const container = window.document.getElementById('app') as HTMLElement;
  const taps: string[] = [];
  let closed = 0;
  const shell = createShell(container);
  const actions = {
    menu: () => [
      { id: 'share', text: 'Share' },
      { id: 'fav', text: 'Favourite' },
    ],
    onMenuItem: (id: string) => taps.push(id),
    onClose: () => {
      closed++;
    },
  };
  const q = (sel: string) => container.querySelector(sel) as HTMLElement;
  return { shell, actions, q, taps, closed: () => closed, container };
}

describe('shell chrome', () => {
  it('colours the bar from the branding, and a page window colour wins over it', () => {
    const { shell, actions, q } = shellIn();
    shell.brand({ primaryColor: '#1a237e', backgroundColor: '#000000' }, 'Bank', actions);
    expect(q('.tessera-navbar').style.background).toBe('rgb(26, 35, 126)');
    expect(q('.tessera-navbar').style.color).toBe('rgb(255, 255, 255)');
    expect(q('.tessera-splash').style.background).toBe('rgb(0, 0, 0)');
    expect(q('.tessera-splash-name').textContent).toBe('Bank');

    shell.setBar({ background: '#ffffff', text: 'black' });
    expect(q('.tessera-navbar').style.background).toBe('rgb(255, 255, 255)');
    expect(q('.tessera-navbar').style.color).toBe('rgb(0, 0, 0)');
    // a value that is not a colour never reaches CSS: the branding applies
    shell.setBar({ background: 'red;position:fixed' });
    expect(q('.tessera-navbar').style.background).toBe('rgb(26, 35, 126)');
    expect(q('.tessera-navbar').style.position).toBe('');
    // navigationStyle custom: no bar, the capsule stays
    shell.setBar({ custom: true });
    expect(q('.tessera-navbar').style.display).toBe('none');
    expect(q('.tessera-capsule').hidden).toBe(false);
  });

  it('draws the capsule in the branded style or hides it, and its buttons act', async () => {
    const { shell, actions, q, taps, closed } = shellIn();
    shell.brand({ capsule: { visible: true, style: 'light' } }, 'x', actions);
    expect(q('.tessera-capsule').style.color).toBe('rgb(255, 255, 255)');
    q('.tessera-capsule-more').click();
    // the sheet comes with the UI chunk, loaded on first use
    await vi.waitFor(() =>
      expect([...document(q).querySelectorAll('.tessera-sheet-item')].map((b) => b.textContent)).toEqual([
        'Share',
        'Favourite',
      ]),
    );
    (document(q).querySelector('.tessera-sheet-item[data-id="fav"]') as HTMLElement).click();
    await vi.waitFor(() => expect(taps).toEqual(['fav']));
    expect(document(q).querySelector('.tessera-sheet')).toBeNull();
    q('.tessera-capsule-more').click();
    await vi.waitFor(() => expect(document(q).querySelector('.tessera-sheet-cancel')).not.toBeNull());
    (document(q).querySelector('.tessera-sheet-cancel') as HTMLElement).click();
    await Promise.resolve();
    expect(document(q).querySelector('.tessera-sheet')).toBeNull();
    expect(taps).toEqual(['fav']);
    q('.tessera-capsule-close').click();
    expect(closed()).toBe(1);

    shell.brand({ capsule: { visible: false } }, 'x', actions);
    expect(q('.tessera-capsule').hidden).toBe(true);
  });

  it('shows the logo on the loading screen until the first page renders', () => {
    const { shell, actions, q, container } = shellIn();
    shell.brand({ logo: 'https://cdn.example.com/logo.png' }, 'x', actions);
    expect((q('.tessera-splash-logo') as HTMLImageElement).src).toBe('https://cdn.example.com/logo.png');
    shell.launched();
    expect(container.querySelector('.tessera-splash')).toBeNull();
  });

  it('loads logos only from web or inline image URLs', () => {
    expect(safeLogo('https://a.example/l.svg')).toBe('https://a.example/l.svg');
    expect(safeLogo('data:image/png;base64,AAAA')).toBe('data:image/png;base64,AAAA');
    expect(safeLogo('javascript:alert(1)')).toBeUndefined();
    expect(safeLogo('data:text/html,<script>')).toBeUndefined();
    expect(safeLogo(undefined)).toBeUndefined();
  });

  it('picks the text colour with the better contrast', () => {
    expect(textFor('#ffffff')).toBe('black');
    expect(textFor('#000000')).toBe('white');
    expect(textFor('#c8102e')).toBe('white');
    expect(textFor('#07c160')).toBe('black');
    expect(textFor('not a colour')).toBe('black');
  });
});

const document = (q: (s: string) => HTMLElement) => q('.tessera-app').ownerDocument;
