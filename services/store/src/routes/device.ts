// Device-facing routes: launch, session tokens, artifact download, events, feedback.

import { evaluate } from '@tessera/gray';
import {
  type DeviceWrappedKey,
  KeyUnwrapError,
  unwrapDataKey,
  wrappedKeyId,
} from '@tessera/runtime-sdk/package';
import {
  EventsAcceptedSchema,
  EventsBatchSchema,
  FeedbackSchema,
  holdsAll,
  type LaunchRequestParsed,
  LaunchRequestSchema,
  type LaunchResponse,
  LaunchResponseSchema,
  LIMITS,
  mintSessionToken,
  SessionRequestSchema,
  SessionResponseSchema,
} from '@tessera/runtime-sdk/protocol';
import { Counter, type Registry } from 'prom-client';
import { globalRegistry } from 'zod';
import { checkNativeIdentity } from '../auth/host-binding.ts';
import { authenticateHostApp, bodySha256, type HostAppPrincipal } from '../auth/hostapp.ts';
import type { ArtifactKeyInfo, StoreContext } from '../context.ts';
import { blobInfo } from '../db/blobs.ts';
import { parseJson, readBody } from '../http/body.ts';
import { HttpProblem, problems } from '../http/problem.ts';
import type { RequestContext, Router } from '../http/router.ts';
import { sdkSatisfies } from '../release/min-sdk.ts';
import { authorizeBlobRead } from './authz.ts';
import { dbUnavailable, sendJson } from './respond.ts';
import { serveBlob } from './serve-blob.ts';

const LAUNCH_BODY_LIMIT = 64 * 1024;

// The OpenAPI description of `cached` is given here, not in the shared schema: z.describe there
// would add ~0.25 KB gzip to the web SDK, which parses the answer with that schema.
globalRegistry.add(LaunchResponseSchema.shape.cached, {
  description:
    'true when the device holds the resolved artifacts (main and every subpackage digest in cachedDigests): no wrappedKey is sent, here or in subpackages; absent otherwise',
});

export function deviceRoutes(router: Router, ctx: StoreContext): void {
  const answers = launchAnswers(ctx.registry);
  router.add(
    'POST',
    '/v1/launch',
    'device',
    {
      summary:
        'Resolve the version for this user and re-wrap its data key for the device (none when it holds the artifacts: cachedDigests)',
      request: LaunchRequestSchema,
      response: LaunchResponseSchema,
      auth: 'hmac',
    },
    async (rc) => {
      const body = await readBody(rc.req, LAUNCH_BODY_LIMIT);
      const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, body, { allowSession: true });
      const input = parseJson(body, LaunchRequestSchema);
      await checkNativeIdentity(ctx, who, input, () => bodySha256(body));
      const result = await launch(ctx, who, input);
      (result.body.cached ? answers.cached : answers.wrapped).inc();
      sendLaunch(rc, result);
    },
  );

  router.add(
    'POST',
    '/v1/sessions',
    'device',
    {
      summary: 'Mint a short-lived session token for a web host app (server-to-server, HMAC only)',
      request: SessionRequestSchema,
      response: SessionResponseSchema,
      auth: 'hmac',
    },
    async (rc) => {
      const body = await readBody(rc.req, 4096);
      const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, body, { allowSession: false });
      const input = parseJson(body, SessionRequestSchema);
      const iat = Math.floor(ctx.now() / 1000);
      const exp = iat + input.ttlSeconds;
      const token = await mintSessionToken(
        { key: who.sdkKey, sub: input.userId, iat, exp },
        who.credentials.key,
      );
      sendJson(rc, 201, { token, expiresAt: new Date(exp * 1000).toISOString() });
    },
  );

  router.add(
    'GET',
    '/v1/tenants/{tenant}/artifacts/{sha256}',
    'device',
    { summary: 'Download an encrypted artifact (immutable; ETag, Range)', auth: 'hmac' },
    async (rc) => {
      if (!/^[0-9a-f]{64}$/.test(rc.params.sha256 ?? '')) {
        throw problems.badRequest('the digest in the path must be 64 lower-case hex characters');
      }
      await authorizeBlobRead(ctx, rc, 'artifact');
      await serveBlob(ctx, rc, 'artifact');
    },
  );

  router.add(
    'POST',
    '/v1/events',
    'device',
    {
      summary: 'Ingest a batch of analytics and performance events',
      request: EventsBatchSchema,
      response: EventsAcceptedSchema,
      auth: 'hmac',
    },
    async (rc) => {
      const body = await readBody(rc.req, LIMITS.jsonBodyBytes);
      const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, body, { allowSession: true });
      const batch = parseJson(body, EventsBatchSchema);
      const now = ctx.now();
      for (const [i, e] of batch.events.entries()) {
        const at = Date.parse(e.at);
        if (at < now - 7 * 86_400_000 || at > now + 86_400_000) {
          throw problems.badRequest(
            `events[${i}].at is outside the accepted range (7 days ago to 1 day ahead)`,
          );
        }
      }
      const schema = await ctx.schema(who.tenant).catch(dbUnavailable);
      const accepted = await ctx.events.write(schema, who.hostApp, batch.events).catch(dbUnavailable);
      sendJson(rc, 202, { accepted, duplicates: batch.events.length - accepted });
    },
  );

  router.add(
    'POST',
    '/v1/feedback',
    'device',
    { summary: 'Submit user feedback about a mini-program', request: FeedbackSchema, auth: 'hmac' },
    async (rc) => {
      const body = await readBody(rc.req, 16 * 1024);
      const who = await authenticateHostApp(ctx, rc.req, rc.rawPath, body, { allowSession: true });
      const fb = parseJson(body, FeedbackSchema);
      const schema = await ctx.schema(who.tenant).catch(dbUnavailable);
      const r = await ctx.pool
        .query<{ id: string }>(
          `insert into ${schema}.feedback (host_app, app_id, version, user_id, category, body, contact)
           values ($1, $2, $3, $4, $5, $6, $7) returning id`,
          [
            who.hostApp,
            fb.appId,
            fb.version ?? null,
            who.sessionUser ?? fb.userId ?? null,
            fb.category,
            fb.text,
            fb.contact ?? null,
          ],
        )
        .catch(dbUnavailable);
      sendJson(rc, 201, { id: Number(r.rows[0]?.id) });
    },
  );
}

