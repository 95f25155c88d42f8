// Entry of a page view realm (a sandboxed, opaque-origin iframe with a strict CSP). Loads the
// page's compiled templates as blob scripts, renders with PageView and talks to the host over
// a private MessagePort. Assets (images) are fetched from the host as bytes → blob: URLs.
import type { WirePatch } from '../core/bridge.ts';
import type { PageWindow } from '../core/package-files.ts';
import type { CompiledTemplateModule, ModuleFactory } from '../render/contract.ts';
import { PageView } from '../view/page-view.ts';
import { lockScriptUrls } from './lockdown.ts';
import { type PageScroll, watchPageScroll } from './page-scroll.ts';
import { connectViewChunks, viewChunkArrived } from './view-chunks.bundled.ts';

interface Boot {
  type: 'boot';
  scripts: Record<string, string>;
  css: string[];
  using: Record<string, Record<string, string>>;
  webView: string[];
  scopes: Record<string, string>;
}

type HostToView =
  | Boot
  | {
      type: 'init';
      pageId: number;
      route: string;
      data: Record<string, unknown>;
      window: PageWindow;
    }
  | { type: 'pull'; start: boolean }
  | { type: 'observe'; id: number; request: Record<string, unknown>; scope?: number }
  | { type: 'unobserve'; observer: number }
  | { type: 'animate'; id: number; request: Record<string, unknown>; scope?: number }
  | { type: 'chunk'; name: string; code?: string; error?: string }
  | {
      type: 'scroll-to';
      id: number;
      scrollTop: number;
      selector?: string;
      offsetTop: number;
      duration: number;
    }
  | { type: 'data'; id: number; seq: number; patches: WirePatch[]; externalClasses?: string[] }
  | {
      type: 'trigger';
      id: number;
      name: string;
      detail: unknown;
      options: { bubbles: boolean; composed: boolean; capturePhase: boolean };
    }
  | { type: 'asset'; path: string; bytes: Uint8Array | null; mime: string }
  | {
      type: 'query';
      id: number;
      queries: Array<{ selector: string; all: boolean; fields: string[] }>;
      scope?: number;
    };

// The view's own blob URLs (its template script, images); page code gets none (lockScriptUrls).
const createUrl = URL.createObjectURL.bind(URL);
const revokeUrl = URL.revokeObjectURL.bind(URL);
lockScriptUrls(globalThis);

const modules = new Map<string, { factory: ModuleFactory; module?: { exports: unknown } }>();
(globalThis as Record<string, unknown>).__tesseraDefine = (path: string, factory: ModuleFactory) => {
  if (typeof path === 'string' && typeof factory === 'function' && !modules.has(path))
    modules.set(path, { factory });
};

function requireModule(path: string): unknown {
  const rec = modules.get(path);
  if (!rec) throw new Error(`module ${path} is not loaded in this page`);
  if (!rec.module) {
    rec.module = { exports: {} };
    rec.factory(rec.module, rec.module.exports, requireModule);
  }
  return rec.module.exports;
}

/** Runs the page's compiled templates as one blob script (a blob load costs IPC round trips). */
function loadScript(doc: Document, text: string): Promise<void> {
  const s = doc.createElement('script');
  const url = createUrl(new Blob([text], { type: 'text/javascript' }));
  return new Promise((resolve, reject) => {
    s.onload = () => {
      revokeUrl(url);
      resolve();
    };
    s.onerror = () => reject(new Error('the compiled templates failed to load'));
    s.src = url;
    doc.head.appendChild(s);
  });
}

