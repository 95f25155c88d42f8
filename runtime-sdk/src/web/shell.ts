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

export function createShell(container: HTMLElement): Shell {
  const doc = container.ownerDocument;
  const root = doc.createElement('div');
  root.className = 'tessera-app';
  root.style.cssText = 'display:flex;flex-direction:column;width:100%;height:100%;position:relative';
  const bar = doc.createElement('div');
  bar.className = 'tessera-navbar';
  bar.style.cssText =
    'display:flex;align-items:center;height:44px;padding:0 8px;border-bottom:1px solid #eee;font:16px system-ui,sans-serif';
  const back = doc.createElement('button');
  back.className = 'tessera-back';
  back.textContent = '‹';
  back.setAttribute('aria-label', 'back');
  back.style.visibility = 'hidden';
  const title = doc.createElement('span');
  title.className = 'tessera-title';
  title.style.cssText = 'flex:1;text-align:center';
  bar.append(back, title);
  const pages = doc.createElement('div');
  pages.className = 'tessera-pages';
  pages.style.cssText = 'flex:1;position:relative';
  const veil = doc.createElement('div');
  veil.className = 'tessera-loading';
  veil.setAttribute('role', 'status');
  veil.textContent = 'Loading…';
  veil.hidden = true;
  veil.style.cssText =
    'position:absolute;inset:44px 0 0;display:none;place-items:center;background:rgba(255,255,255,.7);font:14px system-ui';
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
      const t = doc.createElement('div');
      t.className = 'tessera-toast';
      t.setAttribute('role', 'status');
      t.textContent = o.title;
      t.style.cssText =
        'position:absolute;left:50%;top:40%;transform:translateX(-50%);background:rgba(0,0,0,.75);color:#fff;padding:10px 16px;border-radius:6px;font:14px system-ui';
      root.appendChild(t);
      setTimeout(() => t.remove(), Math.min(o.duration ?? 1500, 10_000));
    },
    loading: (on) => {
      veil.hidden = !on;
      veil.style.display = on ? 'grid' : 'none';
    },
    alert: (message) => {
      const a = doc.createElement('div');
      a.className = 'tessera-alert';
      a.setAttribute('role', 'alert');
      a.textContent = message;
      a.style.cssText =
        'position:absolute;left:8px;right:8px;top:52px;padding:10px 12px;background:#fdecea;color:#b00020;border-radius:6px;font:14px system-ui';
      a.onclick = () => a.remove();
      root.appendChild(a);
    },
    remove: () => root.remove(),
  };
}

export function showError(container: HTMLElement, appId: string, err: unknown): void {
  const box = container.ownerDocument.createElement('div');
  box.className = 'tessera-error';
  box.setAttribute('role', 'alert');
  const code = (err as { code?: string })?.code;
  box.textContent = `${appId} cannot be opened: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`;
  box.style.cssText = 'padding:16px;color:#b00020;font:14px system-ui,sans-serif';
  container.replaceChildren(box);
}
