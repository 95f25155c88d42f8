// Loopback servers for the SDK browser tests and benchmarks. The "store" here implements the
// device launch protocol with the real building blocks — the real compiler output, the real
// package writer, HMAC verification from @tessera/runtime-sdk/protocol and the real device
// re-wrap — not a mock of them. It also serves the host page and the built SDK, and can be
// switched off (connections reset) to test offline launches.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { compileProject } from '@tessera/compiler';
import {
  generateKek,
  generateSigningKeyPair,
  rewrapDataKeyForDevice,
  unwrapDataKey,
  writePackage,
} from '@tessera/runtime-sdk/package';
import {
  EventsBatchSchema,
  holdsAll,
  importHmacKey,
  LaunchRequestSchema,
  type LaunchResponse,
  parseSignatureHeaders,
  routes,
  verifyRequestSignature,
} from '@tessera/runtime-sdk/protocol';
import { WebSocketServer } from 'ws';

export interface PublishedApp {
  appId: string;
  version: string;
  bytes: Uint8Array;
  digest: string;
  dataKey: Uint8Array;
  domains: LaunchResponse['domains'];
  permissions: string[];
  /** MiniProgram.spec.privacyScopes as the launch answer carries them. */
  privacyScopes?: Array<{ scope: string; purpose: string }>;
  /** Serve these bytes instead (and advertise their digest): a tampering CDN + store. */
  tamperedBytes?: Uint8Array;
  /** The compiler's subpackage artifacts, each its own signed, encrypted package. */
  subpackages?: Array<{ name: string; root: string; bytes: Uint8Array; digest: string; dataKey: Uint8Array }>;
}

export interface Tenant {
  kek: Awaited<ReturnType<typeof generateKek>>;
  signing: Awaited<ReturnType<typeof generateSigningKeyPair>>;
}

export async function makeTenant(): Promise<Tenant> {
  return { kek: await generateKek(), signing: await generateSigningKeyPair() };
}

/** Compiles `source` with the real compiler and writes a real signed, encrypted package. */
export async function publish(
  tenant: Tenant,
  appId: string,
  version: string,
  source: Record<string, string>,
  domains: Partial<LaunchResponse['domains']> = {},
): Promise<PublishedApp> {
  const enc = new TextEncoder();
  const compiled = await compileProject(new Map(Object.entries(source).map(([k, v]) => [k, enc.encode(v)])));
  const main = compiled.artifacts.find((a) => a.root === null);
  if (!main) throw new Error('compiler produced no main package');
  const write = (files: Map<string, Uint8Array>) =>
    writePackage(
      [...files].map(([path, bytes]) => ({ path, bytes })),
      {
        kek: tenant.kek.rawBase64,
        kekId: tenant.kek.keyId,
        signingKey: tenant.signing.privateKeyPkcs8,
        signingKeyId: tenant.signing.keyId,
        meta: { appId, version },
      },
    );
  const written = await write(main.files);
  const subpackages = await Promise.all(
    compiled.artifacts
      .filter((a) => a.root !== null)
      .map(async (a) => {
        const w = await write(a.files);
        return {
          name: a.name,
          root: a.root as string,
          bytes: w.bytes,
          digest: w.digests.ciphertext,
          dataKey: await unwrapDataKey(w.wrappedDataKey, tenant.kek.rawBase64),
        };
      }),
  );
  return {
    ...(subpackages.length ? { subpackages } : {}),
    appId,
    version,
    bytes: written.bytes,
    digest: written.digests.ciphertext,
    dataKey: await unwrapDataKey(written.wrappedDataKey, tenant.kek.rawBase64),
    domains: { request: [], upload: [], download: [], socket: [], webView: [], ...domains },
    permissions: [],
  };
}

