// Assembles a store instance: PostgreSQL pool and migrations, Redis (or the in-process
// stand-in), release state (from Kubernetes or supplied), the HTTP server.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '@tessera/controller-runtime';
import { DeviceKeyWrapper } from '@tessera/runtime-sdk/package/node';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Logger, pino } from 'pino';
import type { PlatformAttestationVerifier } from './auth/host-binding.ts';
import { KubeAuth, type KubeAuthorizer } from './auth/kube.ts';
import { MemoryNonceStore, type NonceStore, RedisNonceStore } from './auth/nonces.ts';
import { MemoryRateLimiter, type RateLimiter, RedisRateLimiter } from './auth/rate-limit.ts';
import { DEFAULT_CLOCK_AHEAD_SECONDS, ReplayEpochs } from './auth/replay-epochs.ts';
import type { StoreContext } from './context.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './db/embedded.ts';
import { EventWriter } from './db/events.ts';
import { dropTenantSchema, ensureTenantSchema, migrateGlobal, tenantSchema } from './db/migrations.ts';
import type { RouteGroup } from './http/router.ts';
import { createMetrics } from './metrics.ts';
import { ReleaseState } from './release/state.ts';
import { releaseSync } from './release/sync.ts';
import { TenantArtifactCache } from './release/tenant-cache.ts';
import { tenantFinalizer } from './release/tenant-finalizer.ts';
import { type ReleaseWatcher, type WatchOptions, watchReleaseState } from './release/watch.ts';
import { type ApprovalWriter, KubeApprovalWriter } from './routes/approvals.ts';
import { createHttpServer } from './server.ts';
import {
  type Cidr,
  parseAllowCidrs,
  type Resolver,
  WebhookAddressPolicy,
} from './webhooks/address-policy.ts';
import { enqueueWebhookEvent, startWebhookWorker } from './webhooks/deliveries.ts';

export interface StoreOptions {
  /** absent: embedded PGlite (single replica, demo); `embeddedDataDir` persists it */
  databaseUrl?: string | undefined;
  embeddedDataDir?: string | undefined;
  /** absent: in-process nonce store (single replica only) */
  redisUrl?: string | undefined;
  /** Kubernetes access: release watch, TokenReview/SAR, approvals. Absent: device routes only. */
  kubeConfig?: KubeConfig | undefined;
  /**
   * Put the store's finalizer on Tenants so their data is dropped before they go (the
   * deployed store does; off by default so several test stores can share one cluster).
   */
  tenantFinalizer?: boolean;
  /** supply a state to feed directly (tests, benchmarks) instead of watching Kubernetes */
  state?: ReleaseState | undefined;
  /** override the Kubernetes authoriser (e.g. a second real API server in tests) */
  kube?: KubeAuthorizer | undefined;
  approvals?: ApprovalWriter | undefined;
  host?: string;
  port?: number;
  groups?: readonly RouteGroup[];
  logger?: Logger;
  poolSize?: number;
  /**
   * how far ahead of the store's clock a signed request's timestamp may be (seconds); also how
   * long after a reset of the nonce store requests are refused (auth/replay-epochs.ts).
   * Default: REPLAY_CLOCK_AHEAD_SECONDS, else 30
   */
  replayClockAheadSeconds?: number;
  /**
   * Verifies platform attestation tokens of native launches (App Attest, Play Integrity, …);
   * absent: native launches are bound by their declared application id only (a weak binding)
   */
  attestation?: PlatformAttestationVerifier;
  /** device requests per second per host app (shared via Redis; per replica without it) */
  rateLimitPerSecond?: number;
  /** webhook worker poll interval; 0 disables delivery on this instance */
  webhookIntervalMs?: number;
  /**
   * Address ranges webhooks may reach although they are not public (loopback, private, …).
   * Default: WEBHOOK_ALLOW_CIDRS (comma-separated CIDRs); empty: public addresses only.
   */
  webhookAllowCidrs?: string | readonly Cidr[];
  /**
   * Token the Kubernetes API server's audit webhook must send (Authorization: Bearer).
   * Default: TESSERA_AUDIT_WEBHOOK_TOKEN; absent: the audit webhook route answers 503.
   */
  auditWebhookToken?: string | undefined;
  /**
   * The store's own Kubernetes usernames, e.g. system:serviceaccount:tessera:tessera-store.
   * Default: TESSERA_STORE_USERNAMES (comma-separated).
   */
  selfUsernames?: readonly string[];
  /** DNS for webhook hosts (tests substitute one; default: the system resolver) */
  webhookResolver?: Resolver;
  /** informer tuning for the release watch (tests shorten backoff and timeouts) */
  watch?: WatchOptions;
  now?: () => number;
}

