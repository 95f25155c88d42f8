// The task-returning wx network APIs in the logic realm: wx.request / downloadFile / uploadFile
// give a task with abort() (downloads and uploads also onProgressUpdate), wx.connectSocket a
// SocketTask. The host performs them (and checks the domain lists); its events arrive here by
// task id. A task is also a thenable of the call's result when no callback was given, so both
// WeChat's task style and `await wx.request(...)` work.
import type { TaskEvent } from '../core/network.ts';
import type { WxApi, WxResult } from './wx.ts';

type Options = Record<string, unknown>;
type Listener = (r: Record<string, unknown>) => void;

interface Deps {
  /** wx's wrapper: callbacks and errMsg; returns a promise only when no callback is given */
  wrap(
    name: string,
    impl: (o: Options) => Promise<Record<string, unknown> | undefined>,
  ): (o?: Options) => Promise<WxResult> | undefined;
  callHost(name: string, args: unknown): Promise<Record<string, unknown>>;
  plainArgs(o: Options): Options;
  reportError(err: unknown, where: string): void;
}

export interface NetworkEvents {
  task(taskId: number, event: TaskEvent): void;
  network(e: { networkType: string; isConnected: boolean }): void;
}

class Listeners {
  readonly #fns = new Set<Listener>();
  readonly #where: string;
  readonly #report: Deps['reportError'];
  constructor(where: string, report: Deps['reportError']) {
    this.#where = where;
    this.#report = report;
  }
  on = (fn: unknown) => {
    if (typeof fn === 'function') this.#fns.add(fn as Listener);
  };
  off = (fn?: unknown) => {
    if (typeof fn === 'function') this.#fns.delete(fn as Listener);
    else this.#fns.clear();
  };
  emit(r: Record<string, unknown>) {
    for (const fn of [...this.#fns])
      try {
        fn(r);
      } catch (err) {
        this.#report(err, this.#where);
      }
  }
}

export function installNetwork(wx: WxApi, d: Deps): NetworkEvents {
  let nextTask = 1;
  const progress = new Map<number, Listeners>();
  const sockets = new Map<number, ReturnType<typeof socketTask>>();
  let lastSocket: ReturnType<typeof socketTask> | undefined;

  /** A task whose call is `name` on the host, with the host's answer as its result. */
  function transfer(name: string, withProgress: boolean) {
    return (options: Options = {}) => {
      const taskId = nextTask++;
      const listeners = new Listeners(`${name} onProgressUpdate`, d.reportError);
      if (withProgress) progress.set(taskId, listeners);
      const call = d.wrap(name, async (o) => {
        try {
          return await d.callHost(name, { ...d.plainArgs(o), taskId });
        } finally {
          progress.delete(taskId);
        }
      });
      const result = call(options);
      // the promise is the task's only while nobody asked for callbacks; a rejection nobody
      // awaits is the caller's choice, not an unhandled rejection
      result?.catch(() => {});
      const task: Record<string, unknown> = {
        abort: () => void d.callHost('task:abort', { taskId }).catch(() => {}),
        ...(result
          ? {
              // biome-ignore lint/suspicious/noThenProperty: the task doubles as the call's promise
              then: (ok?: (r: WxResult) => unknown, fail?: (e: unknown) => unknown) => result.then(ok, fail),
              catch: (fail: (e: unknown) => unknown) => result.catch(fail),
              finally: (fn: () => void) => result.finally(fn),
            }
          : {}),
      };
      if (withProgress) {
        task.onProgressUpdate = listeners.on;
        task.offProgressUpdate = listeners.off;
      }
      return task;
    };
  }
  wx.request = transfer('request', false);
  wx.downloadFile = transfer('downloadFile', true);
  wx.uploadFile = transfer('uploadFile', true);

  function socketTask(taskId: number) {
    const on = {
      open: new Listeners('SocketTask.onOpen', d.reportError),
      message: new Listeners('SocketTask.onMessage', d.reportError),
      error: new Listeners('SocketTask.onError', d.reportError),
      close: new Listeners('SocketTask.onClose', d.reportError),
    };
    const send = d.wrap('sendSocketMessage', (o) => d.callHost('socket:send', { taskId, data: o.data }));
    const close = d.wrap('closeSocket', (o) =>
      d.callHost('socket:close', { taskId, code: o.code, reason: o.reason }),
    );
    return {
      on,
      task: {
        send: (o?: Options) => send(o),
        close: (o?: Options) => close(o),
        onOpen: on.open.on,
        onMessage: on.message.on,
        onError: on.error.on,
        onClose: on.close.on,
      },
    };
  }
  wx.connectSocket = (options: Options = {}) => {
    const taskId = nextTask++;
    const s = socketTask(taskId);
    sockets.set(taskId, s);
    lastSocket = s;
    const connect = d.wrap('connectSocket', (o) =>
      d.callHost('connectSocket', { ...d.plainArgs(o), taskId }),
    );
    connect(options)?.catch(() => {});
    return s.task;
  };
  // WeChat's global socket API acts on the socket opened last
  const global = {
    open: new Listeners('wx.onSocketOpen', d.reportError),
    message: new Listeners('wx.onSocketMessage', d.reportError),
    error: new Listeners('wx.onSocketError', d.reportError),
    close: new Listeners('wx.onSocketClose', d.reportError),
  };
  wx.onSocketOpen = global.open.on;
  wx.onSocketMessage = global.message.on;
  wx.onSocketError = global.error.on;
  wx.onSocketClose = global.close.on;
  const noSocket = async () => {
    throw new Error('no socket is open (call wx.connectSocket first)');
  };
  wx.sendSocketMessage = (o?: Options) =>
    lastSocket ? lastSocket.task.send(o) : d.wrap('sendSocketMessage', noSocket)(o);
  wx.closeSocket = (o?: Options) =>
    lastSocket ? lastSocket.task.close(o) : d.wrap('closeSocket', noSocket)(o);

  const network = new Listeners('wx.onNetworkStatusChange', d.reportError);
  wx.onNetworkStatusChange = network.on;
  wx.offNetworkStatusChange = network.off;

  return {
    task(taskId, event) {
      if (event.kind === 'progress') {
        progress.get(taskId)?.emit({
          progress: event.progress,
          totalBytesWritten: event.bytes,
          totalBytesSent: event.bytes,
          totalBytesExpectedToWrite: event.expected,
          totalBytesExpectedToSend: event.expected,
        });
        return;
      }
      const s = sockets.get(taskId);
      if (!s) return;
      const isLast = s === lastSocket;
      const r: Record<string, unknown> =
        event.kind === 'open'
          ? { header: event.header }
          : event.kind === 'message'
            ? { data: event.data }
            : event.kind === 'error'
              ? { errMsg: event.errMsg }
              : { code: event.code, reason: event.reason };
      s.on[event.kind].emit(r);
      if (isLast) global[event.kind].emit(r);
      if (event.kind === 'close') {
        sockets.delete(taskId);
        if (isLast) lastSocket = undefined;
      }
    },
    network: (e) => network.emit({ isConnected: e.isConnected, networkType: e.networkType }),
  };
}
