// The host-app credentials Secret: sdkKey/sdkSecret, generated with POST once. Rotation
// (HostApp.spec.credentials.generation raised, e.g. by `kubectl tessera rotate-credentials`)
// writes a new pair with a resourceVersion-checked PUT and keeps the pair it replaces as
// previousSdkKey/previousSdkSecret until previousExpiresAt (spec.credentials.previousGraceSeconds
// later), so host apps can deploy the new pair without downtime; the store accepts both until
// then and the operator drops the previous pair once it has expired. Rotating again within the
// grace period replaces the previous pair (only one previous pair is kept).
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@tessera/controller-runtime';
import { rfc3339 } from '@tessera/controller-runtime';
import type { HostApp } from '@tessera/crds';
import type { SecretLike } from './types.ts';

export const CREDENTIALS_GENERATION_ANNOTATION = 'tessera.dev/credentials-generation';
export const CREDENTIAL_FILES = {
  sdkKey: 'sdkKey',
  sdkSecret: 'sdkSecret',
  previousSdkKey: 'previousSdkKey',
  previousSdkSecret: 'previousSdkSecret',
  /** RFC 3339 time after which the previous pair is refused */
  previousExpiresAt: 'previousExpiresAt',
} as const;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

export const credentialsGenerationOf = (ha: HostApp) => ha.spec.credentials?.generation ?? 0;
const graceSecondsOf = (ha: HostApp) => ha.spec.credentials?.previousGraceSeconds ?? 86400;
export const secretCredentialsGeneration = (s: SecretLike) =>
  Number.parseInt(s.metadata?.annotations?.[CREDENTIALS_GENERATION_ANNOTATION] ?? '0', 10) || 0;

export function freshCredentials(): { sdkKey: string; sdkSecret: string } {
  return {
    sdkKey: `ak_${randomBytes(12).toString('hex')}`,
    sdkSecret: randomBytes(32).toString('base64url'),
  };
}

/** When the previous pair stops being accepted (ms), or undefined without one. */
export function previousExpiry(s: SecretLike): number | undefined {
  const at = unb64(s.data?.[CREDENTIAL_FILES.previousExpiresAt]);
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(ms) || s.data?.[CREDENTIAL_FILES.previousSdkKey] === undefined ? undefined : ms;
}

export type CredentialsChange =
  | { kind: 'rotate'; secret: SecretLike; expiresAt: string }
  | { kind: 'drop-previous'; secret: SecretLike }
  | { kind: 'none' };

/** What the live Secret needs: a rotation, dropping an expired previous pair, or nothing. */
export function credentialsChange(ha: HostApp, live: SecretLike, now = new Date()): CredentialsChange {
  const d = live.data ?? {};
  const generation = credentialsGenerationOf(ha);
  const meta = (gen: number) => ({
    ...live.metadata,
    annotations: { ...live.metadata?.annotations, [CREDENTIALS_GENERATION_ANNOTATION]: String(gen) },
  });
  if (secretCredentialsGeneration(live) < generation) {
    const next = freshCredentials();
    const expiresAt = rfc3339(new Date(now.getTime() + graceSecondsOf(ha) * 1000));
    const data: Record<string, string> = {
      [CREDENTIAL_FILES.sdkKey]: b64(next.sdkKey),
      [CREDENTIAL_FILES.sdkSecret]: b64(next.sdkSecret),
    };
    const sdkKey = d[CREDENTIAL_FILES.sdkKey];
    const sdkSecret = d[CREDENTIAL_FILES.sdkSecret];
    if (sdkKey !== undefined && sdkSecret !== undefined && graceSecondsOf(ha) > 0) {
      data[CREDENTIAL_FILES.previousSdkKey] = sdkKey;
      data[CREDENTIAL_FILES.previousSdkSecret] = sdkSecret;
      data[CREDENTIAL_FILES.previousExpiresAt] = b64(expiresAt);
    }
    return { kind: 'rotate', secret: { ...live, metadata: meta(generation), data }, expiresAt };
  }
  const expiry = previousExpiry(live);
  if (expiry !== undefined && expiry <= now.getTime()) {
    const {
      [CREDENTIAL_FILES.previousSdkKey]: _k,
      [CREDENTIAL_FILES.previousSdkSecret]: _s,
      [CREDENTIAL_FILES.previousExpiresAt]: _e,
      ...rest
    } = d;
    return { kind: 'drop-previous', secret: { ...live, data: rest } };
  }
  return { kind: 'none' };
}

/** The credentials Secret as first created (POST; stringData). */
export function newCredentialsSecret(
  ha: HostApp,
  name: string,
  metadata: NonNullable<KubeObject['metadata']>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      ...metadata,
      name,
      annotations: { [CREDENTIALS_GENERATION_ANNOTATION]: String(credentialsGenerationOf(ha)) },
    },
    stringData: freshCredentials(),
  } as KubeObject;
}
