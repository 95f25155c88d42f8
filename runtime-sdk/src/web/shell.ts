// The host-side chrome around a running mini-program: navigation bar (back, title), the stack
// of page frames, and simple toasts. Plain DOM in the host document; no mini-program content.
export interface Shell {
  root: HTMLElement;
  pages: HTMLElement;
  setTitle(title: string): void;
  setCanGoBack(can: boolean): void;
  onBack(fn: () => void): void;
  toast(o: { title: string; duration?: number }): void;
  /** Shows or hides the loading veil over the pages (e.g. while a subpackage downloads). */
  loading(on: boolean): void;
  /** An error banner above the current page, which keeps working; dismissed by a tap. */
  alert(message: string): void;
  remove(): void;
}

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
    'display:flex;align-items:center;height:44px;padding:0 8px;border-bottom:1px solid #eee;font:16px system-ui,sans-serif',
  );
  const back = el(doc, 'button', 'tessera-back', 'visibility:hidden', '‹');
  back.setAttribute('aria-label', 'back');
  const title = el(doc, 'span', 'tessera-title', 'flex:1;text-align:center');
  bar.append(back, title);
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
  root.append(bar, pages, veil);
  container.replaceChildren(root);
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
