// wx.previewImage: the images full-screen over the mini-program, one at a time; a tap or Escape
// closes it, arrows and swipes move between them. The image URLs are the host document's own
// (blob:) and are revoked when it closes.
import { el } from '../element.ts';

export function previewImage(
  doc: Document,
  root: HTMLElement,
  urls: ReadonlyArray<string | undefined>,
  current: number,
): void {
  let index = Math.max(0, Math.min(urls.length - 1, current));
  const overlay = el(
    doc,
    'div',
    'tessera-preview',
    'position:absolute;inset:0;background:#000;z-index:4;display:flex;align-items:center;justify-content:center;touch-action:none',
    '',
    'dialog',
  );
  overlay.setAttribute('aria-label', 'image preview');
  overlay.tabIndex = -1;
  const img = el(
    doc,
    'img',
    'tessera-preview-image',
    'max-width:100%;max-height:100%;object-fit:contain',
  ) as HTMLImageElement;
  const missing = el(
    doc,
    'div',
    'tessera-preview-missing',
    'color:#999;font:14px system-ui',
    'this image cannot be shown',
  );
  const counter = el(
    doc,
    'div',
    'tessera-preview-index',
    'position:absolute;top:12px;left:0;right:0;text-align:center;color:#fff;font:14px system-ui',
  );
  const show = () => {
    const url = urls[index];
    img.style.display = url ? '' : 'none';
    missing.style.display = url ? 'none' : '';
    if (url) img.src = url;
    counter.textContent = urls.length > 1 ? `${index + 1}/${urls.length}` : '';
  };
  const move = (by: number) => {
    const next = index + by;
    if (next < 0 || next >= urls.length) return;
    index = next;
    show();
  };
  const close = () => {
    overlay.remove();
    for (const u of urls) if (u) URL.revokeObjectURL(u);
  };
  let from: number | undefined;
  overlay.addEventListener('pointerdown', (e) => {
    from = e.clientX;
  });
  overlay.addEventListener('pointerup', (e) => {
    const dx = from === undefined ? 0 : e.clientX - from;
    from = undefined;
    if (Math.abs(dx) > 40) move(dx < 0 ? 1 : -1);
    else close();
  });
  overlay.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowRight') move(1);
    else if (e.key === 'ArrowLeft') move(-1);
  });
  overlay.append(img, missing, counter);
  show();
  root.append(overlay);
  overlay.focus();
}