/** Counts launch answers by key delivery (once per registry: routers may be built again). */
function launchAnswers(registry: Registry) {
  const name = 'tessera_store_launch_answers_total';
  const counter =
    (registry.getSingleMetric(name) as Counter<'keys'> | undefined) ??
    new Counter({
      name,
      help: 'Launch answers by key delivery: wrapped (one ECDH with the device key) or cached (the device holds the artifacts, no ECDH)',
      labelNames: ['keys'],
      registers: [registry],
    });
  return { wrapped: counter.labels('wrapped'), cached: counter.labels('cached') };
}

/** The answer without `release`, and the signed release document when the device needs it. */
interface LaunchResult {
  body: Omit<LaunchResponse, 'release'>;
  release: SignedRelease | undefined;
}
type SignedRelease = NonNullable<LaunchResponse['release']>;

// `release` is most of a launch answer (the whole signed document, ~12 KB with 20 gray rules)
// and the same for every launch of that release: it is serialised once per document (the
// WeakMap entry goes with the document when a new one replaces it) and appended as bytes.
const releaseFragments = new WeakMap<SignedRelease, Buffer>();

function sendLaunch(rc: RequestContext, result: LaunchResult): void {
  if (!result.release) {
    sendJson(rc, 200, result.body);
    return;
  }
  let fragment = releaseFragments.get(result.release);
  if (!fragment) {
    fragment = Buffer.from(`,"release":${JSON.stringify(result.release)}}`);
    releaseFragments.set(result.release, fragment);
  }
  const head = Buffer.from(JSON.stringify(result.body));
  // head is a JSON object: its closing brace is replaced by the fragment, which ends with one
  const payload = Buffer.concat([head.subarray(0, head.length - 1), fragment]);
  rc.res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
  rc.res.end(payload);
}

