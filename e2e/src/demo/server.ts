/**
 * The demo host app: a web page that embeds the runtime SDK, and the small
 * backend every web host app has, which mints short-lived session tokens from
 * the store server-to-server (the browser never sees the sdkSecret).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { routes, signRequest } from '@tessera/runtime-sdk/protocol';
import { REPO_ROOT } from '../harness/paths.ts';
import type { ProvisionedBank } from './provision.ts';

const PAGE_DIR = join(REPO_ROOT, 'e2e', 'src', 'demo', 'page');
const SDK_DIST = join(REPO_ROOT, 'runtime-sdk', 'dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

export interface HostPageOptions {
  bank: ProvisionedBank;
  storeUrl: string;
  sdkVersion: string;
  host?: string;
  port?: number;
}

export interface HostPage {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startHostPage(options: HostPageOptions): Promise<HostPage> {
  const { bank, storeUrl } = options;
  if (!existsSync(join(SDK_DIST, 'tessera-web.iife.js'))) {
    throw new Error(`the browser build of the runtime SDK is missing in ${SDK_DIST}: run \`make sdk\``);
  }
  // The page reaches the store through this origin, as a web host app would through its ingress.
  const config = (origin: string) =>
    JSON.stringify({
      storeUrl: origin,
      namespace: bank.namespace,
      hostApp: bank.hostApp,
      appIds: bank.appIds,
      publicKeys: bank.publicKeys,
      sdkVersion: options.sdkVersion,
    });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' && url.pathname === '/config.json') {
        return send(res, 200, 'application/json', config(`http://${req.headers.host ?? '127.0.0.1'}`));
      }
      if (req.method === 'POST' && url.pathname === '/session') {
        const userId = (url.searchParams.get('userId') ?? '').slice(0, 128) || 'anonymous';
        const token = await mintSession(storeUrl, bank, userId);
        return send(res, 200, 'application/json', JSON.stringify(token));
      }
      if (url.pathname.startsWith('/v1/')) return await proxy(req, res, storeUrl);
      if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
      const file = url.pathname.startsWith('/sdk/')
        ? safeJoin(SDK_DIST, url.pathname.slice('/sdk/'.length))
        : safeJoin(PAGE_DIR, url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
      if (!file) return send(res, 404, 'text/plain', 'not found');
      const body = await readFile(file).catch(() => undefined);
      if (!body) return send(res, 404, 'text/plain', 'not found');
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body);
    } catch (error) {
      // A proxied stream that breaks after its headers went out (e.g. the page was closed
      // mid-download) can only be cut off; anything else gets a 502 that says why.
      if (res.headersSent) return void res.destroy();
      return send(res, 502, 'text/plain', (error as Error).message);
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    server,
    // a browser keeps idle keep-alive connections open: close them, or close() waits for them
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function mintSession(storeUrl: string, bank: ProvisionedBank, userId: string): Promise<unknown> {
  const path = routes.sessions();
  const body = JSON.stringify({ userId, ttlSeconds: 600 });
  const headers = await signRequest({
    method: 'POST',
    path,
    body,
    sdkKey: bank.sdkKey,
    sdkSecret: bank.sdkSecret,
  });
  const res = await fetch(`${storeUrl}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  if (!res.ok) throw new Error(`the store refused a session token: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Forwards /v1/* to the store, streaming both ways (artifact downloads can be large). */
async function proxy(req: IncomingMessage, res: ServerResponse, storeUrl: string): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string' && !HOP_BY_HOP.has(k)) headers[k] = v;
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const upstream = await fetch(`${storeUrl}${req.url}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
  });
  const out: Record<string, string> = {};
  upstream.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k) && k !== 'content-encoding') out[k] = v;
  });
  res.writeHead(upstream.status, out);
  if (upstream.body) await pipeline(Readable.fromWeb(upstream.body as never), res);
  else res.end();
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

function safeJoin(root: string, relative: string): string | undefined {
  const path = normalize(join(root, decodeURIComponent(relative)));
  return path.startsWith(`${root}/`) ? path : undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