function start(port: MessagePort): void {
  let view: PageView | undefined;
  let scroll: PageScroll | undefined;
  let boot: Boot | undefined;
  const assets = new Map<string, Promise<string | undefined>>();
  const waiting = new Map<string, (url: string | undefined) => void>();
  const send = (m: unknown) => port.postMessage(m);
  /** The host's request `id` is done: [null], or [why it failed]. */
  const answer = (id: number, done: Promise<void> | undefined) =>
    (done ?? Promise.resolve()).then(
      () => send({ type: 'query-result', id, results: [null] }),
      (err: unknown) =>
        send({ type: 'query-result', id, results: [err instanceof Error ? err.message : String(err)] }),
    );
  connectViewChunks(
    (name) => send({ type: 'chunk', name }),
    (code) => loadScript(document, code),
  );
  port.onmessage = async (e: MessageEvent) => {
    const msg = e.data as HostToView;
    switch (msg.type) {
      case 'boot': {
        const st = document.createElement('style');
        st.textContent = msg.css.join('\n');
        document.head.appendChild(st);
        try {
          await loadScript(document, Object.values(msg.scripts).join('\n;'));
        } catch (err) {
          send({ type: 'error', message: String(err instanceof Error ? err.message : err) });
          return;
        }
        boot = msg;
        send({ type: 'booted' });
        return;
      }
      case 'init': {
        if (!boot || view) return;
        const b = boot;
        const root = document.createElement('wx-page');
        document.body.appendChild(root);
        view = new PageView({
          doc: document,
          root,
          pageId: msg.pageId,
          route: msg.route,
          template: (path) => requireModule(`/${path}.wxml`) as CompiledTemplateModule,
          resolveComponent: (owner, tag) => {
            const u = b.using[owner];
            return u && Object.hasOwn(u, tag) ? u[tag] : undefined;
          },
          scopeOf: (path) => (Object.hasOwn(b.scopes, path) ? b.scopes[path] : undefined),
          post: send,
          resolveAsset: (path) => {
            const clean = /^https:\/\//i.test(path) ? path : path.replace(/^\/+/, '');
            let p = assets.get(clean);
            if (!p) {
              p = new Promise((resolve) => waiting.set(clean, resolve));
              assets.set(clean, p);
              send({ type: 'asset', path: clean });
            }
            return p;
          },
          webViewAllowed: (url) => {
            try {
              const host = new URL(url).host;
              return b.webView.some((d) => d.replace(/^https:\/\//, '').replace(/\/.*$/, '') === host);
            } catch {
              return false;
            }
          },
        });
        view.init(msg.data);
        scroll = watchPageScroll(root, msg.pageId, msg.window, send);
        return;
      }
      case 'data':
        view?.applyData(msg.id, msg.seq, msg.patches, msg.externalClasses);
        return;
      case 'trigger':
        view?.trigger(msg.id, msg.name, msg.detail, msg.options);
        return;
      case 'chunk':
        viewChunkArrived(msg.name, msg.code, msg.error);
        return;
      case 'observe':
        answer(msg.id, view?.observeIntersection(msg.request, msg.scope));
        return;
      case 'animate':
        answer(msg.id, view?.animate(msg.request, msg.scope));
        return;
      case 'unobserve':
        view?.disconnectIntersection(msg.observer);
        return;
      case 'pull':
        if (msg.start) scroll?.startRefresh();
        else scroll?.stopRefresh();
        return;
      case 'scroll-to':
        send({ type: 'query-result', id: msg.id, results: [view?.scrollTo(msg) ?? false] });
        return;
      case 'query':
        send({ type: 'query-result', id: msg.id, results: view ? view.query(msg.queries, msg.scope) : [] });
        return;
      case 'asset': {
        const done = waiting.get(msg.path);
        waiting.delete(msg.path);
        done?.(msg.bytes ? createUrl(new Blob([msg.bytes as BlobPart], { type: msg.mime })) : undefined);
        return;
      }
    }
  };
}

// First-use costs of a fresh frame, paid while it waits warm rather than at the first paint:
// the blob script loader, style and layout of text and form controls, font matching.
loadScript(document, '').catch(() => {});
{
  const w = document.body.appendChild(document.createElement('wx-view'));
  w.innerHTML = 'x<input>';
  void w.offsetWidth;
  w.remove();
}

addEventListener('message', function onInit(e: MessageEvent) {
  if (e.source !== parent || (e.data as { type?: string })?.type !== 'tessera:view' || !e.ports[0]) return;
  removeEventListener('message', onInit);
  start(e.ports[0]);
});
