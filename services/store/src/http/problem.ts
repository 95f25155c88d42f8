// application/problem+json errors with stable codes. Throw HttpProblem anywhere in a handler;
// the server turns it into the response.

import type { ServerResponse } from 'node:http';
import { PROBLEM_TYPE_BASE, type Problem } from '@tessera/runtime-sdk/protocol';
import type { z } from 'zod';

export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly headers: Record<string, string>;
  readonly errors: { path: string; message: string }[] | undefined;
  readonly extensions: Record<string, unknown>;
  constructor(
    status: number,
    code: string,
    detail: string,
    extra: {
      title?: string;
      headers?: Record<string, string>;
      errors?: { path: string; message: string }[];
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.title = extra.title ?? code.replaceAll('-', ' ');
    this.headers = extra.headers ?? {};
    this.errors = extra.errors;
    this.extensions = extra.extensions ?? {};
  }
}

export const problems = {
  badRequest: (detail: string, errors?: { path: string; message: string }[]) =>
    new HttpProblem(400, 'invalid-request', detail, errors ? { errors } : {}),
  unauthorized: (code: string, detail: string) =>
    new HttpProblem(401, code, detail, { headers: { 'www-authenticate': 'TESSERA-HMAC-SHA256, Bearer' } }),
  forbidden: (detail: string) => new HttpProblem(403, 'forbidden', detail),
  notFound: (what: string) => new HttpProblem(404, 'not-found', `${what} was not found`),
  conflict: (code: string, detail: string) => new HttpProblem(409, code, detail),
  tooLarge: (limit: number) =>
    new HttpProblem(
      413,
      'body-too-large',
      `request body exceeds the limit of ${limit} bytes; send less per request`,
    ),
  unavailable: (detail: string, retryAfterSeconds = 5) =>
    new HttpProblem(503, 'unavailable', detail, { headers: { 'retry-after': String(retryAfterSeconds) } }),
};

export function zodProblem(error: z.ZodError, where: string): HttpProblem {
  const errors = error.issues
    .slice(0, 20)
    .map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  return problems.badRequest(
    `${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}

export function sendProblem(
  res: ServerResponse,
  problem: HttpProblem,
  requestId: string,
  instance: string,
): void {
  const body: Problem = {
    ...problem.extensions,
    type: `${PROBLEM_TYPE_BASE}${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance,
    code: problem.code,
    requestId,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(problem.status, { 'content-type': 'application/problem+json', ...problem.headers });
  res.end(JSON.stringify(body));
}