export async function launch(
  ctx: StoreContext,
  who: HostAppPrincipal,
  input: ReturnType<typeof LaunchRequestSchema.parse>,
): Promise<LaunchResult> {
  const host = ctx.state.host(who.namespace, who.hostApp);
  const entry = host?.byAppId.get(input.appId);
  if (!host || !entry) {
    throw new HttpProblem(
      404,
      'not-listed',
      `mini-program ${input.appId} is not released to host app ${who.hostApp}`,
    );
  }
  const userId = who.sessionUser ?? input.userId;
  const attributes: Record<string, string | number | boolean> = { ...input.attributes };
  if (input.platform) attributes.platform = input.platform;
  if (input.sdkVersion) attributes.sdkVersion = input.sdkVersion;
  if (userId) attributes.userId = userId;
  const eligible = (version: string) =>
    sdkSatisfies(entry.versions.get(version)?.minSdkVersion, input.sdkVersion);
  let resolution = evaluate(entry.compiled, {
    userId,
    attributes,
    hostApp: who.hostApp,
    now: ctx.now(),
    eligible,
  });
  const stable = entry.doc.stable;
  if (resolution.kind === 'none' && stable && !eligible(stable.version)) {
    // too old an SDK for the stable version: the newest older version it can run, if any
    const fallback = (entry.doc.fallbacks ?? []).find((f) => eligible(f.version));
    if (!fallback)
      throw new HttpProblem(
        426,
        'sdk-too-old',
        `mini-program ${input.appId} ${stable.version} needs runtime SDK ${stable.minSdkVersion} or newer, and this device runs ${input.sdkVersion ?? 'an SDK that does not say its version'}; update the host app's SDK`,
      );
    resolution = { kind: 'stable', version: fallback.version };
  }
  const revoked = entry.doc.revokedVersions;
  const purge =
    input.cachedVersions.length > 0 ? revoked.filter((v) => input.cachedVersions.includes(v)) : revoked;
  if (resolution.kind === 'suspended') {
    throw new HttpProblem(
      410,
      'suspended',
      `mini-program ${input.appId} is taken down${entry.doc.suspendReason ? `: ${entry.doc.suspendReason}` : ''}; drop cached copies`,
      { extensions: { purge: [...new Set([...input.cachedVersions, ...revoked])] } },
    );
  }
  if (resolution.kind === 'none') {
    throw new HttpProblem(
      404,
      'not-released',
      `mini-program ${input.appId} has no released version for this user`,
    );
  }
  const released = entry.versions.get(resolution.version);
  if (!released) {
    throw new HttpProblem(
      503,
      'release-incomplete',
      `version ${resolution.version} is not in the release document yet`,
      {
        headers: { 'retry-after': '2' },
      },
    );
  }
  refuseRevokedSignature(ctx, host.tenant, input.appId, released);
  // CRD digests are "sha256:<hex>"; URLs and the protocol use the bare hex
  const digest = bare(released.artifact.digest);
  const subpackageRefs = released.artifact.subpackages ?? [];
  // Subpackages are separate artifacts with their own data keys; all of a launch's data keys
  // are wrapped from one ECDH with the device key (fresh salt and IV each).
  const digests = [digest, ...subpackageRefs.map((sp) => bare(sp.digest))];
  const keys = holdsAll(input, digests) ? undefined : await wrapForDevice(ctx, host.tenant, digests, input);
  const subpackages = subpackageRefs.map((sp, i) => ({
    name: sp.name,
    root: sp.root,
    url: `/v1/tenants/${host.tenant}/artifacts/${digests[i + 1]}`,
    digest: digests[i + 1] as string,
    size: sp.size,
    ...(keys ? { wrappedKey: keys[i + 1] } : {}),
  }));
  const body: LaunchResult['body'] = {
    tenant: host.tenant,
    appId: input.appId,
    miniProgram: entry.doc.miniProgram,
    version: resolution.version,
    reason: resolution.kind,
    ...(resolution.kind === 'stable' ? {} : { rule: resolution.rule }),
    artifact: {
      url: `/v1/tenants/${host.tenant}/artifacts/${digest}`,
      digest,
      size: released.artifact.size,
      plaintextDigest: bare(released.artifact.plaintextDigest),
      indexSignature: released.artifact.signature,
    },
    subpackages,
    signingKeyId: released.artifact.keyId,
    // the device holds every artifact of this version with its keys: no ECDH, no wrapping
    ...(keys ? { wrappedKey: keys[0] } : { cached: true as const }),
    domains: {
      request: entry.doc.domains.request ?? [],
      upload: entry.doc.domains.upload ?? [],
      download: entry.doc.domains.download ?? [],
      socket: entry.doc.domains.socket ?? [],
      webView: entry.doc.domains.webView ?? [],
    },
    privacyScopes: entry.doc.privacyScopes ?? [],
    // What the HostApp grants this mini-program, in the SDK's vocabulary (hostApi:<name>, menu:<id>).
    permissions: [
      ...entry.doc.permissions.hostApis.map((name) => `hostApi:${name}`),
      ...entry.doc.permissions.menuItems.map((id) => `menu:${id}`),
    ],
    purge,
    releaseDigest: entry.digest,
    ...revokedKeysOf(ctx, host.tenant),
    ...(entry.doc.updatePolicy ? { updatePolicy: entry.doc.updatePolicy } : {}),
    ...(entry.doc.branding ? { branding: entry.doc.branding } : {}),
  };
  // the signed release document only for a client that asks (it verifies the store against it)
  // and does not hold the current one already
  const release = input.wantRelease && input.releaseDigest !== entry.digest ? entry.signed : undefined;
  return { body, release };
}

/**
 * A version whose package index is signed by a revoked key is never launched (the operator stops
 * releasing it; this holds while a release document still names it).
 */