export interface FixtureStore {
  url: string;
  sdkKey: string;
  sdkSecret: string;
  apps: Map<string, PublishedApp>;
  launches: number;
  /** When true every /v1 request has its connection reset (store unreachable). */
  offline: boolean;
  /** Paths of the /v1 requests that reached the store, in order. */
  requests: string[];
  /** The device key fields of each launch request that reached the store, in order (as sent). */
  launchKeys: Array<{ devicePublicKey?: unknown; deviceKeyCurve?: unknown }>;
  /** Event batches received on /v1/events (validated with the protocol schema). */
  events: Array<{ type: string; appId: string }>;
  /** Extra routes (host pages, SDK bundle). */
  pages: Map<string, { type: string; body: string | Uint8Array }>;
  close(): Promise<void>;
}

function sha256Hex(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(
    JSON.stringify({ type: `https://tessera.dev/problems/${code}`, title: code, status, code, detail }),
  );
}

function listen(server: Server, scheme = 'http'): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/**
 * `proxyTo`: forward every /v1 request unchanged to a real store (it plays the ingress that
 * puts the store and the host page on one origin; the store sends no CORS headers).
 */
export async function startFixtureStore(tenantName = 'acme', proxyTo?: string): Promise<FixtureStore> {
  const sdkKey = 'sk-test-web';
  const sdkSecret = 'secret-web-0123456789';
  const hmac = await importHmacKey(sdkSecret);
  const state: FixtureStore = {
    url: '',
    sdkKey,
    sdkSecret,
    apps: new Map(),
    launches: 0,
    offline: false,
    requests: [],
    launchKeys: [],
    events: [],
    pages: new Map(),
    close: async () => {},
  };
  const byDigest = () =>
    new Map<string, { bytes: Uint8Array; tamperedBytes?: Uint8Array }>([
      ...[...state.apps.values()].map(
        (a) => [a.tamperedBytes ? sha256Hex(a.tamperedBytes) : a.digest, a] as const,
      ),
      ...[...state.apps.values()].flatMap((a) => (a.subpackages ?? []).map((sp) => [sp.digest, sp] as const)),
    ]);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = state.pages.get(url.pathname);
    if (page && req.method === 'GET') {
      res.writeHead(200, { 'content-type': page.type, 'cache-control': 'no-store' });
      res.end(page.body);
      return;
    }
    if (!url.pathname.startsWith('/v1/')) {
      res.writeHead(404).end();
      return;
    }
    if (state.offline) {
      req.socket.destroy();
      return;
    }
    state.requests.push(url.pathname);
    const body = await readBody(req);
    if (req.method === 'POST' && url.pathname === routes.launch()) {
      try {
        const { devicePublicKey, deviceKeyCurve } = JSON.parse(body.toString('utf8')) as Record<
          string,
          unknown
        >;
        state.launchKeys.push({ devicePublicKey, deviceKeyCurve });
      } catch {
        state.launchKeys.push({});
      }
    }
    if (proxyTo) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'origin', 'referer'].includes(k)) headers[k] = v;
      }
      const init: RequestInit = { method: req.method ?? 'GET', headers };
      if (body.length > 0) init.body = new Uint8Array(body);
      const upstream = await fetch(proxyTo + (req.url ?? '/'), init);
      const out: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k))
          out[k] = v;
      });
      res.writeHead(upstream.status, out);
      res.end(Buffer.from(await upstream.arrayBuffer()));
      return;
    }
    const parsedHeaders = parseSignatureHeaders((name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    if (!parsedHeaders.ok) return problem(res, 401, 'unauthenticated', parsedHeaders.reason);
    if (parsedHeaders.value.key !== sdkKey) return problem(res, 401, 'unauthenticated', 'unknown sdk key');
    const verdict = await verifyRequestSignature({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: parsedHeaders.value,
      bodySha256: sha256Hex(body),
      key: hmac,
    });
    if (!verdict.ok) return problem(res, 401, 'bad-signature', verdict.reason);

    if (req.method === 'POST' && url.pathname === routes.launch()) {
      const parsed = LaunchRequestSchema.safeParse(JSON.parse(body.toString('utf8') || 'null'));
      if (!parsed.success) return problem(res, 400, 'invalid-request', parsed.error.issues[0]?.message ?? '');
      const app = state.apps.get(parsed.data.appId);
      if (!app) return problem(res, 404, 'not-found', `no mini-program ${parsed.data.appId}`);
      state.launches++;
      const served = app.tamperedBytes ?? app.bytes;
      const digest = sha256Hex(served);
      const device = parsed.data.devicePublicKey as string;
      const curve = parsed.data.deviceKeyCurve;
      const cached = holdsAll(parsed.data, [digest, ...(app.subpackages ?? []).map((sp) => sp.digest)]);
      const response: LaunchResponse = {
        tenant: tenantName,
        appId: app.appId,
        miniProgram: app.appId,
        version: app.version,
        reason: 'stable',
        artifact: { url: routes.artifact(tenantName, digest), digest, size: served.length },
        signingKeyId: 'fixture',
        ...(cached
          ? { cached: true }
          : { wrappedKey: await rewrapDataKeyForDevice(app.dataKey, device, curve) }),
        domains: app.domains,
        permissions: app.permissions,
        privacyScopes: app.privacyScopes ?? [],
        purge: [],
        releaseDigest: 'fixture',
      };
      if (app.subpackages)
        response.subpackages = await Promise.all(
          app.subpackages.map(async (sp) => ({
            name: sp.name,
            root: sp.root,
            url: routes.artifact(tenantName, sp.digest),
            digest: sp.digest,
            size: sp.bytes.length,
            ...(cached ? {} : { wrappedKey: await rewrapDataKeyForDevice(sp.dataKey, device, curve) }),
          })),
        );
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(response));
      return;
    }
    if (req.method === 'POST' && url.pathname === routes.events()) {
      const batch = EventsBatchSchema.safeParse(JSON.parse(body.toString('utf8') || 'null'));
      if (!batch.success) return problem(res, 400, 'invalid-request', batch.error.issues[0]?.message ?? '');
      state.events.push(...batch.data.events);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: batch.data.events.length, duplicates: 0 }));
      return;
    }
    const m = /^\/v1\/tenants\/[a-z0-9-]+\/artifacts\/([0-9a-f]{64})$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const app = byDigest().get(m[1]!);
      if (!app) return problem(res, 404, 'not-found', 'no such artifact');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      });
      res.end(app.tamperedBytes ?? app.bytes);
      return;
    }
    problem(res, 404, 'not-found', url.pathname);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) problem(res, 500, 'internal', err instanceof Error ? err.message : String(err));
    });
  });
  state.url = await listen(server);
  state.close = () => new Promise((r) => server.close(() => r()));
  return state;
}

