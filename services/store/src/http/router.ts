// A small router: exact segments and `{param}` segments, matched by method. Routes are grouped
// (device / ci / admin / ops) so groups can be served by separate deployments.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export type RouteGroup = 'device' | 'ci' | 'admin' | 'ops';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** path + query exactly as sent (what request signatures cover) */
  rawPath: string;
  path: string;
  requestId: string;
  remoteAddress: string;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteDoc {
  summary: string;
  request?: z.core.$ZodType;
  response?: z.core.$ZodType;
  auth?: 'hmac' | 'kubernetes' | 'audit-webhook' | 'none';
}

export interface Route {
  method: string;
  pattern: string;
  group: RouteGroup;
  handler: Handler;
  doc: RouteDoc;
  segments: string[];
}

export class Router {
  readonly routes: Route[] = [];
  readonly #byMethod = new Map<string, Route[]>();

  add(method: string, pattern: string, group: RouteGroup, doc: RouteDoc, handler: Handler): void {
    const route: Route = { method, pattern, group, handler, doc, segments: pattern.split('/').slice(1) };
    this.routes.push(route);
    const list = this.#byMethod.get(method) ?? [];
    list.push(route);
    this.#byMethod.set(method, list);
  }

  /** Returns the route and its params, or the set of allowed methods when only the path matched. */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { allowed: string[] } {
    const parts = path.split('/').slice(1);
    const lookup = method === 'HEAD' ? 'GET' : method;
    for (const route of this.#byMethod.get(lookup) ?? []) {
      const params = matchSegments(route.segments, parts);
      if (params) return { route, params };
    }
    const allowed: string[] = [];
    for (const [m, list] of this.#byMethod) {
      if (list.some((r) => matchSegments(r.segments, parts))) allowed.push(m);
    }
    return { allowed };
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    const p = parts[i] as string;
    if (s.startsWith('{')) {
      if (p === '' || p.length > 256) return null;
      let decoded: string;
      try {
        decoded = decodeURIComponent(p);
      } catch {
        return null;
      }
      params[s.slice(1, -1)] = decoded;
    } else if (s !== p) return null;
  }
  return params;
}
