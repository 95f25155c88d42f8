// One sandboxed page frame and its private port. Frames are created (and their view runtime
// loaded) before they are needed — the entry page's while the package downloads, a spare one
// after each first render — then booted with a page's templates and attached to a page id.

import type { PageFiles, PageWindow } from '../core/package-files.ts';
import type { PageViewHandle, SelectorQuery } from '../core/session.ts';
import { loadChunkText } from './chunk-loader.ts';
import { createSandboxedFrame, frameDocument, viewFrameCss, waitForLoad } from './frames.ts';

/** Bytes of a package asset or (whitelisted) remote image, or null. */
export type AssetSource = (path: string) => Promise<Uint8Array | null>;

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

export class PageFrame {
  readonly frame: HTMLIFrameElement;
  readonly port: MessagePort;
  #onMessage: ((data: unknown) => void) | undefined;
  #booted: (() => void) | undefined;
  readonly #queries = new Map<number, (results: unknown[]) => void>();
  #nextQuery = 0;

  #assets: AssetSource;

  private constructor(frame: HTMLIFrameElement, port: MessagePort, assets: AssetSource) {
    this.frame = frame;
    this.port = port;
    this.#assets = assets;
    port.onmessage = (e: MessageEvent) => {
      const m = e.data as { type?: string; path?: unknown; id?: unknown; results?: unknown };
      if (m?.type === 'booted') return this.#booted?.();
      if (m?.type === 'query-result') {
        const done = this.#queries.get(Number(m.id));
        this.#queries.delete(Number(m.id));
        done?.(Array.isArray(m.results) ? m.results : []);
        return;
      }
      if (m?.type === 'chunk' && typeof (m as { name?: unknown }).name === 'string') {
        const name = (m as { name: string }).name;
        loadChunkText(name).then(
          (code) => port.postMessage({ type: 'chunk', name, code }),
          (err: Error) => port.postMessage({ type: 'chunk', name, error: err.message }),
        );
        return;
      }
      if (m?.type === 'asset' && typeof m.path === 'string') {
        const path = m.path;
        this.#assets(path).then(
          (bytes) =>
            port.postMessage({
              type: 'asset',
              path,
              bytes,
              mime: MIME[path.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream',
            }),
          () => port.postMessage({ type: 'asset', path, bytes: null, mime: '' }),
        );
        return;
      }
      this.#onMessage?.(e.data);
    };
  }

  /**
   * Creates a hidden frame in `parent`; `page` resolves once its view runtime is listening. The
   * frame element is handed out at once (e.g. to move it with moveBefore).
   */
  static start(
    parent: HTMLElement,
    viewSource: string,
    assets: AssetSource,
  ): { frame: HTMLIFrameElement; page: Promise<PageFrame> } {
    const frame = createSandboxedFrame(
      parent.ownerDocument,
      frameDocument(viewSource, viewFrameCss()),
      'mini-program page',
    );
    frame.style.cssText =
      'position:absolute;inset:0;width:100%;height:100%;border:0;background:#fff;visibility:hidden';
    const loaded = waitForLoad(frame);
    parent.appendChild(frame);
    const page = loaded.then(() => {
      const channel = new MessageChannel();
      frame.contentWindow?.postMessage({ type: 'tessera:view' }, '*', [channel.port2]);
      return new PageFrame(frame, channel.port1, assets);
    });
    return { frame, page };
  }

  /** The source of the package assets this frame's page asks for (set when a launch takes it). */
  useAssets(assets: AssetSource): void {
    this.#assets = assets;
  }

  /** Loads a page's compiled templates and CSS into the frame. */
  async boot(
    files: PageFiles,
    using: Record<string, Record<string, string>>,
    webView: string[],
    scopes: Record<string, string> = {},
  ): Promise<this> {
    const booted = new Promise<void>((resolve) => {
      this.#booted = resolve;
    });
    this.port.postMessage({ type: 'boot', scripts: files.scripts, css: files.css, using, webView, scopes });
    await booted;
    return this;
  }

  /** A request to the view that it answers with a query-result. */
  #ask(msg: Record<string, unknown>): Promise<unknown[]> {
    return new Promise((resolve) => {
      const id = ++this.#nextQuery;
      this.#queries.set(id, resolve);
      this.port.postMessage({ ...msg, id });
    });
  }

  /** Binds the frame to a page: it becomes visible on top and carries that page's messages. */
  attach(
    pageId: number,
    route: string,
    window: PageWindow,
    onMessage: (data: unknown) => void,
  ): PageViewHandle {
    const { frame, port } = this;
    frame.dataset.route = route;
    frame.title = `page ${route}`;
    frame.style.visibility = 'visible';
    // Stack with z-index: moving an iframe in the DOM would reload it.
    frame.style.zIndex = String(pageId);
    this.#onMessage = onMessage;
    return {
      init: (data) => port.postMessage({ type: 'init', pageId, route, data, window }),
      applyData: (id, seq, patches, externalClasses) =>
        port.postMessage({ type: 'data', id, seq, patches, externalClasses }),
      trigger: (id, name, detail, o) => port.postMessage({ type: 'trigger', id, name, detail, options: o }),
      query: (queries: SelectorQuery[], scope?: number) => this.#ask({ type: 'query', queries, scope }),
      pullDownRefresh: (start) => port.postMessage({ type: 'pull', start }),
      observeIntersection: async (o, scope) => {
        const [error] = await this.#ask({ type: 'observe', request: o, scope });
        if (typeof error === 'string') throw new Error(error);
      },
      disconnectIntersection: (observer) => port.postMessage({ type: 'unobserve', observer }),
      animate: async (a, scope) => {
        const [error] = await this.#ask({ type: 'animate', request: a, scope });
        if (typeof error === 'string') throw new Error(error);
      },
      scrollTo: async (to) => (await this.#ask({ type: 'scroll-to', ...to }))[0] === true,
      show: () => {
        frame.style.visibility = 'visible';
      },
      hide: () => {
        frame.style.visibility = 'hidden';
      },
      destroy: () => {
        port.close();
        frame.remove();
      },
    };
  }
}