/**
 * A tiny API server (CORS-enabled) that counts hits, for whitelisted/non-whitelisted requests;
 * also a file to download (/image.svg), an upload target (/upload: answers what arrived) and a
 * WebSocket echo (/socket).
 */
export async function startApiServer(tls?: {
  cert: string | Buffer;
  key: string | Buffer;
}): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    hits.push(req.url ?? '');
    if (req.url === '/image.svg') {
      res.writeHead(200, { ...cors, 'content-type': 'image/svg+xml' });
      res.end(API_IMAGE);
      return;
    }
    if (req.url === '/upload' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const fields = [...body.matchAll(/; name="([^"]+)"/g)].map((m) => m[1]).join(',');
        res.writeHead(200, { ...cors, 'content-type': 'text/plain' });
        res.end(`fields=${fields} image=${body.includes(API_IMAGE)}`);
      });
      return;
    }
    res.writeHead(200, { ...cors, 'content-type': 'application/json' });
    res.end(JSON.stringify({ msg: 'hello' }));
  };
  const server = tls ? (createHttpsServer(tls, handler) as unknown as Server) : createServer(handler);
  const sockets = new WebSocketServer({ server, path: '/socket' });
  sockets.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${String(data)}`)));
  const url = await listen(server, tls ? 'https' : 'http');
  return {
    url,
    hits,
    close: () =>
      new Promise((r) => {
        for (const c of sockets.clients) c.terminate();
        sockets.close();
        server.close(() => r());
      }),
  };
}

export const API_IMAGE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" fill="#0a0"/></svg>';
