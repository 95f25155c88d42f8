// A fault-injecting, request-counting proxy in front of the real API server, for the operator
// tests. The operator talks plain HTTP to 127.0.0.1:<port>; the proxy forwards over TLS with the
// harness admin identity. It can count writes, drop watch connections, silently stall watch
// streams (a half-open connection) and answer the next watch with a 410 Gone ERROR event.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiProxy {
  readonly writes: Array<{ method: string; path: string }> = [];
  watchRequests = 0;
  stall = false;
  /** Answer every request with 503, as an unreachable or overloaded API server would. */
  unavailable = false;
  #server: Server | undefined;
  #watches = new Set<ServerResponse>();
  #sockets = new Set<Socket>();
  #gone: Array<{ path: string; left: number }> = [];
  #tls: RequestOptions = {};
  #upstream: URL | undefined;
  readonly #kc: KubeConfig;

  /** `kc`: the real cluster's (admin) kubeconfig. */
  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }

  async start(): Promise<void> {
    const kc = this.#kc;
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    this.#tls = { ca: opts.ca, cert: opts.cert, key: opts.key, headers: opts.headers };
    this.#upstream = new URL(kc.getCurrentCluster()?.server ?? '');
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((r) => this.#server?.listen(0, '127.0.0.1', r));
  }

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('ApiProxy.url: call start() first');
    return `http://127.0.0.1:${address.port}`;
  }

  /** The same as a kubeconfig file, for operator processes. */
  kubeConfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: proxy, cluster: {server: "${this.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: proxy, user: {}}]',
      'contexts: [{name: proxy, context: {cluster: proxy, user: proxy}}]',
      'current-context: proxy',
      '',
    ].join('\n');
  }

  /** A kubeconfig for the operator pointing at the proxy. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'proxy', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'proxy' }],
      contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy' }],
      currentContext: 'proxy',
    });
    return kc;
  }

  writeCount(): number {
    return this.writes.length;
  }

  /** Cut every open watch connection (the TCP connection is destroyed). */
  dropWatches(): number {
    const n = this.#watches.size;
    for (const w of this.#watches) w.socket?.destroy();
    this.#watches.clear();
    return n;
  }

  /**
   * Answer the next `n` watch requests whose path contains `path` with a 410 Gone ERROR event,
   * as the API server does for an expired resourceVersion.
   */
  goneNext(path: string, n = 1): void {
    this.#gone.push({ path, left: n });
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://x');
    const isWatch = url.searchParams.get('watch') === 'true';
    if (this.unavailable) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"kind":"Status","code":503}');
      return;
    }
    if (WRITE_METHODS.has(method)) this.writes.push({ method, path: url.pathname });
    if (isWatch) {
      this.watchRequests++;
      const gone = this.#gone.find((g) => g.left > 0 && url.pathname.includes(g.path));
      if (gone) {
        gone.left--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          `${JSON.stringify({
            type: 'ERROR',
            object: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: 'too old resource version',
              reason: 'Expired',
              code: 410,
            },
          })}\n`,
        );
        return;
      }
    }
    const upstream = this.#upstream as URL;
    const headers = { ...req.headers, host: upstream.host };
    const up = httpsRequest(
      {
        ...this.#tls,
        hostname: upstream.hostname,
        port: upstream.port,
        method,
        path: req.url,
        headers: { ...headers, ...(this.#tls.headers as Record<string, string> | undefined) },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        if (isWatch) {
          this.#watches.add(res);
          res.on('close', () => this.#watches.delete(res));
          // While stalled, bytes are swallowed: the connection stays open and silent.
          upRes.on('data', (chunk: Buffer) => {
            if (!this.stall) res.write(chunk);
          });
          upRes.on('end', () => {
            if (!this.stall) res.end();
          });
        } else {
          upRes.pipe(res);
        }
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }
}
