// The store's HTTP routes, shared by the SDK, the CLI and the compile job.
//
// Device-facing (host-app authenticated: HMAC request signature or session token):
//   POST /v1/launch                                   LaunchRequest → LaunchResponse
//   GET  /v1/tenants/{tenant}/artifacts/{sha256}      ciphertext, immutable (ETag, Range)
//   GET  /v1/catalog?q=…                              catalog/search for the calling host app
//   POST /v1/events                                   EventsBatch → 202 EventsAccepted
//   POST /v1/feedback                                 Feedback → 201
//   POST /v1/sessions                                 mint a web session token (server-to-server,
//                                                     HMAC-signed by the host app backend)
// CI / compile jobs / platform users (Kubernetes bearer token, TokenReview + SubjectAccessReview
// in the tenant namespace: uploads need `create miniprogramversions`, source reads `get
// miniprogramversions`, approvals the verb `approve`, audit/stats `get miniprograms`, webhooks
// `update miniprograms`):
//   PUT  /v1/tenants/{tenant}/sources/{sha256}        raw source archive; digest must match body
//   GET  /v1/tenants/{tenant}/sources/{sha256}        fetch a source archive (compile job)
//   PUT  /v1/tenants/{tenant}/artifacts/{sha256}      raw container bytes (writePackage().bytes);
//                                                     digest must match; the wrapped data key is read
//                                                     from the container, or from the header
//                                                     x-tessera-wrapped-key when the container has none
//   POST /v1/tenants/{tenant}/versions/{name}/approvals   Approval → 201 (verb `approve`)
//   GET  /v1/tenants/{tenant}/audit                   audit entries
//   GET  /v1/tenants/{tenant}/audit/verify            hash-chain verification
//   GET  /v1/tenants/{tenant}/stats?miniProgram=…     launch/DAU/cold-start/error stats
//   POST /v1/tenants/{tenant}/webhooks                register a webhook endpoint (secret returned once)
//   GET  /v1/tenants/{tenant}/webhooks/deliveries     delivery outcomes
// Operations: GET /healthz, GET /readyz, GET /metrics, GET /openapi.json
//
// `{tenant}` is the Tenant object name (RFC 1123 label); `{sha256}` is 64 lower-case hex.

import * as z from 'zod/mini';
import { pattern, text } from './schema-helpers.ts';

export const API_PREFIX = '/v1';

/**
 * Audience of the projected ServiceAccount tokens compile jobs present to the store. The store
 * also accepts ordinary tokens for the API server's audience (people, CI pipelines).
 */
export const STORE_TOKEN_AUDIENCE = 'tessera-store';

export const TenantNameSchema = text(63, 1).check(
  z.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be an RFC 1123 label (lower-case letters, digits, "-")'),
);

export const Sha256HexSchema = pattern(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (SHA-256)');

export const routes = {
  launch: () => `${API_PREFIX}/launch`,
  sessions: () => `${API_PREFIX}/sessions`,
  events: () => `${API_PREFIX}/events`,
  feedback: () => `${API_PREFIX}/feedback`,
  catalog: () => `${API_PREFIX}/catalog`,
  artifact: (tenant: string, sha256: string) => `${API_PREFIX}/tenants/${tenant}/artifacts/${sha256}`,
  source: (tenant: string, sha256: string) => `${API_PREFIX}/tenants/${tenant}/sources/${sha256}`,
  approvals: (tenant: string, versionName: string) =>
    `${API_PREFIX}/tenants/${tenant}/versions/${versionName}/approvals`,
  rejections: (tenant: string, versionName: string) =>
    `${API_PREFIX}/tenants/${tenant}/versions/${versionName}/rejections`,
  audit: (tenant: string) => `${API_PREFIX}/tenants/${tenant}/audit`,
  auditVerify: (tenant: string) => `${API_PREFIX}/tenants/${tenant}/audit/verify`,
  stats: (tenant: string) => `${API_PREFIX}/tenants/${tenant}/stats`,
  webhooks: (tenant: string) => `${API_PREFIX}/tenants/${tenant}/webhooks`,
  webhookDeliveries: (tenant: string) => `${API_PREFIX}/tenants/${tenant}/webhooks/deliveries`,
} as const;

/** Upload limits the store enforces (bytes). Larger bodies get 413. */
export const LIMITS = {
  sourceBytes: 50 * 1024 * 1024,
  artifactBytes: 100 * 1024 * 1024,
  jsonBodyBytes: 1024 * 1024,
  eventsPerBatch: 1000,
} as const;
