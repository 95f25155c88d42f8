// The host-side chrome around a running mini-program: navigation bar (back, title, capsule),
// the stack of page frames, the loading screen, an action sheet for the capsule's menu and
// simple toasts. Plain DOM in the host document; no mini-program content. The HostApp's
// branding colours it; a page's window settings colour its own navigation bar.
import { type ConsentRequest, SCOPE_LABELS } from '../core/consent.ts';
import type { Branding } from '../protocol/launch.ts';

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
/** Colours a mini-program's json may name: hex, rgb()/rgba() or a keyword; nothing else reaches CSS. */
const CSS_COLOR = /^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|[a-zA-Z]{3,20})$/;
const safeColor = (c: string | undefined) => (c && CSS_COLOR.test(c.trim()) ? c.trim() : undefined);

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

/** A styled element of the shell (inline styles: nothing leaks into the host's stylesheets). */
function el(doc: Document, tag: string, className: string, css: string, text = '', role = ''): HTMLElement {
  const e = doc.createElement(tag);
  e.className = className;
  e.style.cssText = css;
  e.textContent = text;
  if (role) e.setAttribute('role', role);
  return e;
}

const BOX = 'position:absolute;border-radius:6px;font:14px system-ui;';
const CAPSULE_BUTTON =
  'width:40px;height:28px;background:none;border:0;color:inherit;font:bold 16px system-ui;cursor:pointer';
const DIALOG_BUTTON =
  'padding:8px 16px;border-radius:6px;border:1px solid #ccc;background:#fff;font:14px system-ui;';
const SHEET_BUTTON =
  'height:52px;background:#fff;border:0;border-bottom:1px solid #eee;font:16px system-ui;color:#000';

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
  let sheet: HTMLElement | undefined;
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
  /** A modal panel over the mini-program (consent, settings). */
  const dialog = (className: string) => {
    const veilEl = el(
      doc,
      'div',
      className,
      'position:absolute;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:4',
      '',
      'dialog',
    );
    veilEl.setAttribute('aria-modal', 'true');
    const panel = el(
      doc,
      'div',
      `${className}-panel`,
      'background:#fff;color:#000;border-radius:12px;padding:16px;width:min(320px,85%);display:flex;flex-direction:column;gap:12px;font:14px system-ui',
    );
    veilEl.append(panel);
    root.append(veilEl);
    return { panel, close: () => veilEl.remove() };
  };
  const closeSheet = () => {
    sheet?.remove();
    sheet = undefined;
  };
  const openSheet = (actions: CapsuleActions) => {
    closeSheet();
    const s = el(
      doc,
      'div',
      'tessera-sheet',
      'position:absolute;inset:0;background:rgba(0,0,0,.4);display:flex;flex-direction:column;justify-content:flex-end;z-index:3',
      '',
      'dialog',
    );
    const list = el(
      doc,
      'div',
      'tessera-sheet-list',
      'background:#fff;display:flex;flex-direction:column',
      '',
      'menu',
    );
    for (const item of actions.menu()) {
      const b = el(doc, 'button', 'tessera-sheet-item', SHEET_BUTTON, item.text, 'menuitem');
      b.dataset.id = item.id;
      b.onclick = () => {
        closeSheet();
        actions.onMenuItem(item.id);
      };
      list.append(b);
    }
    const cancel = el(
      doc,
      'button',
      'tessera-sheet-cancel',
      `${SHEET_BUTTON}border-top:6px solid #f2f2f2`,
      'Cancel',
    );
    cancel.onclick = closeSheet;
    list.append(cancel);
    s.append(list);
    s.onclick = (e) => {
      if (e.target === s) closeSheet();
    };
    root.append(s);
    sheet = s;
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
      more.onclick = () => openSheet(actions);
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
    launched: () => {
      splash.remove();
    },
    consent: (req) =>
      new Promise<boolean>((resolve) => {
        const { panel, close } = dialog('tessera-consent');
        const label = SCOPE_LABELS[req.scope] ?? req.scope;
        panel.append(
          el(
            doc,
            'div',
            'tessera-consent-title',
            'font:bold 16px system-ui',
            `${req.appId} would like to use ${label}`,
          ),
          el(doc, 'div', 'tessera-consent-purpose', 'color:#555', req.purpose),
        );
        const buttons = el(doc, 'div', '', 'display:flex;gap:8px;justify-content:flex-end');
        const answer = (granted: boolean) => () => {
          close();
          resolve(granted);
        };
        const deny = el(doc, 'button', 'tessera-consent-deny', DIALOG_BUTTON, 'Deny');
        const allow = el(
          doc,
          'button',
          'tessera-consent-allow',
          `${DIALOG_BUTTON}background:#07c160;color:#fff;border-color:#07c160`,
          'Allow',
        );
        deny.onclick = answer(false);
        allow.onclick = answer(true);
        buttons.append(deny, allow);
        panel.append(buttons);
      }),
    settings: (scopes) =>
      new Promise<Record<string, boolean>>((resolve) => {
        const { panel, close } = dialog('tessera-settings');
        panel.append(el(doc, 'div', '', 'font:bold 16px system-ui', 'Allow this mini-program to use'));
        const switches = new Map<string, HTMLInputElement>();
        for (const s of scopes) {
          const row = el(
            doc,
            'label',
            'tessera-settings-row',
            'display:flex;justify-content:space-between;gap:12px',
          );
          const box = doc.createElement('input');
          box.type = 'checkbox';
          box.checked = s.granted === true;
          box.dataset.scope = s.scope;
          switches.set(s.scope, box);
          row.append(el(doc, 'span', '', '', SCOPE_LABELS[s.scope] ?? s.scope), box);
          panel.append(row);
        }
        const done = el(doc, 'button', 'tessera-settings-done', DIALOG_BUTTON, 'Done');
        done.onclick = () => {
          close();
          const out: Record<string, boolean> = {};
          for (const s of scopes) {
            const on = switches.get(s.scope)?.checked === true;
            // an undecided scope left off stays undecided (the next wx.authorize asks)
            if (on || s.granted !== undefined) out[s.scope] = on;
          }
          resolve(out);
        };
        panel.append(done);
      }),
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
