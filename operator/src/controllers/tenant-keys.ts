// The tenant key Secret: key-encryption key and signing key pair, generated with
// @tessera/runtime-sdk/package. Layout (Secret data keys, KEY_FILES) is what the compile Job
// (mounted at KEYS_MOUNT_PATH) and the store read. Rotation (spec.crypto.keyGeneration raised)
// moves the current keys to previous-* so artifacts signed or wrapped before still verify and
// decrypt; it never happens by accident because the Secret is created with POST (a second
// creator gets AlreadyExists) and rotated with a resourceVersion-checked PUT. A revoked signing
// key (spec.crypto.revokedSigningKeyIds) is left out of the published keys and never signs; when
// the current key is revoked the keys are rotated at once.

import { ownerReferenceTo, rfc3339 } from '@tessera/controller-runtime';
import type { PublicKey, Tenant } from '@tessera/crds';
import { generateKek, generateSigningKeyPair } from '@tessera/runtime-sdk/package';
import { KEY_SECRET_NAME, managedLabels, tenantNamespace } from './names.ts';
import type { SecretLike } from './types.ts';

export const KEY_FILES = {
  kek: 'kek', // raw 32-byte AES-256 key
  kekId: 'kek-id',
  signingKey: 'signing-key.pk8', // PKCS#8 DER
  signingKeyId: 'signing-key-id',
  publicKey: 'signing-key.spki', // SPKI DER
  createdAt: 'created-at',
  previousKek: 'previous-kek',
  previousKekId: 'previous-kek-id',
  previousSigningKey: 'previous-signing-key.pk8',
  previousSigningKeyId: 'previous-signing-key-id',
  previousPublicKey: 'previous-signing-key.spki',
  previousCreatedAt: 'previous-created-at',
} as const;
export const KEY_GENERATION_ANNOTATION = 'tessera.dev/key-generation';
export const SIGNATURE_ALGORITHM_NAME = 'ECDSA-P256-SHA256';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) =>
  s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');

export const keyGenerationOf = (t: Tenant) => t.spec.crypto?.keyGeneration ?? 0;
export const revokedSigningKeyIdsOf = (t: Tenant): ReadonlySet<string> =>
  new Set(t.spec.crypto?.revokedSigningKeyIds ?? []);

/** The current signing key is revoked: it must be rotated away before anything is signed again. */
export function currentKeyRevoked(t: Tenant, secret: SecretLike): boolean {
  const current = unb64(secret.data?.[KEY_FILES.signingKeyId]);
  return current !== undefined && revokedSigningKeyIdsOf(t).has(current);
}
export const secretKeyGeneration = (s: SecretLike) =>
  Number.parseInt(s.metadata?.annotations?.[KEY_GENERATION_ANNOTATION] ?? '0', 10) || 0;

async function freshKeys(now: Date): Promise<Record<string, string>> {
  const kek = await generateKek();
  const signing = await generateSigningKeyPair();
  return {
    [KEY_FILES.kek]: kek.rawBase64,
    [KEY_FILES.kekId]: b64(kek.keyId),
    [KEY_FILES.signingKey]: signing.privateKeyPkcs8,
    [KEY_FILES.signingKeyId]: b64(signing.keyId),
    [KEY_FILES.publicKey]: signing.publicKeySpki,
    [KEY_FILES.createdAt]: b64(rfc3339(now)),
  };
}

export async function newKeySecret(t: Tenant, now = new Date()): Promise<SecretLike> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: KEY_SECRET_NAME,
      namespace: tenantNamespace(t),
      labels: managedLabels(t.metadata.name ?? ''),
      annotations: { [KEY_GENERATION_ANNOTATION]: String(keyGenerationOf(t)) },
      ownerReferences: [ownerReferenceTo(t)],
    },
    data: await freshKeys(now),
  };
}

/** The same Secret (same resourceVersion) with new current keys and the old ones as previous-*. */
export async function rotatedKeySecret(
  t: Tenant,
  current: SecretLike,
  now = new Date(),
): Promise<SecretLike> {
  const d = current.data ?? {};
  const data: Record<string, string> = { ...(await freshKeys(now)) };
  const carry: Array<[string, string]> = [
    [KEY_FILES.kek, KEY_FILES.previousKek],
    [KEY_FILES.kekId, KEY_FILES.previousKekId],
    [KEY_FILES.signingKey, KEY_FILES.previousSigningKey],
    [KEY_FILES.signingKeyId, KEY_FILES.previousSigningKeyId],
    [KEY_FILES.publicKey, KEY_FILES.previousPublicKey],
    [KEY_FILES.createdAt, KEY_FILES.previousCreatedAt],
  ];
  for (const [from, to] of carry) {
    const v = d[from];
    if (v !== undefined) data[to] = v;
  }
  return {
    ...current,
    metadata: {
      ...current.metadata,
      annotations: {
        ...current.metadata?.annotations,
        [KEY_GENERATION_ANNOTATION]: String(keyGenerationOf(t)),
      },
    },
    data,
  };
}

/**
 * Public keys for Tenant status: current, then previous (never any private material), without
 * the revoked ones.
 */
export function publicKeysOf(secret: SecretLike, revoked: ReadonlySet<string> = new Set()): PublicKey[] {
  const d = secret.data ?? {};
  const out: PublicKey[] = [];
  const add = (
    id: string | undefined,
    spki: string | undefined,
    created: string | undefined,
    state: 'current' | 'previous',
  ) => {
    const keyId = unb64(id);
    if (!keyId || !spki || revoked.has(keyId)) return;
    out.push({
      keyId,
      algorithm: SIGNATURE_ALGORITHM_NAME,
      publicKey: spki,
      state,
      createdAt: unb64(created) ?? '1970-01-01T00:00:00Z',
    });
  };
  add(d[KEY_FILES.signingKeyId], d[KEY_FILES.publicKey], d[KEY_FILES.createdAt], 'current');
  add(
    d[KEY_FILES.previousSigningKeyId],
    d[KEY_FILES.previousPublicKey],
    d[KEY_FILES.previousCreatedAt],
    'previous',
  );
  return out;
}

/** The current signing key from the Secret, for signing release ConfigMaps; never a revoked one. */
export function signingKeyOf(
  secret: SecretLike,
  revoked: ReadonlySet<string> = new Set(),
): { keyId: string; key: string } | undefined {
  const d = secret.data ?? {};
  const keyId = unb64(d[KEY_FILES.signingKeyId]);
  const key = d[KEY_FILES.signingKey];
  return keyId && key && !revoked.has(keyId) ? { keyId, key } : undefined;
}
