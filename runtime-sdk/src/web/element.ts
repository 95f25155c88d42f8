// The one way the host-side chrome makes its elements: inline styles only, so nothing leaks
// into the host's stylesheets and nothing of the host's restyles the chrome by accident.

export function el(
  doc: Document,
  tag: string,
  className: string,
  css: string,
  text = '',
  role = '',
): HTMLElement {
  const e = doc.createElement(tag);
  e.className = className;
  e.style.cssText = css;
  e.textContent = text;
  if (role) e.setAttribute('role', role);
  return e;
}

export const DIALOG_BUTTON =
  'padding:8px 16px;border-radius:6px;border:1px solid #ccc;background:#fff;font:14px system-ui;';
