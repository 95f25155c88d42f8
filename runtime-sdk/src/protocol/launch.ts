// Launch: the SDK asks which version of a mini-program to run for this user on this host app,
// and gets everything it needs to download, verify and decrypt it.

import { z } from 'zod';
import { Sha256HexSchema, TenantNameSchema } from './routes.ts';

/** Attribute values the gray engine can match on (see DESIGN.md §7). */
export const AttributeValueSchema = z.union([z.string().max(1024), z.number().finite(), z.boolean()]);

export const AttributesSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.:-]+$/),
    AttributeValueSchema,
  )
  .refine((r) => Object.keys(r).length <= 64, 'at most 64 attributes');

/** EC P-256 public key as a JWK (what `crypto.subtle.exportKey('jwk', …)` produces). */
export const DevicePublicKeyJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** raw uncompressed P-256 point (65 bytes, first byte 0x04), standard base64 */
export const DevicePublicKeyRawSchema = z
  .string()
  .regex(/^B[A-Za-z0-9+/]{86}=$/, 'must be a base64 raw P-256 point');

export const LaunchRequestSchema = z.strictObject({
  /** MiniProgram.spec.appId */
  appId: z.string().min(1).max(128),
  /** stable user id (used for user lists and rollout stickiness); absent for anonymous users */
  userId: z.string().min(1).max(256).optional(),
  attributes: AttributesSchema.default({}),
  /**
   * the device's ECDH P-256 public key, as a JWK or as the raw uncompressed point in base64
   * (what generateDeviceKeyPair().publicKeyRaw gives): the data key is re-wrapped for it
   */
  devicePublicKey: z.union([DevicePublicKeyJwkSchema, DevicePublicKeyRawSchema]),
  sdkVersion: z.string().max(64).optional(),
  platform: z.enum(['ios', 'android', 'harmony', 'desktop', 'web', 'node', 'iot']).optional(),
  /**
   * releaseDigest of the signed release document the SDK already holds for this appId; when it
   * is still current the response omits `release` (saves ~KBs per launch)
   */
  releaseDigest: z.string().max(128).optional(),
  /** versions the device has cached; the response lists those to purge */
  cachedVersions: z.array(z.string().max(64)).max(64).default([]),
});
export type LaunchRequest = z.input<typeof LaunchRequestSchema>;
export type LaunchRequestParsed = z.infer<typeof LaunchRequestSchema>;

/**
 * The data key re-wrapped for the device (ECDH P-256 → HKDF-SHA256 → AES-GCM), base64; the
 * shape of DeviceWrappedKey from @tessera/runtime-sdk/package (unwrapDataKeyFromStore reads it).
 */
export const DeviceWrappedKeySchema = z.strictObject({
  ephemeralPublicKey: z.string(),
  salt: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
});

export const ArtifactRefSchema = z.strictObject({
  /** absolute path on the store; immutable */
  url: z.string(),
  /** SHA-256 of the ciphertext container */
  digest: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** digest of the canonical plaintext index (pin it: openPackage({ expect: { plaintextDigest } })) */
  plaintextDigest: Sha256HexSchema.optional(),
  /** base64 signature over the package index, as recorded at compile time */
  indexSignature: z.string().optional(),
});

export const SubpackageRefSchema = z.strictObject({
  name: z.string(),
  root: z.string(),
  url: z.string(),
  digest: Sha256HexSchema,
  size: z.number().int().nonnegative(),
  /** the subpackage's own data key, re-wrapped for the device like the main package's */
  wrappedKey: DeviceWrappedKeySchema,
});

/**
 * The release document this answer was computed from, exactly as the operator signed it
 * (tenant signing key). An SDK that does not want to trust the store can verify it with
 * verifyDetached(utf8(document), signature, tenantPublicKeys, keyId) and check the version,
 * artifact digest, domains and permissions of this response against it.
 */
export const SignedReleaseSchema = z.strictObject({
  document: z.string(),
  signature: z.string(),
  keyId: z.string().optional(),
});

export const DomainsSchema = z.strictObject({
  request: z.array(z.string()).default([]),
  upload: z.array(z.string()).default([]),
  download: z.array(z.string()).default([]),
  socket: z.array(z.string()).default([]),
  webView: z.array(z.string()).default([]),
});

export const ResolutionReasonSchema = z.enum(['stable', 'user-list', 'gray-rule']);

export const LaunchResponseSchema = z.strictObject({
  tenant: TenantNameSchema,
  appId: z.string(),
  miniProgram: z.string(),
  version: z.string(),
  reason: ResolutionReasonSchema,
  /** the GrayRule name when reason is gray-rule or user-list */
  rule: z.string().optional(),
  artifact: ArtifactRefSchema,
  /** key id of the tenant signing key that signed the package index */
  signingKeyId: z.string(),
  wrappedKey: DeviceWrappedKeySchema,
  domains: DomainsSchema,
  /** what the host app grants this mini-program: `hostApi:<name>` and `menu:<id>` entries */
  permissions: z.array(z.string()).default([]),
  /** versions the device must drop from its cache (rolled back, retired, taken down) */
  purge: z.array(z.string()).default([]),
  /** digest of the release document this answer was computed from */
  releaseDigest: z.string(),
  subpackages: z.array(SubpackageRefSchema).optional(),
  release: SignedReleaseSchema.optional(),
});
export type LaunchResponse = z.infer<typeof LaunchResponseSchema>;
