// Kubernetes bearer-token authentication (TokenReview) and authorisation (SubjectAccessReview)
// for CI, compile jobs and platform users: the same RBAC that guards the CRDs guards the store.
// Positive and negative answers are cached briefly (keyed by a hash of the token) so a burst of
// uploads does not become a burst of API calls.

import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { GROUP } from '@tessera/crds';
import { STORE_TOKEN_AUDIENCE } from '@tessera/runtime-sdk/protocol';
import { HttpProblem, problems } from '../http/problem.ts';

export interface KubeUser {
  username: string;
  uid?: string | undefined;
  groups: string[];
  extra?: Record<string, string[]> | undefined;
}

export interface ResourceAttributes {
  namespace: string;
  verb: string;
  resource: string;
  name?: string;
  group?: string;
  subresource?: string;
}

export interface KubeAuthorizer {
  authenticate(token: string): Promise<KubeUser>;
  authorize(user: KubeUser, attrs: ResourceAttributes): Promise<boolean>;
}

const TTL_MS = 10_000;

export class KubeAuth implements KubeAuthorizer {
  readonly #authn: AuthenticationV1Api;
  readonly #authz: AuthorizationV1Api;
  readonly #users = new Map<string, { user: KubeUser | null; until: number }>();
  readonly #decisions = new Map<string, { allowed: boolean; until: number }>();

  constructor(kc: KubeConfig) {
    this.#authn = kc.makeApiClient(AuthenticationV1Api);
    this.#authz = kc.makeApiClient(AuthorizationV1Api);
  }

  async authenticate(token: string): Promise<KubeUser> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const hit = this.#users.get(key);
    if (hit && hit.until > now) {
      if (!hit.user)
        throw problems.unauthorized('invalid-token', 'the bearer token was not accepted by Kubernetes');
      return hit.user;
    }
    // Compile jobs present a projected token bound to the store's audience; people and CI
    // present ordinary tokens for the API server's own audience. Accept either.
    const user = (await this.#review(token, [STORE_TOKEN_AUDIENCE])) ?? (await this.#review(token));
    this.#users.set(key, { user, until: now + TTL_MS });
    if (this.#users.size > 10_000) this.#users.clear();
    if (!user)
      throw problems.unauthorized('invalid-token', 'the bearer token was not accepted by Kubernetes');
    return user;
  }

  async #review(token: string, audiences?: string[]): Promise<KubeUser | null> {
    let review: Awaited<ReturnType<AuthenticationV1Api['createTokenReview']>>;
    try {
      review = await this.#authn.createTokenReview({
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: audiences ? { token, audiences } : { token },
        },
      });
    } catch (e) {
      throw new HttpProblem(503, 'kubernetes-unavailable', `TokenReview failed: ${(e as Error).message}`, {
        headers: { 'retry-after': '5' },
      });
    }
    const status = review.status;
    return status?.authenticated && status.user?.username
      ? {
          username: status.user.username,
          uid: status.user.uid,
          groups: status.user.groups ?? [],
          extra: status.user.extra,
        }
      : null;
  }

  async authorize(user: KubeUser, attrs: ResourceAttributes): Promise<boolean> {
    const group = attrs.group ?? GROUP;
    const key = JSON.stringify([
      user.username,
      user.groups,
      attrs.namespace,
      attrs.verb,
      group,
      attrs.resource,
      attrs.name,
      attrs.subresource,
    ]);
    const now = Date.now();
    const hit = this.#decisions.get(key);
    if (hit && hit.until > now) return hit.allowed;
    let allowed: boolean;
    try {
      const r = await this.#authz.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            uid: user.uid,
            groups: user.groups,
            extra: user.extra,
            resourceAttributes: {
              namespace: attrs.namespace,
              verb: attrs.verb,
              group,
              resource: attrs.resource,
              name: attrs.name,
              subresource: attrs.subresource,
            },
          },
        },
      });
      allowed = r.status?.allowed === true && r.status.denied !== true;
    } catch (e) {
      throw new HttpProblem(
        503,
        'kubernetes-unavailable',
        `SubjectAccessReview failed: ${(e as Error).message}`,
        {
          headers: { 'retry-after': '5' },
        },
      );
    }
    this.#decisions.set(key, { allowed, until: now + TTL_MS });
    if (this.#decisions.size > 10_000) this.#decisions.clear();
    return allowed;
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{8,8192})$/.exec(header);
  return m ? (m[1] as string) : null;
}
