// The one kubelet endpoint the API server needs for `kubectl logs`: GET
// /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&limitBytes, served over HTTPS on
// 127.0.0.1 with a throw-away self-signed certificate (the harness API server does not verify
// kubelet serving certificates). Like the kubelet's read-only port it does not authenticate
// callers: it listens on loopback only, and the API server has already authorized the
// `pods/log` request before proxying it.
import { execFile } from 'node:child_process';
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LogTarget {
  file: string;
  /** Whether more output may still come (for follow). */
  running(): boolean;
}

export type LogLookup = (namespace: string, pod: string, container: string) => LogTarget | undefined;

export interface LogServer {
  port: number;
  close(): Promise<void>;
}

async function selfSignedCert(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
  const key = join(dir, 'kubelet.key');
  const cert = join(dir, 'kubelet.crt');
  await run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=tessera-pod-runner',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir },
  );
  return { key: await readFile(key), cert: await readFile(cert) };
}

const positiveInt = (value: string | null) => {
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

export async function startLogServer(dir: string, lookup: LogLookup): Promise<LogServer> {
  const tls = await selfSignedCert(dir);
  const server: Server = createServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const target = m && req.method === 'GET' ? lookup(decode(m[1]), decode(m[2]), decode(m[3])) : undefined;
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found on this node\n');
      return;
    }
    const follow = ['true', '1'].includes(url.searchParams.get('follow') ?? '');
    const tailLines = positiveInt(url.searchParams.get('tailLines'));
    const limitBytes = positiveInt(url.searchParams.get('limitBytes'));
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    void streamLog(target, { follow, tailLines, limitBytes }, res, () => req.destroyed).finally(() =>
      res.end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function decode(part: string | undefined): string {
  try {
    return decodeURIComponent(part ?? '');
  } catch {
    return '';
  }
}

async function streamLog(
  target: LogTarget,
  options: { follow: boolean; tailLines: number | undefined; limitBytes: number | undefined },
  out: NodeJS.WritableStream,
  closed: () => boolean,
): Promise<void> {
  let budget = options.limitBytes ?? Number.POSITIVE_INFINITY;
  const write = (chunk: Buffer): boolean => {
    const part = chunk.subarray(0, Math.min(chunk.length, budget));
    budget -= part.length;
    if (part.length) out.write(part);
    return budget > 0;
  };
  let offset = 0;
  const initial = await readFile(target.file).catch(() => Buffer.alloc(0));
  offset = initial.length;
  let first = initial;
  if (options.tailLines !== undefined) {
    const text = initial.toString('utf8');
    const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    const kept = options.tailLines === 0 ? [] : lines.slice(-options.tailLines);
    first = Buffer.from(kept.length ? `${kept.join('\n')}\n` : '');
  }
  if (!write(first) || !options.follow) return;
  // follow: poll the file until the container stops and everything written has been sent
  let finalPass = false;
  for (;;) {
    if (closed()) return;
    const size = (await stat(target.file).catch(() => undefined))?.size ?? offset;
    if (size > offset) {
      const handle = await open(target.file, 'r');
      try {
        const chunk = Buffer.alloc(size - offset);
        await handle.read(chunk, 0, chunk.length, offset);
        offset = size;
        if (!write(chunk)) return;
      } finally {
        await handle.close();
      }
      continue;
    }
    if (!target.running()) {
      // one more look: the process may have written its last lines after the size check
      if (finalPass) return;
      finalPass = true;
      continue;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
