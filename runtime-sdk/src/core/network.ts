// The wx network APIs the host performs for a mini-program: request, downloadFile, uploadFile
// and WebSockets. Every URL is checked against the mini-program's own domain list for that kind
// of traffic before anything leaves the host; credentials (cookies) are never sent and headers
// that would impersonate the host are dropped.

import { loadTransfers } from './chunks.ts';
import { type Args, readLimited, requestHeaders, responseHeaders, Tracker, taskIdOf } from './http.ts';
import { assertDomain } from './permissions.ts';
import type { ChooseFiles, TempFile } from './temp-files.ts';
import type { Transfers } from './transfers.ts';

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT'];

export interface Domains {
  request: string[];
  download: string[];
  upload: string[];
  socket: string[];
}

export type NetworkType = 'wifi' | '2g' | '3g' | '4g' | '5g' | 'ethernet' | 'unknown' | 'none';

/** What a running task tells the logic realm (DownloadTask, UploadTask, SocketTask). */
export type TaskEvent =
  | { kind: 'progress'; progress: number; bytes: number; expected: number }
  | { kind: 'open'; header: Record<string, string> }
  | { kind: 'message'; data: string | ArrayBuffer }
  | { kind: 'error'; errMsg: string }
  | { kind: 'close'; code: number; reason: string };

export interface NetworkOptions {
  domains: Domains;
  fetch?: typeof fetch;
  emit(taskId: number, event: TaskEvent): void;
  WebSocket?: typeof WebSocket;
}

const lists = { downloadFile: 'download', uploadFile: 'upload', connectSocket: 'socket' } as const;

export class Network {
  readonly #o: NetworkOptions;
  readonly #tracker = new Tracker();
  #transfers: Promise<Transfers> | undefined;
  /** the same once loaded: its temporary files are read synchronously */
  #loaded: Transfers | undefined;
  #closed = false;

  constructor(options: NetworkOptions) {
    this.#o = options;
  }

  get #fetch(): typeof fetch {
    return this.#o.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The transfer APIs, loaded the first time a mini-program uses one. */
  #load(): Promise<Transfers> {
    this.#transfers ??= loadTransfers().then(
      (m) =>
        (this.#loaded = new m.Transfers({
          fetch: this.#fetch,
          tracker: this.#tracker,
          emit: this.#o.emit,
          ...(this.#o.WebSocket ? { WebSocket: this.#o.WebSocket } : {}),
        })),
    );
    return this.#transfers;
  }

  /** downloadFile, uploadFile, connectSocket: the URL is checked before anything loads. */
  async transfer(name: keyof typeof lists, a: Args): Promise<unknown> {
    const url = String(a.url ?? '');
    if (name === 'connectSocket' && !/^wss?:\/\//i.test(url))
      throw new Error('url must start with wss:// or ws://');
    assertDomain(name, url, this.#o.domains[lists[name]]);
    const t = await this.#load();
    if (this.#closed) throw new Error('the mini-program closed');
    return t[name](a);
  }

  async socket(op: 'socketSend' | 'socketClose', a: Args): Promise<unknown> {
    if (!this.#transfers) throw new Error('the socket is not open');
    return (await this.#transfers)[op](a);
  }

  /** wx.chooseImage / chooseMedia: what the user picks becomes this run's wxfile://tmp/… files. */
  async choose(name: 'chooseImage' | 'chooseMedia', a: Args, pick: ChooseFiles): Promise<unknown> {
    return (await this.#load()).choose(name, a, pick);
  }

  /** A file this mini-program downloaded (wxfile://tmp/…); none before a transfer loaded. */
  tempFile(path: string): TempFile | undefined {
    return this.#loaded?.temp.get(path);
  }

  abort(a: Args): void {
    const id = taskIdOf(a);
    this.#tracker.abort(id);
    this.#transfers?.then((t) => t.closeSocket(id));
  }

  request(a: Args): Promise<unknown> {
    const url = String(a.url ?? '');
    assertDomain('request', url, this.#o.domains.request);
    const method = String(a.method ?? 'GET').toUpperCase();
    if (!METHODS.includes(method)) throw new Error(`method ${method} is not supported`);
    const headers = requestHeaders(a.header);
    let body: string | ArrayBuffer | undefined;
    if (a.data !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = typeof a.data === 'string' || a.data instanceof ArrayBuffer ? a.data : JSON.stringify(a.data);
      if (typeof body === 'string') headers['content-type'] ??= 'application/json';
    }
    return this.#tracker.run(a, async (signal) => {
      const init: RequestInit = { method, headers, credentials: 'omit', redirect: 'error', signal };
      if (body !== undefined) init.body = body;
      const res = await this.#fetch(url, init);
      const buf = await readLimited(res, MAX_RESPONSE_BYTES, 'response is larger than 10 MiB');
      let data: unknown;
      if (a.responseType === 'arraybuffer') data = buf.buffer;
      else {
        const text = new TextDecoder().decode(buf);
        data = text;
        // WeChat parses 'json' (the default) and leaves any other dataType as text
        if (a.dataType === undefined || a.dataType === 'json')
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
      }
      return { statusCode: res.status, data, header: responseHeaders(res) };
    });
  }

  close(): void {
    this.#closed = true;
    this.#tracker.abortAll('the mini-program closed');
    this.#transfers?.then((t) => t.close()).catch(() => {});
  }
}
