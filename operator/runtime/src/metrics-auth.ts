// Authentication and authorisation of /metrics scrapes, as controller-runtime's
// filters.WithAuthenticationAndAuthorization does: the scraper's bearer token is checked with a
// TokenReview, then a SubjectAccessReview asks whether that user may `get` the non-resource URL
// `/metrics` (grant it with a ClusterRole rule `nonResourceURLs: ["/metrics"], verbs: ["get"]`).
// Verdicts are cached for a short while per token hash, so a scrape every few seconds costs
// the API server nothing after the first.
import { createHash } from 'node:crypto';
import type { KubeClient } from './kube-client.ts';

export type ScrapeVerdict = 'allowed' | 'unauthenticated' | 'forbidden';
export type ScrapeAuthorizer = (authorization: string | undefined) => Promise<ScrapeVerdict>;

interface TokenReviewStatus {
  status?: {
    authenticated?: boolean;
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  };
}
interface AccessReviewStatus {
  status?: { allowed?: boolean; denied?: boolean };
}

const CACHE_TTL_MS = 60_000;
const MAX_CACHED = 1024;

export function kubeScrapeAuthorizer(client: KubeClient, path = '/metrics'): ScrapeAuthorizer {
  const verdicts = new Map<string, { verdict: ScrapeVerdict; until: number }>();
  return async (authorization) => {
    const token = /^Bearer (\S{1,8192})$/.exec(authorization ?? '')?.[1];
    if (!token) return 'unauthenticated';
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const hit = verdicts.get(key);
    if (hit && hit.until > now) return hit.verdict;
    const verdict = await review(client, token, path);
    if (verdicts.size >= MAX_CACHED) verdicts.clear();
    verdicts.set(key, { verdict, until: now + CACHE_TTL_MS });
    return verdict;
  };
}

async function review(client: KubeClient, token: string, path: string): Promise<ScrapeVerdict> {
  const tr = await client.request<TokenReviewStatus>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
  });
  const user = tr.status?.authenticated ? tr.status.user : undefined;
  if (!user?.username) return 'unauthenticated';
  const sar = await client.request<AccessReviewStatus>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups ?? [],
          extra: user.extra,
          nonResourceAttributes: { path, verb: 'get' },
        },
      },
    },
  );
  return sar.status?.allowed === true && sar.status.denied !== true ? 'allowed' : 'forbidden';
}