export interface Store {
  url: string;
  server: Server;
  context: StoreContext;
  close(): Promise<void>;
}

export async function startStore(o: StoreOptions): Promise<Store> {
  const log =
    o.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'tessera-store' } });
  // a bad allow list stops the start-up with the offending entry named
  const allow = o.webhookAllowCidrs ?? process.env.WEBHOOK_ALLOW_CIDRS;
  const webhookPolicy = new WebhookAddressPolicy({
    allowCidrs: typeof allow === 'string' || allow === undefined ? parseAllowCidrs(allow) : allow,
    ...(o.webhookResolver ? { resolver: o.webhookResolver } : {}),
  });
  if (webhookPolicy.allow.length > 0)
    log.info(
      { allow: webhookPolicy.allow.map((c) => c.text) },
      'webhooks may reach these non-public ranges (WEBHOOK_ALLOW_CIDRS)',
    );
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = o.databaseUrl;
  if (!databaseUrl) {
    log.warn('no DATABASE_URL: using embedded PGlite; run a single replica (demo and single-node use only)');
    embedded = await startEmbeddedPostgres(o.embeddedDataDir ? { dataDir: o.embeddedDataDir } : {});
    databaseUrl = embedded.url;
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: o.poolSize ?? (embedded ? 4 : 10),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (e) => log.warn({ err: e.message }, 'idle PostgreSQL connection failed'));
  // A checked-out client whose connection drops between queries emits 'error' on itself; with
  // no listener that would crash the process. Its holder still sees the failure on its next query.
  pool.on('connect', (client) =>
    client.on('error', (e) => log.warn({ err: e.message }, 'PostgreSQL connection failed')),
  );
  await migrateGlobal(pool);

  let redis: Redis | undefined;
  let nonces: NonceStore;
  let rateLimiter: RateLimiter;
  if (o.redisUrl) {
    redis = new Redis(o.redisUrl, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: (n) => Math.min(n * 200, 2000),
    });
    redis.on('error', (e) => log.debug({ err: e.message }, 'redis error'));
    await new Promise<void>((resolve, reject) => {
      redis?.once('ready', () => resolve());
      setTimeout(() => reject(new Error(`redis at ${o.redisUrl} not ready within 10 s`)), 10_000).unref();
    });
    nonces = new RedisNonceStore(redis);
    rateLimiter = new RedisRateLimiter(redis);
  } else {
    log.warn('no REDIS_URL: replay protection and rate limits are per process; run a single replica');
    nonces = new MemoryNonceStore();
    rateLimiter = new MemoryRateLimiter();
  }

  const metrics = createMetrics();
  const state = o.state ?? new ReleaseState();
  const ensured = new Map<string, Promise<string>>();
  const ready = new Set<string>();
  const ensuredSchemas = () => ready.values();
  // Tenants whose Tenant object was deleted: late side effects (release ConfigMaps vanishing
  // with the namespace, buffered events) must not re-create the schema that was just dropped.
  const deleted = new Set<string>();
  const schema = (tenant: string): Promise<string> => {
    if (deleted.has(tenant)) return Promise.reject(new Error(`tenant ${tenant} was deleted`));
    let p = ensured.get(tenant);
    if (!p) {
      p = ensureTenantSchema(pool, tenant);
      ensured.set(tenant, p);
      p.then((s) => ready.add(s)).catch(() => undefined);
      p.catch(() => ensured.delete(tenant));
    }
    return p;
  };

  state.listeners.push(releaseSync(pool, schema, log));
  const webhooks =
    o.webhookIntervalMs === 0
      ? undefined
      : startWebhookWorker(pool, () => ensuredSchemas(), log, webhookPolicy, o.webhookIntervalMs ?? 1000);
  /** Drops everything the store holds for a tenant: its schema (artifacts, events, audit). */
  const dropTenantData = async (t: string) => {
    deleted.add(t);
    ensured.delete(t);
    ready.delete(tenantSchema(t));
    await dropTenantSchema(pool, t);
    log.info({ tenant: t }, 'tenant schema dropped');
  };
  let watcher: ReleaseWatcher | undefined;
  if (!o.state && o.kubeConfig) {
    const client = new KubeClient(o.kubeConfig);
    const finalizer = o.tenantFinalizer ? tenantFinalizer(client, log, dropTenantData) : undefined;
    watcher = watchReleaseState(
      client,
      state,
      log,
      {
        onTenantObject: (t) => finalizer?.observe(t),
        // Normally the finalizer has dropped it already; this covers a Tenant deleted without it.
        onTenantDeleted: (t) => {
          void dropTenantData(t).catch((e) =>
            log.warn({ tenant: t, err: String(e) }, 'tenant schema not dropped'),
          );
        },
        onVersionPhase: (tenant, v, phase) => {
          const ns = v.metadata?.namespace ?? '';
          const name = v.metadata?.name ?? '';
          void schema(tenant)
            .then((s) =>
              enqueueWebhookEvent(
                pool,
                s,
                phase === 'Compiled' ? 'version.compiled' : 'version.failed',
                `${phase.toLowerCase()}:${ns}/${name}/${v.metadata?.uid ?? ''}`,
                {
                  namespace: ns,
                  version: name,
                  miniProgram: v.spec?.miniProgram,
                  semver: v.spec?.version,
                  ...(phase === 'Compiled' ? { artifactDigest: v.status?.artifact?.digest } : {}),
                },
              ),
            )
            .catch((e) =>
              log.warn({ tenant, version: name, err: String(e) }, 'lifecycle webhook not queued'),
            );
        },
        onTenant: (t) => {
          deleted.delete(t);
          void schema(t).catch((e) =>
            log.warn({ tenant: t, err: String(e) }, 'tenant schema not created yet'),
          );
        },
        onChange: () => metrics.releaseDocs.set([...state.hosts()].reduce((n, h) => n + h.byAppId.size, 0)),
      },
      o.watch,
    );
  }

  const context: StoreContext = {
    pool,
    state,
    nonces,
    replay: new ReplayEpochs(
      pool,
      o.replayClockAheadSeconds ??
        (process.env.REPLAY_CLOCK_AHEAD_SECONDS
          ? Number(process.env.REPLAY_CLOCK_AHEAD_SECONDS)
          : DEFAULT_CLOCK_AHEAD_SECONDS),
    ),
    rateLimiter,
    attestation: o.attestation,
    rateLimitPerSecond: o.rateLimitPerSecond ?? 50_000,
    kube: o.kube ?? (o.kubeConfig ? new KubeAuth(o.kubeConfig) : null),
    approvals: o.approvals ?? (o.kubeConfig ? new KubeApprovalWriter(o.kubeConfig) : null),
    events: new EventWriter(pool),
    log,
    registry: metrics.registry,
    schema,
    artifactKeys: new TenantArtifactCache(100_000),
    dataKeys: new TenantArtifactCache(100_000),
    deviceKeys: new DeviceKeyWrapper(),
    webhookPolicy,
    auditWebhookToken: o.auditWebhookToken ?? process.env.TESSERA_AUDIT_WEBHOOK_TOKEN ?? null,
    selfUsernames: new Set(
      o.selfUsernames ?? (process.env.TESSERA_STORE_USERNAMES ?? '').split(',').filter((u) => u !== ''),
    ),
    informerSynced: () => (watcher ? watcher.synced() : true),
    now: o.now ?? Date.now,
  };
  const server = createHttpServer(context, metrics, log, { groups: o.groups ?? ['device', 'ci', 'admin'] });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log.info({ url }, 'store listening');
  return {
    url,
    server,
    context,
    close: async () => {
      await watcher?.stop();
      webhooks?.stop();
      if (rateLimiter instanceof RedisRateLimiter) rateLimiter.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      redis?.disconnect();
      await pool.end();
      await embedded?.stop();
    },
  };
}