function refuseRevokedSignature(
  ctx: StoreContext,
  tenant: string,
  appId: string,
  released: { version: string; artifact: { keyId: string } },
): void {
  if (!ctx.state.isRevoked(tenant, released.artifact.keyId)) return;
  throw new HttpProblem(
    503,
    'signing-key-revoked',
    `version ${released.version} of ${appId} is signed by the revoked signing key ${released.artifact.keyId}; it is not served until a version signed with the current key is released`,
    { headers: { 'retry-after': '30' } },
  );
}

/** The tenant's revoked signing key ids, for SDKs that still trust them from their configuration. */
function revokedKeysOf(ctx: StoreContext, tenant: string): { revokedSigningKeyIds?: string[] } {
  const revoked = ctx.state.tenantKeys(tenant)?.revokedKeyIds;
  return revoked?.size ? { revokedSigningKeyIds: [...revoked] } : {};
}

/**
 * The data keys of `digests` (main package first), wrapped for the device: one ECDH with its key
 * (fresh salt and IV per data key).
 */
async function wrapForDevice(
  ctx: StoreContext,
  tenant: string,
  digests: readonly string[],
  input: LaunchRequestParsed,
): Promise<DeviceWrappedKey[]> {
  const dataKeys = digests.map((d) => ctx.dataKeys.get(tenant, d));
  if (dataKeys.includes(undefined)) {
    // first launch of an artifact on this replica: its key info comes from PostgreSQL
    await Promise.all(
      digests.map(async (d, i) => {
        dataKeys[i] ??= await loadDataKey(ctx, tenant, d);
      }),
    );
  }
  const device = deviceSession(ctx, input);
  return dataKeys.map((k) => device.wrap(k as Uint8Array));
}

/**
 * The artifact's data key, unwrapped with the tenant KEK (then cached per tenant and artifact: the KEK is
 * in memory anyway).
 */
async function loadDataKey(ctx: StoreContext, tenant: string, digest: string): Promise<Uint8Array> {
  const info = await artifactKeyInfo(ctx, tenant, digest);
  const keys = ctx.state.tenantKeys(tenant);
  const kek = keys?.keks.get(wrappedKeyId(info.wrappedDataKey));
  if (!kek) {
    throw new HttpProblem(
      503,
      'key-unavailable',
      `the key-encryption key ${info.kekId} of tenant ${tenant} is not loaded`,
      {
        headers: { 'retry-after': '5' },
      },
    );
  }
  const dataKey = await unwrapDataKey(info.wrappedDataKey, kek);
  ctx.dataKeys.set(tenant, digest, dataKey);
  return dataKey;
}

/**
 * One ECDH with the device's key (fresh per launch) under the store's semi-static key on the
 * curve the device asked for (deviceKeyCurve: X25519, or P-256 when absent; DeviceKeyWrapper,
 * node:crypto: half the CPU of WebCrypto's form); every data key of the launch is wrapped from it.
 * A key the schema let through that is not a valid public key on its curve (off the P-256 curve,
 * an X25519 point of small order) is a 400 saying so.
 */
function deviceSession(ctx: StoreContext, input: LaunchRequestParsed) {
  try {
    return ctx.deviceKeys.forDevice(input.devicePublicKey, input.deviceKeyCurve ?? 'P-256');
  } catch (e) {
    if (e instanceof KeyUnwrapError) {
      throw problems.badRequest(e.message.replace(/^device public key /, 'devicePublicKey '));
    }
    throw e;
  }
}

const bare = (digest: string) => digest.replace(/^sha256:/, '');

async function artifactKeyInfo(ctx: StoreContext, tenant: string, digest: string): Promise<ArtifactKeyInfo> {
  const cached = ctx.artifactKeys.get(tenant, digest);
  if (cached) return cached;
  const schema = await ctx.schema(tenant).catch(dbUnavailable);
  const info = await blobInfo(ctx.pool, schema, 'artifact', digest).catch(dbUnavailable);
  const wrapped = info?.meta.wrappedDataKey;
  if (!info || typeof wrapped !== 'string' || wrapped === '') {
    throw new HttpProblem(
      503,
      'artifact-missing',
      `artifact ${digest} has not been uploaded to the store yet`,
      {
        headers: { 'retry-after': '10' },
      },
    );
  }
  const value: ArtifactKeyInfo = {
    wrappedDataKey: wrapped,
    kekId: String(info.meta.kekId ?? ''),
    signingKeyId: String(info.meta.signingKeyId ?? ''),
  };
  ctx.artifactKeys.set(tenant, digest, value);
  return value;
}
