import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Network, type TaskEvent } from './network.ts';
import { TEMP_PREFIX } from './temp-files.ts';

// A real loopback HTTP and WebSocket server: what the host's network APIs send and receive.
let server: Server;
let origin: string;
const seen: Array<{ url: string; headers: IncomingMessage['headers']; body: string }> = [];
const FILE = Buffer.alloc(300 * 1024, 7);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('latin1') });
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'a=b', 'x-trace': '1' });
        res.end('{"ok":true}');
      } else if (req.url === '/file.png') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': FILE.length });
        res.end(FILE);
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'content-length': String(60 * 1024 * 1024) });
        res.write('x');
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 5_000).unref();
      } else if (req.url === '/upload') {
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('stored');
      } else res.writeHead(404).end();
    });
  });
  const wss = new WebSocketServer({ server, path: '/socket' });
  wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${data}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

function network() {
  const events: Array<[number, TaskEvent]> = [];
  const net = new Network({
    domains: {
      request: [`http://${origin}`],
      download: [`http://${origin}`],
      upload: [`http://${origin}`],
      socket: [`ws://${origin}`],
    },
    emit: (id, e) => events.push([id, e]),
  });
  return { net, events, temp: { get: (path: string) => net.tempFile(path) } };
}

describe('host network APIs', () => {
  it('request: within the request list, no cookies either way, impersonating headers dropped', async () => {
    const { net } = network();
    const r = (await net.request({
      url: `http://${origin}/json`,
      header: { cookie: 'c=1', Origin: 'https://evil', 'x-app': 'y' },
    })) as { statusCode: number; data: unknown; header: Record<string, string> };
    expect(r).toMatchObject({ statusCode: 200, data: { ok: true } });
    expect(r.header['x-trace']).toBe('1');
    expect(r.header['set-cookie']).toBeUndefined();
    const sent = seen.at(-1)!;
    expect(sent.headers['x-app']).toBe('y');
    expect(sent.headers.cookie).toBeUndefined();
    const before = seen.length;
    expect(() => net.request({ url: 'https://elsewhere.example.com/x' })).toThrow(
      /request: https:\/\/elsewhere\.example\.com is not in the request domain list/,
    );
    expect(seen.length).toBe(before);
  });

  it('request: dataType text keeps the body as text; arraybuffer gives bytes', async () => {
    const { net } = network();
    expect(await net.request({ url: `http://${origin}/json`, dataType: 'text' })).toMatchObject({
      data: '{"ok":true}',
    });
    const r = (await net.request({ url: `http://${origin}/json`, responseType: 'arraybuffer' })) as {
      data: ArrayBuffer;
    };
    expect(new TextDecoder().decode(r.data)).toBe('{"ok":true}');
  });

  it('downloadFile: a temporary file with its bytes, progress as it arrives, the download list only', async () => {
    const { net, events, temp } = network();
    const r = (await net.transfer('downloadFile', { taskId: 4, url: `http://${origin}/file.png` })) as {
      tempFilePath: string;
      statusCode: number;
      dataLength: number;
    };
    expect(r.statusCode).toBe(200);
    expect(r.dataLength).toBe(FILE.length);
    expect(r.tempFilePath.startsWith(TEMP_PREFIX) && r.tempFilePath.endsWith('.png')).toBe(true);
    expect(Buffer.from(temp.get(r.tempFilePath)!.bytes).equals(FILE)).toBe(true);
    expect(temp.get(r.tempFilePath)!.type).toBe('image/png');
    const progress = events.filter(([id, e]) => id === 4 && e.kind === 'progress').map(([, e]) => e);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({
      kind: 'progress',
      progress: 100,
      bytes: FILE.length,
      expected: FILE.length,
    });
    await expect(
      network().net.transfer('downloadFile', { taskId: 5, url: 'https://cdn.example.com/a.png' }),
    ).rejects.toThrow(/downloadFile: https:\/\/cdn\.example\.com is not in the download domain list/);
  });

  it('downloadFile: a file over the limit is refused without reading it all', async () => {
    const { net, temp } = network();
    await expect(net.transfer('downloadFile', { taskId: 1, url: `http://${origin}/huge` })).rejects.toThrow(
      'the file is larger than 50 MiB',
    );
    // nothing half-downloaded is kept
    expect(temp.get(`${TEMP_PREFIX}anything`)).toBeUndefined();
  });

  it('abort and timeout end a transfer', async () => {
    const { net } = network();
    const slow = net.request({ taskId: 9, url: `http://${origin}/slow` });
    net.abort({ taskId: 9 });
    await expect(slow).rejects.toThrow('abort');
    await expect(net.request({ url: `http://${origin}/slow`, timeout: 50 })).rejects.toThrow('timeout');
  });

  it('uploadFile: a downloaded file goes as multipart with the form fields; other paths are refused', async () => {
    const { net, events } = network();
    const d = (await net.transfer('downloadFile', { taskId: 1, url: `http://${origin}/file.png` })) as {
      tempFilePath: string;
    };
    const r = await net.transfer('uploadFile', {
      taskId: 2,
      url: `http://${origin}/upload`,
      filePath: d.tempFilePath,
      name: 'photo',
      formData: { user: 'u1' },
      header: { 'content-type': 'application/json' },
    });
    expect(r).toMatchObject({ statusCode: 201, data: 'stored' });
    const sent = seen.at(-1)!;
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent.body).toContain('name="user"\r\n\r\nu1');
    expect(sent.body).toContain('name="photo"; filename="');
    expect(sent.body.length).toBeGreaterThan(FILE.length);
    expect(events.filter(([id]) => id === 2).at(-1)?.[1]).toEqual({
      kind: 'progress',
      progress: 100,
      bytes: FILE.length,
      expected: FILE.length,
    });
    await expect(
      net.transfer('uploadFile', {
        taskId: 3,
        url: `http://${origin}/upload`,
        filePath: '/etc/passwd',
        name: 'f',
      }),
    ).rejects.toThrow('filePath /etc/passwd is not a file of this mini-program');
  });

  it('connectSocket: opens within the socket list, sends and receives text and bytes, closes', async () => {
    const { net, events } = network();
    const of = (kind: TaskEvent['kind']) => events.filter(([id, e]) => id === 7 && e.kind === kind);
    await net.transfer('connectSocket', { taskId: 7, url: `ws://${origin}/socket` });
    await expect.poll(() => of('open').length).toBe(1);
    await net.socket('socketSend', { taskId: 7, data: 'hi' });
    await net.socket('socketSend', { taskId: 7, data: new Uint8Array([1, 2, 3]).buffer });
    await expect.poll(() => of('message').length).toBe(2);
    expect((of('message')[0]![1] as { data: unknown }).data).toBe('echo:hi');
    expect([...new Uint8Array((of('message')[1]![1] as { data: ArrayBuffer }).data)]).toEqual([1, 2, 3]);
    await expect(net.socket('socketSend', { taskId: 7, data: { not: 'data' } })).rejects.toThrow(
      'data must be a string or an ArrayBuffer',
    );
    await net.socket('socketClose', { taskId: 7, code: 4001, reason: 'bye' });
    await expect.poll(() => of('close').length).toBe(1);
    expect(of('close')[0]![1]).toMatchObject({ code: 4001, reason: 'bye' });
    await expect(net.socket('socketSend', { taskId: 7, data: 'late' })).rejects.toThrow(
      'the socket is not open',
    );
    await expect(
      net.transfer('connectSocket', { taskId: 8, url: 'wss://chat.example.com/s' }),
    ).rejects.toThrow(/connectSocket: wss:\/\/chat\.example\.com is not in the socket domain list/);
    await expect(
      net.transfer('connectSocket', { taskId: 8, url: `http://${origin}/socket` }),
    ).rejects.toThrow('url must start with wss:// or ws://');
  });

  it('close() ends open sockets and transfers', async () => {
    const { net, events } = network();
    await net.transfer('connectSocket', { taskId: 1, url: `ws://${origin}/socket` });
    await expect.poll(() => events.some(([, e]) => e.kind === 'open')).toBe(true);
    const slow = net.request({ taskId: 2, url: `http://${origin}/slow` });
    net.close();
    await expect(slow).rejects.toThrow('the mini-program closed');
    await expect.poll(() => events.some(([, e]) => e.kind === 'close')).toBe(true);
  });
});
