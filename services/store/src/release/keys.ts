// Tenant key material the store needs, read from Kubernetes Secrets:
//  - the tenant key Secret (operator: `tessera-tenant-keys` in the tenant namespace): every data
//    entry whose name starts with `kek` and decodes to 32 bytes is a key-encryption key; its id
//    is derived (first 16 hex of SHA-256 of the raw key), so current and previous KEKs work.
//    Entries starting with `signing` and `public` that hold SPKI (base64 DER) are public keys.
//  - host-app credentials Secrets: data `sdkKey`, `sdkSecret`, labels tessera.dev/host-app and
//    tessera.dev/tenant; after a rotation also `previousSdkKey`, `previousSdkSecret` and
//    `previousExpiresAt` (RFC 3339): the previous pair, accepted until then.

import { fromBase64, importKek, keyIdOf } from '@tessera/runtime-sdk/package';

export interface SecretLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

const decode = (b64: string): Buffer => Buffer.from(b64, 'base64');

export async function readKeks(secret: SecretLike): Promise<Map<string, CryptoKey>> {
  const out = new Map<string, CryptoKey>();
  for (const [name, value] of Object.entries(secret.data ?? {})) {
    if (!name.toLowerCase().startsWith('kek')) continue;
    let raw = decode(value);
    // the Secret may hold the KEK as base64 text (as generateKek().rawBase64 gives) or raw bytes
    if (raw.length !== 32) {
      const text = raw.toString('utf8').trim();
      try {
        const inner = fromBase64(text);
        if (inner.length === 32) raw = Buffer.from(inner);
      } catch {
        continue;
      }
    }
    if (raw.length !== 32) continue;
    out.set(await keyIdOf(raw), await importKek(new Uint8Array(raw)));
  }
  return out;
}

export interface HostAppCredentials {
  tenant: string;
  namespace: string;
  hostApp: string;
  sdkKey: string;
  sdkSecret: string;
  /** a previous pair after a rotation: refused from this time on (ms since the Unix epoch) */
  expiresAt?: number;
}

export function readCredentials(secret: SecretLike): HostAppCredentials | null {
  const ns = secret.metadata?.namespace;
  const labels = secret.metadata?.labels ?? {};
  const hostApp = labels['tessera.dev/host-app'];
  const tenant = labels['tessera.dev/tenant'];
  const key = secret.data?.sdkKey;
  const sec = secret.data?.sdkSecret;
  if (!ns || !hostApp || !tenant || !key || !sec) return null;
  return {
    tenant,
    namespace: ns,
    hostApp,
    sdkKey: decode(key).toString('utf8'),
    sdkSecret: decode(sec).toString('utf8'),
  };
}

/** The current pair and, after a rotation, the previous one with its expiry. */
export function readAllCredentials(secret: SecretLike): HostAppCredentials[] {
  const current = readCredentials(secret);
  if (!current) return [];
  const d = secret.data ?? {};
  const key = d.previousSdkKey;
  const sec = d.previousSdkSecret;
  const expiresAt = Date.parse(decode(d.previousExpiresAt ?? '').toString('utf8'));
  // a previous pair without a readable expiry is not accepted at all
  if (!key || !sec || Number.isNaN(expiresAt)) return [current];
  return [
    current,
    { ...current, sdkKey: decode(key).toString('utf8'), sdkSecret: decode(sec).toString('utf8'), expiresAt },
  ];
}

/** The sdkKeys a credentials Secret holds (current and previous). */
export function sdkKeysOf(secret: SecretLike): string[] {
  return ['sdkKey', 'previousSdkKey']
    .map((k) => secret.data?.[k])
    .filter((v): v is string => v !== undefined)
    .map((v) => decode(v).toString('utf8'));
}
