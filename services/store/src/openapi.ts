// OpenAPI 3.1 document generated from the same zod schemas the routes validate with.

import { ProblemSchema } from '@tessera/runtime-sdk/protocol';
import { z } from 'zod';
import type { Router } from './http/router.ts';

const jsonSchema = (s: z.core.$ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

export function openApiDocument(router: Router): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of router.routes) {
    const params = [...r.pattern.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const op: Record<string, unknown> = {
      summary: r.doc.summary,
      tags: [r.group],
      parameters: params,
      security:
        r.doc.auth === 'hmac'
          ? [{ hmac: [] }, { session: [] }]
          : r.doc.auth === 'kubernetes'
            ? [{ kubernetes: [] }]
            : r.doc.auth === 'audit-webhook'
              ? [{ auditWebhook: [] }]
              : [],
      responses: {
        ...(r.doc.response
          ? {
              '200': {
                description: 'OK',
                content: { 'application/json': { schema: jsonSchema(r.doc.response) } },
              },
            }
          : { '200': { description: 'OK' } }),
        default: {
          description: 'Error',
          content: { 'application/problem+json': { schema: jsonSchema(ProblemSchema) } },
        },
      },
    };
    if (r.doc.request) {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(r.doc.request) } },
      };
    }
    paths[r.pattern] = { ...(paths[r.pattern] ?? {}), [r.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tessera store', version: '0.1.0' },
    paths,
    components: {
      securitySchemes: {
        hmac: {
          type: 'apiKey',
          in: 'header',
          name: 'x-tessera-signature',
          description: 'TESSERA-HMAC-SHA256 request signature',
        },
        session: { type: 'http', scheme: 'bearer', description: 'session token (tst1.…) for web host apps' },
        kubernetes: {
          type: 'http',
          scheme: 'bearer',
          description: 'Kubernetes bearer token (TokenReview + SubjectAccessReview)',
        },
        auditWebhook: {
          type: 'http',
          scheme: 'bearer',
          description: "the kube-apiserver audit webhook's token (TESSERA_AUDIT_WEBHOOK_TOKEN)",
        },
      },
    },
  };
}
