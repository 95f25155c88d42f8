// The host-side chrome around a running mini-program: navigation bar (back, title, capsule),
// the stack of page frames, the loading screen, an action sheet for the capsule's menu and
// simple toasts. Plain DOM in the host document; no mini-program content. The HostApp's
// branding colours it; a page's window settings colour its own navigation bar.
import type { ConsentRequest } from '../core/consent.ts';
import type { ModalOptions } from '../core/session.ts';
import type { Branding } from '../protocol/launch.ts';
import { safeColor } from './css.ts';
import { el } from './element.ts';
import type { Sheets } from './ui/sheet.ts';
import { loadUi } from './ui-chunk.ts';

export interface BarStyle {
  /** navigationBarBackgroundColor */
  background?: string;
  /** navigationBarTextStyle */
  text?: 'black' | 'white';
  /** navigationStyle: custom — the page draws its own bar; only the capsule stays */
  custom?: boolean;
}

export interface CapsuleActions {
  /** The host menu items this mini-program may show (the capsule's "more" sheet). */
  menu(): ReadonlyArray<{ id: string; text: string }>;
  onMenuItem(id: string): void;
  onClose(): void;
}

export interface Shell {
  root: HTMLElement;
  pages: HTMLElement;
  setTitle(title: string): void;
  setCanGoBack(can: boolean): void;
  onBack(fn: () => void): void;
  /** The HostApp's branding: bar colour, capsule, loading screen colour and logo. */
  brand(branding: Branding | undefined, name: string, actions: CapsuleActions): void;
  /** The current page's navigation bar settings (over the branding). */
  setBar(style: BarStyle): void;
  /** wx.setNavigationBarColor: recolours the current page's bar until the next page shows. */
  colorBar(o: { text: 'black' | 'white'; background?: string }): void;
  /** Puts the tab bar above (top) or below the pages. */
  mountTabBar(el: HTMLElement, position: 'top' | 'bottom'): void;
  /** wx.showActionSheet: resolves to the tapped index, undefined when cancelled. */
  actionSheet(o: { itemList: string[]; itemColor?: string; alertText?: string }): Promise<number | undefined>;
  /** wx.showModal */
  modal(o: ModalOptions): Promise<{ confirm: boolean }>;
  /** wx.previewImage: blob: URLs of the host document (undefined: cannot be shown), revoked on close */
  previewImage(urls: ReadonlyArray<string | undefined>, current: number): Promise<void>;
  /** Hides the loading screen (the first page has rendered). */
  launched(): void;
  /** Asks the user for a privacy scope (wx.authorize); resolves true to allow. */
  consent(req: ConsentRequest): Promise<boolean>;
  /** wx.openSetting's page: a switch per declared scope; resolves to the decisions when closed. */
  settings(
    scopes: ReadonlyArray<ConsentRequest & { granted: boolean | undefined }>,
  ): Promise<Record<string, boolean>>;
  toast(o: { title: string; duration?: number }): void;
  /** Shows or hides the loading veil over the pages (e.g. while a subpackage downloads). */
  loading(on: boolean): void;
  /** An error banner above the current page, which keeps working; dismissed by a tap. */
  alert(message: string): void;
  remove(): void;
}

const DEFAULT_BAR = '#ffffff';

