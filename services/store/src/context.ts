// Everything a route handler needs, created once per store instance.

import type { DeviceWrappedKey } from '@tessera/runtime-sdk/package';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KubeAuthorizer } from './auth/kube.ts';
import type { NonceStore } from './auth/nonces.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { EventWriter } from './db/events.ts';
import type { BoundedCache } from './lru.ts';
import type { ReleaseState } from './release/state.ts';
import type { ApprovalWriter } from './routes/approvals.ts';

export interface ArtifactKeyInfo {
  wrappedDataKey: string;
  kekId: string;
  signingKeyId: string;
}

export interface StoreContext {
  pool: Pool;
  state: ReleaseState;
  nonces: NonceStore;
  rateLimiter: RateLimiter;
  /** requests per second per host app on device routes */
  rateLimitPerSecond: number;
  kube: KubeAuthorizer | null;
  approvals: ApprovalWriter | null;
  events: EventWriter;
  log: Logger;
  registry: Registry;
  /** tenant → ensured schema name */
  schema(tenant: string): Promise<string>;
  /** per-artifact key info, cached in memory so launch survives a database outage */
  artifactKeys: BoundedCache<string, ArtifactKeyInfo>;
  /** unwrapped data keys by artifact digest (the KEK is in memory anyway) */
  dataKeys: BoundedCache<string, Uint8Array>;
  /**
   * device-wrapped keys by artifact digest + device public key: a device relaunching the same
   * version gets the same wrapped key (only that device's private key opens it), which skips an
   * ECDH key agreement per launch
   */
  deviceWrapped: BoundedCache<string, DeviceWrappedKey>;
  /** readiness inputs */
  informerSynced(): boolean;
  now(): number;
}
