// Sandboxed frames: opaque origin (sandbox="allow-scripts" without allow-same-origin), so the
// mini-program cannot reach the host's cookies, DOM, storage or globals, and a CSP that
// forbids every network fetch and any script that is not ours or a blob we created.
import { BASE_CSS } from '../view/base-css.ts';

function nonce(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function csp(n: string): string {
  return `default-src 'none'; script-src 'nonce-${n}' blob:; worker-src blob:; style-src 'unsafe-inline'; img-src blob: data:; font-src blob: data:; connect-src 'none'; frame-src https:; base-uri 'none'; form-action 'none'`;
}

function escapeScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function frameDocument(script: string, css = ''): string {
  const n = nonce();
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp(n)}"><meta name="viewport" content="width=device-width,initial-scale=1"><style>html,body{margin:0;padding:0}${css}</style></head><body><script nonce="${n}">${escapeScript(script)}</script></body></html>`;
}

/** Bootstrap of the (invisible) logic frame: starts the worker and hands it the port. */
export const LOGIC_FRAME_BOOTSTRAP = `addEventListener('message',function f(e){if(e.source!==parent||!e.data||e.data.type!=='tessera:logic'||!e.ports[0])return;removeEventListener('message',f);var u=URL.createObjectURL(new Blob([e.data.worker],{type:'text/javascript'}));var w=new Worker(u);w.postMessage({type:'port'},[e.ports[0]]);});`;

export function createSandboxedFrame(doc: Document, html: string, title: string): HTMLIFrameElement {
  const frame = doc.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.setAttribute('title', title);
  frame.setAttribute('allow', '');
  frame.srcdoc = html;
  return frame;
}

export function viewFrameCss(): string {
  return `body{font-family:-apple-system,system-ui,sans-serif;font-size:16px}${BASE_CSS}`;
}

export function waitForLoad(frame: HTMLIFrameElement): Promise<void> {
  return new Promise((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
}