/** black or white text, whichever reads better on a #rrggbb background (WCAG relative luminance). */
export function textFor(background: string): 'black' | 'white' {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background);
  if (!m) return 'black';
  const [r, g, b] = m.slice(1).map((h) => {
    const c = Number.parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // contrast against white (1.05 / (l + 0.05)) vs against black ((l + 0.05) / 0.05)
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? 'white' : 'black';
}

/** A logo the host document may load: https, http (development hosts) or an inline image. */
export const safeLogo = (url: string | undefined) =>
  url && /^(https?:\/\/|data:image\/(png|jpeg|gif|webp|svg\+xml)[;,])/i.test(url) ? url : undefined;

const BOX = 'position:absolute;border-radius:6px;font:14px system-ui;';
const CAPSULE_BUTTON =
  'width:40px;height:28px;background:none;border:0;color:inherit;font:bold 16px system-ui;cursor:pointer';

export function createShell(container: HTMLElement): Shell {
  const doc = container.ownerDocument;
  const root = el(
    doc,
    'div',
    'tessera-app',
    'display:flex;flex-direction:column;width:100%;height:100%;position:relative',
  );
  const bar = el(
    doc,
    'div',
    'tessera-navbar',
    `display:flex;align-items:center;height:44px;padding:0 8px;border-bottom:1px solid #eee;font:16px system-ui,sans-serif;background:${DEFAULT_BAR};color:#000`,
  );
  const back = el(
    doc,
    'button',
    'tessera-back',
    'visibility:hidden;background:none;border:0;color:inherit;font:22px system-ui',
    '‹',
  );
  back.setAttribute('aria-label', 'back');
  const title = el(
    doc,
    'span',
    'tessera-title',
    'flex:1;text-align:center;overflow:hidden;white-space:nowrap;text-overflow:ellipsis',
  );
  const capsule = el(
    doc,
    'div',
    'tessera-capsule',
    'position:absolute;right:8px;top:6px;height:30px;display:flex;align-items:center;border-radius:15px;z-index:2',
  );
  const more = el(doc, 'button', 'tessera-capsule-more', CAPSULE_BUTTON, '···');
  more.setAttribute('aria-label', 'more');
  const close = el(doc, 'button', 'tessera-capsule-close', CAPSULE_BUTTON, '×');
  close.setAttribute('aria-label', 'close');
  capsule.append(more, el(doc, 'span', 'tessera-capsule-divider', 'width:1px;height:18px'), close);
  // the capsule's width is kept free on both sides so the title stays centred
  const spacer = el(doc, 'span', 'tessera-capsule-space', 'width:80px;flex:none');
  bar.append(back, title, spacer);
  const pages = el(doc, 'div', 'tessera-pages', 'flex:1;position:relative');
  const veil = el(
    doc,
    'div',
    'tessera-loading',
    'position:absolute;inset:44px 0 0;display:none;place-items:center;background:rgba(255,255,255,.7);font:14px system-ui',
    'Loading…',
    'status',
  );
  veil.hidden = true;
  // The loading screen until the first page has rendered.
  const splash = el(
    doc,
    'div',
    'tessera-splash',
    'position:absolute;inset:44px 0 0;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:12px;background:#fff;font:14px system-ui;color:#888;z-index:1',
    '',
    'status',
  );
  splash.setAttribute('aria-label', 'loading');
  const splashName = el(doc, 'span', 'tessera-splash-name', '');
  splash.append(splashName);
  root.append(bar, pages, veil, splash, capsule);
  container.replaceChildren(root);

  let branding: Branding | undefined;
  let pageStyle: BarStyle = {};
  const paint = () => {
    const background = safeColor(pageStyle.background) ?? branding?.primaryColor ?? DEFAULT_BAR;
    const text = pageStyle.text ?? (/^#[0-9a-f]{6}$/i.test(background) ? textFor(background) : 'black');
    bar.style.background = background;
    bar.style.color = text === 'white' ? '#fff' : '#000';
    bar.style.display = pageStyle.custom ? 'none' : 'flex';
    const inset = pageStyle.custom ? '0' : '44px';
    veil.style.inset = `${inset} 0 0`;
    splash.style.inset = `${inset} 0 0`;
    const light = (branding?.capsule?.style ?? (text === 'white' ? 'light' : 'dark')) === 'light';
    capsule.style.color = light ? '#fff' : '#000';
    capsule.style.background = light ? 'rgba(0,0,0,.15)' : 'rgba(255,255,255,.6)';
    capsule.style.border = `1px solid ${light ? 'rgba(255,255,255,.25)' : 'rgba(0,0,0,.08)'}`;
    (capsule.children[1] as HTMLElement).style.background = light
      ? 'rgba(255,255,255,.25)'
      : 'rgba(0,0,0,.1)';
  };
  paint();
  let sheetsMade: Promise<Sheets> | undefined;
  const sheets = () => {
    sheetsMade ??= loadUi().then((ui) => ui.createSheets(doc, root));
    return sheetsMade;
  };
  const openMenu = async (actions: CapsuleActions) => {
    const items = actions.menu();
    const i = await (await sheets()).open(
      items.map((m) => m.text),
      { ids: items.map((m) => m.id) },
    );
    const item = i === undefined ? undefined : items[i];
    if (item) actions.onMenuItem(item.id);
  };

  return {
    root,
    pages,
    setTitle: (t) => {
      title.textContent = t.slice(0, 200);
    },
    setCanGoBack: (can) => {
      back.style.visibility = can ? 'visible' : 'hidden';
    },
    onBack: (fn) => {
      back.onclick = fn;
    },
    brand: (b, name, actions) => {
      branding = b;
      capsule.hidden = branding?.capsule?.visible === false;
      more.onclick = () => void openMenu(actions);
      close.onclick = () => actions.onClose();
      const background = branding?.backgroundColor ?? '#ffffff';
      root.style.background = background;
      splash.style.background = background;
      splash.style.color = textFor(background) === 'white' ? 'rgba(255,255,255,.8)' : '#888';
      splashName.textContent = name.slice(0, 64);
      const logo = safeLogo(branding?.logo);
      if (logo && !splash.querySelector('img')) {
        const img = doc.createElement('img');
        img.className = 'tessera-splash-logo';
        img.alt = '';
        img.referrerPolicy = 'no-referrer';
        img.style.cssText = 'width:64px;height:64px;object-fit:contain';
        img.src = logo;
        splash.prepend(img);
      }
      paint();
    },
    setBar: (style) => {
      pageStyle = style;
      paint();
    },
    colorBar: (o) => {
      pageStyle = { ...pageStyle, text: o.text, ...(o.background ? { background: o.background } : {}) };
      paint();
    },
    mountTabBar: (tabs, position) => {
      if (position === 'top') bar.after(tabs);
      else pages.after(tabs);
    },
    actionSheet: async (o) => (await sheets()).open(o.itemList, o),
    modal: async (o) => (await loadUi()).modal(doc, root, o),
    previewImage: async (urls, current) => (await loadUi()).previewImage(doc, root, urls, current),
    launched: () => {
      splash.remove();
    },
    consent: async (req) => (await loadUi()).consent(doc, root, req),
    settings: async (scopes) => (await loadUi()).settings(doc, root, scopes),
    toast: (o) => {
      const t = el(
        doc,
        'div',
        'tessera-toast',
        `${BOX}left:50%;top:40%;transform:translateX(-50%);background:rgba(0,0,0,.75);color:#fff;padding:10px 16px`,
        o.title,
        'status',
      );
      root.appendChild(t);
      setTimeout(() => t.remove(), Math.min(o.duration ?? 1500, 10_000));
    },
    loading: (on) => {
      veil.hidden = !on;
      veil.style.display = on ? 'grid' : 'none';
    },
    alert: (message) => {
      const a = el(
        doc,
        'div',
        'tessera-alert',
        `${BOX}left:8px;right:8px;top:52px;padding:10px 12px;background:#fdecea;color:#b00020`,
        message,
        'alert',
      );
      a.onclick = () => a.remove();
      root.appendChild(a);
    },
    remove: () => root.remove(),
  };
}

export function showError(container: HTMLElement, appId: string, err: unknown): void {
  const code = (err as { code?: string })?.code;
  container.replaceChildren(
    el(
      container.ownerDocument,
      'div',
      'tessera-error',
      'padding:16px;color:#b00020;font:14px system-ui,sans-serif',
      `${appId} cannot be opened: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`,
      'alert',
    ),
  );
}
