import { describe, expect, it } from 'vitest';
import { installNetwork } from './network.ts';
import type { WxApi, WxResult } from './wx.ts';

// The logic realm's side of the task APIs, against a host that answers from a table.
function realm(answer: (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const errors: string[] = [];
  const wx: WxApi = {};
  const wrap =
    (name: string, impl: (o: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>) =>
    (o: Record<string, unknown> = {}) => {
      const p = impl(o).then(
        (v) => ({ ...v, errMsg: `${name}:ok` }) as WxResult,
        (e: Error) => Promise.reject({ errMsg: `${name}:fail ${e.message}` }),
      );
      const cb = o as { success?: (r: WxResult) => void; fail?: (r: unknown) => void };
      if (!cb.success && !cb.fail) return p;
      p.then(cb.success, cb.fail);
      return undefined;
    };
  const events = installNetwork(wx, {
    wrap,
    callHost: (name, args) => {
      calls.push([name, args as Record<string, unknown>]);
      return answer(name, args as Record<string, unknown>);
    },
    plainArgs: (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v !== 'function')),
    reportError: (err, where) => errors.push(`${where}: ${(err as Error).message}`),
  });
  type Task = Record<string, (...a: unknown[]) => unknown>;
  const call = (name: string, o: Record<string, unknown> = {}) => (wx[name] as (o: unknown) => Task)(o);
  return { wx, calls, errors, events, call };
}

describe('logic network tasks', () => {
  it('a task without callbacks is also the promise of its result; abort names the task', async () => {
    const { calls, call } = realm(async () => ({ statusCode: 200, data: 'x' }));
    const task = call('request', { url: 'https://a.example.com' });
    await expect(task as unknown as Promise<WxResult>).resolves.toEqual({
      statusCode: 200,
      data: 'x',
      errMsg: 'request:ok',
    });
    task.abort!();
    expect(calls.map(([n, a]) => [n, a.taskId])).toEqual([
      ['request', 1],
      ['task:abort', 1],
    ]);
  });

  it('with callbacks a failing task rejects nothing unhandled; progress reaches its listeners', async () => {
    const { call, events, errors } = realm(async () => {
      throw new Error('refused');
    });
    let failed = '';
    const seen: unknown[] = [];
    const task = call('downloadFile', {
      url: 'https://a.example.com/f',
      fail: (e: WxResult) => (failed = e.errMsg),
    });
    expect(task.then).toBeUndefined();
    task.onProgressUpdate!((p: unknown) => seen.push(p));
    task.onProgressUpdate!(() => {
      throw new Error('listener broke');
    });
    events.task(1, { kind: 'progress', progress: 50, bytes: 5, expected: 10 });
    await expect.poll(() => failed).toBe('downloadFile:fail refused');
    expect(seen).toEqual([
      {
        progress: 50,
        totalBytesWritten: 5,
        totalBytesSent: 5,
        totalBytesExpectedToWrite: 10,
        totalBytesExpectedToSend: 10,
      },
    ]);
    expect(errors).toEqual(['downloadFile onProgressUpdate: listener broke']);
  });

  it('SocketTask and the global socket API: events by task id, the last socket for wx.sendSocketMessage', async () => {
    const { call, calls, events, wx } = realm(async () => ({}));
    const first = call('connectSocket', { url: 'wss://a.example.com/1' });
    const second = call('connectSocket', { url: 'wss://a.example.com/2' });
    const got: string[] = [];
    first.onMessage!((m: { data: string }) => got.push(`first ${m.data}`));
    second.onMessage!((m: { data: string }) => got.push(`second ${m.data}`));
    (wx.onSocketMessage as (fn: unknown) => void)((m: { data: string }) => got.push(`global ${m.data}`));
    events.task(1, { kind: 'message', data: 'a' });
    events.task(2, { kind: 'message', data: 'b' });
    expect(got).toEqual(['first a', 'second b', 'global b']);
    await (wx.sendSocketMessage as (o: unknown) => Promise<unknown>)({ data: 'hi' });
    expect(calls.at(-1)).toEqual(['socket:send', { taskId: 2, data: 'hi' }]);
    events.task(2, { kind: 'close', code: 1000, reason: '' });
    await expect((wx.sendSocketMessage as (o: unknown) => Promise<unknown>)({ data: 'x' })).rejects.toEqual({
      errMsg: 'sendSocketMessage:fail no socket is open (call wx.connectSocket first)',
    });
  });
});
