// The network APIs few mini-programs use, loaded on first use (a chunk of the web SDK):
// wx.downloadFile into a temporary file, wx.uploadFile of one, and WebSockets. Network has
// checked the URL against the right domain list before any of these runs.
import { type Args, readLimited, requestHeaders, responseHeaders, type Tracker, taskIdOf } from './http.ts';
import type { TaskEvent } from './network.ts';
import { type ChooseFiles, TempFiles } from './temp-files.ts';

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
/** WeChat's limit on open sockets per mini-program */
const MAX_SOCKETS = 5;
const MAX_SOCKET_MESSAGE_BYTES = 1024 * 1024;

export interface TransferOptions {
  fetch: typeof fetch;
  tracker: Tracker;
  emit(taskId: number, event: TaskEvent): void;
  WebSocket?: typeof WebSocket;
}

export class Transfers {
  readonly #o: TransferOptions;
  readonly #sockets = new Map<number, WebSocket>();
  /** the files downloaded in this run, kept until the mini-program closes */
  readonly temp = new TempFiles();

  constructor(options: TransferOptions) {
    this.#o = options;
  }

  /** wx.chooseImage / chooseMedia: what the user picks becomes this run's wxfile://tmp/… files. */
  async choose(name: 'chooseImage' | 'chooseMedia', a: Args, pick: ChooseFiles): Promise<unknown> {
    const count = Math.max(1, Math.min(9, Math.floor(Number(a.count) || 9)));
    const accept = (
      name === 'chooseImage' || !Array.isArray(a.mediaType) ? ['image', 'video'] : a.mediaType
    ).filter((k): k is 'image' | 'video' => k === 'image' || (k === 'video' && name === 'chooseMedia'));
    const sources = Array.isArray(a.sourceType) ? a.sourceType : ['album', 'camera'];
    const files = await pick({
      accept: accept.length ? accept : ['image'],
      multiple: count > 1,
      camera: sources.includes('camera') && !sources.includes('album'),
    });
    const picked = files.slice(0, count).filter((f) => accept.some((k) => f.type.startsWith(`${k}/`)));
    if (!picked.length)
      throw new Error(files.length ? 'the chosen files are not of the asked type' : 'cancel');
    const kept = await Promise.all(
      picked.map(async (f) => ({
        path: this.temp.add(f.bytes, f.type, f.name),
        size: f.bytes.length,
        kind: f.type.startsWith('video/') ? 'video' : 'image',
      })),
    );
    if (name === 'chooseImage')
      return {
        tempFilePaths: kept.map((k) => k.path),
        tempFiles: kept.map((k) => ({ path: k.path, size: k.size })),
      };
    const kinds = new Set(kept.map((k) => k.kind));
    return {
      tempFiles: kept.map((k) => ({ tempFilePath: k.path, size: k.size, fileType: k.kind })),
      type: kinds.size > 1 ? 'mix' : kept[0]!.kind,
    };
  }

