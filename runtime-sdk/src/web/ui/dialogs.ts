// Modal panels over the mini-program: wx.showModal, the privacy consent of wx.authorize and
// wx.openSetting's switches. Their text comes from the mini-program or its app.json and is only
// ever set as textContent.
import type { ConsentRequest } from '../../core/consent.ts';
import type { ModalOptions } from '../../core/session.ts';
import { DIALOG_BUTTON, el } from '../element.ts';

/** What each scope lets a mini-program use, in words for the consent prompt. */
const SCOPE_LABELS: Readonly<Record<string, string>> = {
  userInfo: 'your profile (nickname and avatar)',
  userLocation: 'your location',
  camera: 'the camera',
  album: 'your photo album',
  record: 'the microphone',
  phoneNumber: 'your phone number',
  clipboard: 'the clipboard',
  bluetooth: 'Bluetooth',
  contacts: 'your contacts',
  werun: 'your step count',
};

const PRIMARY = `${DIALOG_BUTTON}background:#07c160;color:#fff;border-color:#07c160`;

function dialog(doc: Document, root: HTMLElement, className: string) {
  const veil = el(
    doc,
    'div',
    className,
    'position:absolute;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:4',
    '',
    'dialog',
  );
  veil.setAttribute('aria-modal', 'true');
  const panel = el(
    doc,
    'div',
    `${className}-panel`,
    'background:#fff;color:#000;border-radius:12px;padding:16px;width:min(320px,85%);display:flex;flex-direction:column;gap:12px;font:14px system-ui',
  );
  veil.append(panel);
  root.append(veil);
  return { panel, close: () => veil.remove() };
}

/** Two buttons, the primary one last (as WeChat lays them out). */
function buttons<T>(
  doc: Document,
  panel: HTMLElement,
  close: () => void,
  resolve: (v: T) => void,
  list: ReadonlyArray<{ className: string; text: string; value: T; primary?: boolean }>,
) {
  const row = el(doc, 'div', '', 'display:flex;gap:8px;justify-content:flex-end');
  for (const b of list) {
    const button = el(doc, 'button', b.className, b.primary ? PRIMARY : DIALOG_BUTTON, b.text);
    button.onclick = () => {
      close();
      resolve(b.value);
    };
    row.append(button);
  }
  panel.append(row);
}

export const modal = (doc: Document, root: HTMLElement, o: ModalOptions) =>
  new Promise<{ confirm: boolean }>((resolve) => {
    const { panel, close } = dialog(doc, root, 'tessera-modal');
    if (o.title) panel.append(el(doc, 'div', 'tessera-modal-title', 'font:bold 16px system-ui', o.title));
    if (o.content) panel.append(el(doc, 'div', 'tessera-modal-content', 'color:#555', o.content));
    buttons(doc, panel, close, resolve, [
      ...(o.showCancel
        ? [{ className: 'tessera-modal-cancel', text: o.cancelText, value: { confirm: false } }]
        : []),
      { className: 'tessera-modal-confirm', text: o.confirmText, value: { confirm: true }, primary: true },
    ]);
  });

export const consent = (doc: Document, root: HTMLElement, req: ConsentRequest) =>
  new Promise<boolean>((resolve) => {
    const { panel, close } = dialog(doc, root, 'tessera-consent');
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
    buttons(doc, panel, close, resolve, [
      { className: 'tessera-consent-deny', text: 'Deny', value: false },
      { className: 'tessera-consent-allow', text: 'Allow', value: true, primary: true },
    ]);
  });

export const settings = (
  doc: Document,
  root: HTMLElement,
  scopes: ReadonlyArray<ConsentRequest & { granted: boolean | undefined }>,
) =>
  new Promise<Record<string, boolean>>((resolve) => {
    const { panel, close } = dialog(doc, root, 'tessera-settings');
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
  });
