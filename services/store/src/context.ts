// Everything a route handler needs, created once per store instance.

import type { DeviceKeyWrapper } from '@tessera/runtime-sdk/package/node';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PlatformAttestationVerifier } from './auth/host-binding.ts';
import type { KubeAuthorizer } from './auth/kube.ts';
import type { NonceStore } from './auth/nonces.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { ReplayEpochs } from './auth/replay-epochs.ts';
import type { EventWriter } from './db/events.ts';
import type { ReleaseState } from './release/state.ts';
import type { TenantArtifactCache } from './release/tenant-cache.ts';
import type { ApprovalWriter } from './routes/approvals.ts';
import type { WebhookAddressPolicy } from './webhooks/address-policy.ts';

export interface ArtifactKeyInfo {
  wrappedDataKey: string;
  kekId: string;
  signingKeyId: string;
}

export interface StoreContext {
  pool: Pool;
  state: ReleaseState;
  nonces: NonceStore;
  /** which signing times each nonce-store epoch still accepts, and the clock-ahead allowance */
  replay: ReplayEpochs;
  rateLimiter: RateLimiter;
  /** checks native launches' platform attestation tokens; absent: the application id alone binds them */
  attestation?: PlatformAttestationVerifier | undefined;
  /** requests per second per host app on device routes */
  rateLimitPerSecond: number;
  kube: KubeAuthorizer | null;
  approvals: ApprovalWriter | null;
  events: EventWriter;
  log: Logger;
  registry: Registry;
  /** tenant → ensured schema name */
  schema(tenant: string): Promise<string>;
  /** per-artifact key info by (tenant, digest), cached in memory so launch survives a database outage */
  artifactKeys: TenantArtifactCache<ArtifactKeyInfo>;
  /** unwrapped data keys by (tenant, artifact digest) (the KEK is in memory anyway) */
  dataKeys: TenantArtifactCache<Uint8Array>;
  /** re-wraps data keys for devices under a semi-static store ECDH key (rotated every 30 s) */
  deviceKeys: DeviceKeyWrapper;
  /** where webhook deliveries may go (checked at registration and at delivery) */
  webhookPolicy: WebhookAddressPolicy;
  /** bearer token the API server's audit webhook sends; null: the webhook route is off */
  auditWebhookToken: string | null;
  /** the store's own Kubernetes usernames (their audit echo is dropped: logged directly) */
  selfUsernames: ReadonlySet<string>;
  /** readiness inputs */
  informerSynced(): boolean;
  now(): number;
}