  downloadFile(a: Args): Promise<unknown> {
    const url = String(a.url ?? '');
    const id = taskIdOf(a);
    return this.#o.tracker.run(a, async (signal) => {
      const res = await this.#o.fetch(url, {
        headers: requestHeaders(a.header),
        credentials: 'omit',
        redirect: 'error',
        signal,
      });
      const expected = Number(res.headers.get('content-length') ?? 0) || 0;
      const bytes = await readLimited(res, MAX_DOWNLOAD_BYTES, 'the file is larger than 50 MiB', (n, done) =>
        this.#o.emit(id, {
          kind: 'progress',
          progress: done ? 100 : expected ? Math.min(99, Math.floor((n / expected) * 100)) : 0,
          bytes: n,
          expected: expected || (done ? n : 0),
        }),
      );
      const type = res.headers.get('content-type') ?? 'application/octet-stream';
      // WeChat keeps the file for any status; the mini-program checks statusCode
      const tempFilePath = this.temp.add(bytes, type, new URL(url).pathname);
      return { tempFilePath, statusCode: res.status, dataLength: bytes.length, header: responseHeaders(res) };
    });
  }

  uploadFile(a: Args): Promise<unknown> {
    const url = String(a.url ?? '');
    const id = taskIdOf(a);
    const path = String(a.filePath ?? '');
    const file = this.temp.get(path);
    if (!file) throw new Error(`filePath ${path.slice(0, 100)} is not a file of this mini-program`);
    const name = String(a.name ?? '');
    if (!name) throw new Error('name is required (the form field that carries the file)');
    const form = new FormData();
    if (a.formData && typeof a.formData === 'object')
      for (const [k, v] of Object.entries(a.formData))
        form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
    form.append(
      name,
      new Blob([file.bytes as BlobPart], { type: file.type }),
      path.slice(path.lastIndexOf('/') + 1),
    );
    const headers = requestHeaders(a.header);
    // the multipart boundary is the browser's to choose
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') delete headers[k];
    return this.#o.tracker.run(a, async (signal) => {
      const res = await this.#o.fetch(url, {
        method: 'POST',
        headers,
        body: form,
        credentials: 'omit',
        redirect: 'error',
        signal,
      });
      // fetch reports no upload progress: the whole body has been sent once the answer comes
      const size = file.bytes.length;
      this.#o.emit(id, { kind: 'progress', progress: 100, bytes: size, expected: size });
      const buf = await readLimited(res, MAX_RESPONSE_BYTES, 'response is larger than 10 MiB');
      return { data: new TextDecoder().decode(buf), statusCode: res.status, header: responseHeaders(res) };
    });
  }

  connectSocket(a: Args): unknown {
    const url = String(a.url ?? '');
    const id = taskIdOf(a);
    if (this.#sockets.size >= MAX_SOCKETS)
      throw new Error(`at most ${MAX_SOCKETS} sockets may be open at once`);
    const Ws = this.#o.WebSocket ?? globalThis.WebSocket;
    if (!Ws) throw new Error('not supported by this host');
    const protocols = Array.isArray(a.protocols) ? a.protocols.map(String).slice(0, 16) : [];
    const ws = new Ws(url, protocols);
    ws.binaryType = 'arraybuffer';
    this.#sockets.set(id, ws);
    const emit = (e: TaskEvent) => this.#o.emit(id, e);
    ws.onopen = () => emit({ kind: 'open', header: {} });
    ws.onmessage = (e: MessageEvent) => {
      const data = e.data as unknown;
      if (typeof data === 'string' || data instanceof ArrayBuffer) emit({ kind: 'message', data });
    };
    ws.onerror = () => emit({ kind: 'error', errMsg: 'connectSocket:fail the connection failed or broke' });
    ws.onclose = (e: CloseEvent) => {
      this.#sockets.delete(id);
      emit({ kind: 'close', code: e.code, reason: e.reason });
    };
    return {};
  }

  socketSend(a: Args): unknown {
    const ws = this.#sockets.get(taskIdOf(a));
    if (ws?.readyState !== 1) throw new Error('the socket is not open');
    const data = a.data;
    if (typeof data === 'string') {
      if (data.length > MAX_SOCKET_MESSAGE_BYTES) throw new Error('the message is larger than 1 MiB');
      ws.send(data);
    } else if (data instanceof ArrayBuffer) {
      if (data.byteLength > MAX_SOCKET_MESSAGE_BYTES) throw new Error('the message is larger than 1 MiB');
      ws.send(data);
    } else throw new Error('data must be a string or an ArrayBuffer');
    return {};
  }

  socketClose(a: Args): unknown {
    const ws = this.#sockets.get(taskIdOf(a));
    if (!ws) return {};
    const code = Number(a.code ?? 1000);
    // a page may close with 1000 or its own 3000–4999 codes (the WebSocket API's rule)
    ws.close(
      code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000,
      String(a.reason ?? '').slice(0, 123),
    );
    return {};
  }

  closeSocket(id: number): void {
    this.#sockets.get(id)?.close();
  }

  close(): void {
    for (const ws of this.#sockets.values()) ws.close();
    this.#sockets.clear();
    this.temp.clear();
  }
}
