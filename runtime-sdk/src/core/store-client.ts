// Store client: HMAC-signed launch requests (or a session token) and artifact downloads with
// digest and size checks, against the protocol in @tessera/runtime-sdk/protocol.
import { sha256Hex } from '../package/bytes.ts';
import type { EventsBatch } from '../protocol/events.ts';
import { type LaunchResponse, LaunchResponseSchema } from '../protocol/launch.ts';
import type { LaunchRequest } from '../protocol/launch-request.ts';
import { ProblemSchema } from '../protocol/problem.ts';
import { routes } from '../protocol/routes.ts';
import { firstIssue } from '../protocol/schema-helpers.ts';
import { importHmacKey, signRequest } from '../protocol/signing.ts';

export type StoreCredentials =
  | { sdkKey: string; sdkSecret: string }
  | { sessionToken: () => string | Promise<string> };

export class StoreError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.status = status;
  }
}

/** The store could not be reached at all (offline launch may still work). */
export class StoreUnreachableError extends StoreError {
  constructor(cause: string) {
    super('STORE_UNREACHABLE', 0, `the store is unreachable: ${cause}`);
    this.name = 'StoreUnreachableError';
  }
}

export class ArtifactIntegrityError extends Error {
  readonly code = 'ARTIFACT_DIGEST_MISMATCH';
  constructor(expected: string, actual: string) {
    super(
      `downloaded artifact does not match its digest (expected ${expected.slice(0, 16)}…, got ${actual.slice(0, 16)}…)`,
    );
    this.name = 'ArtifactIntegrityError';
  }
}

export const MAX_ARTIFACT_BYTES = 100 * 1024 * 1024;

/**
 * How a native host identifies itself (HostApp.spec.platforms): its application id on the
 * platform it launches from, and optionally a platform attestation token per launch for stores
 * that verify one (App Attest, Play Integrity, …).
 */
export interface HostIdentity {
  bundleId: string;
  attestation?: () => Promise<string | undefined>;
}

export interface StoreClientOptions {
  storeUrl: string;
  credentials: StoreCredentials;
  hostIdentity?: HostIdentity;
  fetch?: typeof fetch;
}

export class StoreClient {
  readonly #o: StoreClientOptions;
  readonly #base: string;
  readonly #hmacKey: Promise<CryptoKey> | undefined;

  constructor(options: StoreClientOptions) {
    this.#o = options;
    this.#base = options.storeUrl.replace(/\/+$/, '');
    // Imported once, ahead of the first request (a WebCrypto round trip less on each).
    const c = options.credentials;
    if ('sdkSecret' in c) {
      this.#hmacKey = Promise.resolve(c.sdkSecret).then(importHmacKey);
      this.#hmacKey.catch(() => {}); // reported by the request that needs it
    }
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    const f = this.#o.fetch ?? globalThis.fetch.bind(globalThis);
    try {
      return await f(url, { ...init, credentials: 'omit' });
    } catch (err) {
      throw new StoreUnreachableError(err instanceof Error ? err.message : String(err));
    }
  }

  async #authHeaders(method: string, path: string, body: string): Promise<Record<string, string>> {
    const c = this.#o.credentials;
    if ('sessionToken' in c) return { authorization: `Bearer ${await c.sessionToken()}` };
    return signRequest({ method, path, body, sdkKey: c.sdkKey, sdkSecret: (await this.#hmacKey)! });
  }

  async #problem(res: Response, what: string): Promise<never> {
    let detail = `${res.status} ${res.statusText}`;
    let code = `HTTP_${res.status}`;
    try {
      const p = ProblemSchema.safeParse(await res.json());
      if (p.success) {
        detail = p.data.detail ?? p.data.title;
        code = p.data.code;
      }
    } catch {
      // Not problem+json: keep the status line.
    }
    throw new StoreError(code, res.status, `${what} failed: ${detail}`);
  }

  /** `onSent` is called once the request is on its way (signed and handed to fetch). */
  async launch(req: LaunchRequest, onSent?: () => void): Promise<LaunchResponse> {
    const path = routes.launch();
    const body = JSON.stringify(await this.#withIdentity(req));
    const headers = { 'content-type': 'application/json', ...(await this.#authHeaders('POST', path, body)) };
    const sending = this.#fetch(this.#base + path, { method: 'POST', headers, body });
    onSent?.();
    const res = await sending;
    if (!res.ok) return this.#problem(res, 'launch');
    const parsed = LaunchResponseSchema.safeParse(await res.json());
    if (!parsed.success)
      throw new StoreError(
        'LAUNCH_RESPONSE_INVALID',
        res.status,
        `launch response is malformed at ${firstIssue(parsed.error)}`,
      );
    return parsed.data;
  }

  async #withIdentity(req: LaunchRequest): Promise<LaunchRequest> {
    const id = this.#o.hostIdentity;
    if (!id) return req;
    const attestation = await id.attestation?.();
    return { ...req, hostBundleId: id.bundleId, ...(attestation ? { attestation } : {}) };
  }

  /**
   * Sends a batch of analytics / performance events (signed like every device request). The
   * counts in the 202 answer are not read: analytics is fire-and-forget.
   */
  async postEvents(batch: EventsBatch): Promise<void> {
    const path = routes.events();
    const body = JSON.stringify(batch);
    const headers = { 'content-type': 'application/json', ...(await this.#authHeaders('POST', path, body)) };
    const res = await this.#fetch(this.#base + path, { method: 'POST', headers, body });
    if (!res.ok) return this.#problem(res, 'events');
  }

  /** Downloads an artifact and checks its size and SHA-256 before returning it. */
  async download(ref: { url: string; digest: string; size: number }): Promise<Uint8Array> {
    if (ref.size > MAX_ARTIFACT_BYTES)
      throw new StoreError(
        'ARTIFACT_TOO_LARGE',
        0,
        `artifact is ${ref.size} bytes, over ${MAX_ARTIFACT_BYTES}`,
      );
    const url = /^https?:\/\//.test(ref.url)
      ? ref.url
      : this.#base + (ref.url.startsWith('/') ? ref.url : `/${ref.url}`);
    const path = new URL(url).pathname;
    const res = await this.#fetch(url, { method: 'GET', headers: await this.#authHeaders('GET', path, '') });
    if (!res.ok) return this.#problem(res, 'artifact download');
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length !== ref.size)
      throw new ArtifactIntegrityError(ref.digest, `size ${bytes.length}≠${ref.size}`);
    const digest = await sha256Hex(bytes);
    if (digest !== ref.digest) throw new ArtifactIntegrityError(ref.digest, digest);
    return bytes;
  }
}
