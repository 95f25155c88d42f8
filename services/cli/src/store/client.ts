// The store's CI and admin routes, called with the user's Kubernetes bearer token (the store
// checks it with TokenReview and SubjectAccessReview against the same RBAC that guards the CRDs).

import { type Approval, ApprovalSchema } from '@tessera/crds';
import { routes } from '@tessera/runtime-sdk/protocol';
import { fetch } from 'undici';
import { z } from 'zod';
import { CliError, EXIT, infraError } from '../errors.ts';

const ProblemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
});

const UploadResultSchema = z.looseObject({
  digest: z.string(),
  size: z.number(),
  created: z.boolean().optional(),
});
export type UploadResult = z.infer<typeof UploadResultSchema>;

export class StoreClient {
  readonly baseUrl: string;
  readonly #token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
  }

  async #send(
    method: string,
    path: string,
    body: Uint8Array | string,
    contentType: string,
  ): Promise<unknown> {
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          'content-type': contentType,
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw infraError(`cannot reach the store at ${this.baseUrl}: ${cause ?? (e as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const p = ProblemSchema.safeParse(json).data;
      const detail = p?.detail ?? p?.title ?? (text.slice(0, 300) || res.statusText);
      const what = `store ${method} ${path}: ${res.status} ${detail}`;
      // The user's request was wrong (4xx other than auth) vs. the platform or permissions (401/403/5xx).
      const code = res.status === 401 || res.status === 403 || res.status >= 500 ? EXIT.infra : EXIT.input;
      const hint =
        res.status === 401
          ? ' (the store did not accept your bearer token; pass --token or use a kubeconfig user with a token)'
          : '';
      throw new CliError(code, `${what}${hint}`);
    }
    return json;
  }

  async uploadSource(tenant: string, sha256: string, archive: Uint8Array): Promise<UploadResult> {
    const json = await this.#send('PUT', routes.source(tenant, sha256), archive, 'application/x-tar');
    const r = UploadResultSchema.safeParse(json);
    if (!r.success)
      throw infraError(`the store answered the upload with an unexpected body: ${JSON.stringify(json)}`);
    if (r.data.digest.replace(/^sha256:/, '') !== sha256) {
      throw infraError(`the store recorded digest ${r.data.digest}, expected ${sha256}`);
    }
    return r.data;
  }

  /** GET returning JSON; for the audit routes, where 409 (broken chain) is an answer, not a failure. */
  async getJson(path: string, okStatuses: readonly number[] = []): Promise<unknown> {
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(this.baseUrl + path, {
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw infraError(`cannot reach the store at ${this.baseUrl}: ${cause ?? (e as Error).message}`);
    }
    if (res.ok || okStatuses.includes(res.status)) return res.json();
    const text = await res.text();
    let detail = text.slice(0, 300) || res.statusText;
    try {
      const p = ProblemSchema.safeParse(JSON.parse(text)).data;
      detail = p?.detail ?? p?.title ?? detail;
    } catch {}
    const code = res.status === 401 || res.status === 403 || res.status >= 500 ? EXIT.infra : EXIT.input;
    throw new CliError(code, `store GET ${path}: ${res.status} ${detail}`);
  }

  approve(tenant: string, versionName: string, role: string, comment: string | undefined): Promise<Approval> {
    return this.#decide(routes.approvals(tenant, versionName), 'approval', role, comment);
  }

  reject(tenant: string, versionName: string, role: string, comment: string): Promise<Approval> {
    return this.#decide(routes.rejections(tenant, versionName), 'rejection', role, comment);
  }

  async #decide(path: string, what: string, role: string, comment: string | undefined): Promise<Approval> {
    const json = await this.#send(
      'POST',
      path,
      JSON.stringify({ role, ...(comment ? { comment } : {}) }),
      'application/json',
    );
    const r = ApprovalSchema.safeParse(json);
    if (!r.success)
      throw infraError(`the store answered the ${what} with an unexpected body: ${JSON.stringify(json)}`);
    return r.data;
  }
}
