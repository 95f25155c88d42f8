// The action sheet from the bottom (wx.showActionSheet, the capsule's menu). One at a time: a
// sheet replaced by another counts as cancelled.
import { safeColor } from '../css.ts';
import { el } from '../element.ts';

const SHEET_BUTTON =
  'height:52px;background:#fff;border:0;border-bottom:1px solid #eee;font:16px system-ui;color:#000';

export interface SheetOptions {
  itemColor?: string;
  alertText?: string;
  /** data-id of each item (the capsule menu's item ids) */
  ids?: string[];
}

export interface Sheets {
  /** Resolves to the chosen index, undefined on cancel. */
  open(items: string[], o?: SheetOptions): Promise<number | undefined>;
}

export function createSheets(doc: Document, root: HTMLElement): Sheets {
  let sheet: HTMLElement | undefined;
  let settle: ((index: number | undefined) => void) | undefined;
  const close = (index: number | undefined) => {
    sheet?.remove();
    sheet = undefined;
    const done = settle;
    settle = undefined;
    done?.(index);
  };
  return {
    open: (items, o = {}) =>
      new Promise<number | undefined>((resolve) => {
        close(undefined);
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
        if (o.alertText)
          list.append(
            el(doc, 'div', 'tessera-sheet-alert', 'padding:12px;color:#888;text-align:center', o.alertText),
          );
        const color = safeColor(o.itemColor);
        items.forEach((text, i) => {
          const b = el(doc, 'button', 'tessera-sheet-item', SHEET_BUTTON, text, 'menuitem');
          if (color) b.style.color = color;
          const id = o.ids?.[i];
          if (id) b.dataset.id = id;
          b.onclick = () => close(i);
          list.append(b);
        });
        const cancel = el(
          doc,
          'button',
          'tessera-sheet-cancel',
          `${SHEET_BUTTON}border-top:6px solid #f2f2f2`,
          'Cancel',
        );
        cancel.onclick = () => close(undefined);
        list.append(cancel);
        s.append(list);
        s.onclick = (e) => {
          if (e.target === s) close(undefined);
        };
        root.append(s);
        sheet = s;
        settle = resolve;
      }),
  };
}
