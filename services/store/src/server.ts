// The store's HTTP server: plain node:http (measured faster than fastify for the launch path;
// see bench/), one router, problem+json errors, request ids, latency histograms per route.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { StoreContext } from './context.ts';
import { HttpProblem, sendProblem } from './http/problem.ts';
import { type RouteGroup, Router } from './http/router.ts';
import type { StoreMetrics } from './metrics.ts';
import { normalizeOrigin } from './release/state.ts';
import { adminRoutes } from './routes/admin.ts';
import { auditRoutes } from './routes/audit.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { ciRoutes } from './routes/ci.ts';
import { deviceRoutes } from './routes/device.ts';
import { opsRoutes } from './routes/ops.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export interface ServerOptions {
  /** route groups this instance serves (ops is always on) */
  groups?: readonly RouteGroup[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function buildRouter(ctx: StoreContext, groups: readonly RouteGroup[]): Router {
  const router = new Router();
  if (groups.includes('device')) {
    deviceRoutes(router, ctx);
    catalogRoutes(router, ctx);
  }
  if (groups.includes('ci')) ciRoutes(router, ctx);
  if (groups.includes('admin')) {
    adminRoutes(router, ctx);
    reviewRoutes(router, ctx);
    webhookRoutes(router, ctx);
    auditRoutes(router, ctx);
  }
  opsRoutes(router, ctx);
  return router;
}

/** The request's Origin when some HostApp lists it as a web origin (serialised form). */
function listedOrigin(ctx: StoreContext, req: IncomingMessage): string | undefined {
  const raw = req.headers.origin;
  const origin = raw === undefined ? undefined : normalizeOrigin(raw);
  return origin !== undefined && ctx.state.originListed(origin) ? origin : undefined;
}

export function createHttpServer(
  ctx: StoreContext,
  metrics: StoreMetrics,
  log: Logger,
  options: ServerOptions = {},
): Server {
  const router = buildRouter(ctx, options.groups ?? ['device', 'ci', 'admin']);
  // one histogram child per route/method/status, looked up once instead of per request
  const durations = new Map<string, { observe(seconds: number): void }>();
  const observeDuration = (route: string, method: string, status: number, seconds: number) => {
    const key = `${route} ${method} ${status}`;
    let child = durations.get(key);
    if (!child) {
      child = metrics.duration.labels({ route, method, status: String(status) });
      durations.set(key, child);
    }
    child.observe(seconds);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const incomingId = req.headers['x-request-id'];
    const requestId =
      typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    res.setHeader('x-request-id', requestId);
    const rawPath = req.url ?? '/';
    const q = rawPath.indexOf('?');
    const path = q === -1 ? rawPath : rawPath.slice(0, q);
    let routeLabel = 'unmatched';
    try {
      if (rawPath.length > 4096)
        throw new HttpProblem(414, 'uri-too-long', 'the request path is longer than 4096 characters');
      // CORS for device routes: browsers of web host apps call them with a session token in the
      // Authorization header (never cookies). Only origins some HostApp lists as a web origin get
      // CORS answers (the origin itself, never `*`); authentication then checks that the origin
      // belongs to the host app of the credentials (auth/host-binding.ts).
      const device =
        path.startsWith('/v1/') && !path.startsWith('/v1/tenants/')
          ? true
          : /^\/v1\/tenants\/[^/]+\/artifacts\//.test(path);
      const origin = device ? listedOrigin(ctx, req) : undefined;
      if (origin) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'origin');
        res.setHeader(
          'access-control-expose-headers',
          'etag, content-range, content-length, retry-after, x-request-id',
        );
      }
      if (req.method === 'OPTIONS' && device) {
        if (!origin) {
          throw new HttpProblem(
            403,
            'origin-not-allowed',
            `origin ${req.headers.origin ?? '(none)'} is not a web origin of any HostApp (spec.platforms.web.origins)`,
          );
        }
        const allowed = router.match('OPTIONS', path);
        const methods = 'allowed' in allowed ? allowed.allowed : [];
        if (methods.length === 0)
          throw new HttpProblem(404, 'no-such-route', `no route ${path}; see /openapi.json`);
        res.writeHead(204, {
          'access-control-allow-methods': methods.join(', '),
          'access-control-allow-headers':
            'authorization, content-type, range, if-none-match, x-tessera-key, x-tessera-timestamp, x-tessera-nonce, x-tessera-signature',
          'access-control-max-age': '600',
        });
        res.end();
        routeLabel = 'preflight';
        return;
      }
      const m = router.match(req.method ?? 'GET', path);
      if ('allowed' in m) {
        if (m.allowed.length > 0) {
          throw new HttpProblem(405, 'method-not-allowed', `use ${m.allowed.join(' or ')} on ${path}`, {
            headers: { allow: m.allowed.join(', ') },
          });
        }
        throw new HttpProblem(404, 'no-such-route', `no route ${req.method} ${path}; see /openapi.json`);
      }
      routeLabel = m.route.pattern;
      await m.route.handler({
        req,
        res,
        params: m.params,
        query: new URLSearchParams(q === -1 ? '' : rawPath.slice(q + 1)),
        rawPath,
        path,
        requestId,
        remoteAddress: req.socket.remoteAddress ?? '',
      });
    } catch (e) {
      const problem =
        e instanceof HttpProblem
          ? e
          : new HttpProblem(500, 'internal', 'internal error; the request id identifies it in the logs');
      if (!(e instanceof HttpProblem) || problem.status >= 500) {
        log.error(
          { requestId, route: routeLabel, err: e instanceof Error ? e.message : String(e) },
          'request failed',
        );
      }
      // a handler that threw before reading the whole body (e.g. 413): close the connection
      // after the answer instead of reading a large body only to discard it
      if (!req.readableEnded && !res.headersSent) res.setHeader('connection', 'close');
      sendProblem(res, problem, requestId, path);
      if (!req.readableEnded) req.resume();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      observeDuration(routeLabel, req.method ?? '', res.statusCode, seconds);
      const quiet =
        routeLabel === '/v1/launch' ||
        routeLabel === '/healthz' ||
        routeLabel === '/readyz' ||
        routeLabel === '/metrics';
      if (res.statusCode >= 400 || !quiet) {
        log.info(
          {
            requestId,
            method: req.method,
            route: routeLabel,
            status: res.statusCode,
            ms: Math.round(seconds * 1e4) / 10,
          },
          'request',
        );
      }
    }
  };
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 300_000 }, (req, res) => {
    void handle(req, res);
  });
  return server;
}
