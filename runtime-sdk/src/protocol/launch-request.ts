// The launch request the SDK sends (POST /v1/launch); the store validates it, the SDK only
// builds it, so it is kept apart from the response schemas (launch.ts) the browser bundle needs.

import * as z from 'zod/mini';
import { Sha256HexSchema } from './routes.ts';
import { list, pattern, text } from './schema-helpers.ts';

/** Attribute values the gray engine can match on (operators: the GrayRule reference, `kubectl explain grayrule.spec.rules`). */
export const AttributeValueSchema = z.union([text(1024), z.number(), z.boolean()]);

export const AttributesSchema = z
  .record(text(64, 1).check(z.regex(/^[A-Za-z0-9_.:-]+$/)), AttributeValueSchema)
  .check(z.refine((r) => Object.keys(r).length <= 64, 'at most 64 attributes'));

/** EC P-256 public key as a JWK (what `crypto.subtle.exportKey('jwk', …)` produces). */
export const DevicePublicKeyJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: pattern(/^[A-Za-z0-9_-]{43}$/),
  y: pattern(/^[A-Za-z0-9_-]{43}$/),
});

const P256_RAW = /^B[A-Za-z0-9+/]{86}=$/;
const X25519_RAW = /^[A-Za-z0-9+/]{43}=$/;

/** raw uncompressed P-256 point (65 bytes, first byte 0x04), standard base64 */
export const DevicePublicKeyRawSchema = pattern(P256_RAW, 'must be a base64 raw P-256 point');

/** X25519 public key as a JWK (what `crypto.subtle.exportKey('jwk', …)` produces for an X25519 key). */
export const DeviceX25519JwkSchema = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('X25519'),
  x: pattern(/^[A-Za-z0-9_-]{43}$/),
});

/** raw X25519 public key (32 bytes), standard base64 */
export const DeviceX25519RawSchema = pattern(X25519_RAW, 'must be a base64 raw X25519 key');

/**
 * The device key agreement: X25519 (what the SDK sends where the engine has WebCrypto X25519),
 * or P-256, the fallback for older engines and what an absent deviceKeyCurve means.
 */
export const DeviceKeyCurveSchema = z.enum(['X25519', 'P-256']);

const KEY_FORMS =
  'a P-256 key (raw uncompressed point in base64, 88 characters, or an EC JWK) or an X25519 key (32 bytes raw in base64, 44 characters, or an OKP JWK)';

/** Whether a devicePublicKey that passed the union is a key on `curve`. */
function onCurve(key: string | { kty: string }, curve: 'X25519' | 'P-256'): boolean {
  if (typeof key !== 'string') return key.kty === (curve === 'X25519' ? 'OKP' : 'EC');
  return (curve === 'X25519' ? X25519_RAW : P256_RAW).test(key);
}

/** A main package plus up to 127 subpackages. */
export const MAX_CACHED_DIGESTS = 128;

export const LaunchRequestSchema = z
  .strictObject({
    /** MiniProgram.spec.appId */
    appId: text(128, 1),
    /** stable user id (used for user lists and rollout stickiness); absent for anonymous users */
    userId: z.optional(text(256, 1)),
    attributes: z._default(AttributesSchema, {}),
    /**
     * the device's ECDH public key on deviceKeyCurve, as a JWK or raw in base64 (P-256: the
     * uncompressed point; X25519: 32 bytes; what negotiateDeviceKeyPair().publicKeyRaw gives):
     * the data key is re-wrapped for it
     */
    devicePublicKey: z
      .union(
        // the raw forms first, X25519 (what current SDKs send) before P-256: a union tries its
        // options in order, and each miss costs an issue object on every launch
        [DeviceX25519RawSchema, DevicePublicKeyRawSchema, DevicePublicKeyJwkSchema, DeviceX25519JwkSchema],
        { error: `must be ${KEY_FORMS}` },
      )
      .check(
        z.describe(
          `the device's fresh ECDH public key on deviceKeyCurve, ${KEY_FORMS}: the data keys are re-wrapped for it (ECDH, HKDF-SHA256, AES-256-GCM)`,
        ),
      ),
    /**
     * the curve of devicePublicKey: X25519 where the device's engine has it, else P-256 (also
     * what an absent field means, as SDKs before X25519 send it)
     */
    deviceKeyCurve: z.optional(
      DeviceKeyCurveSchema.check(
        z.describe(
          'the curve of devicePublicKey: X25519 (what the SDK sends where the engine has WebCrypto X25519: about 0.5–0.6 of the store CPU of a P-256 one) or P-256 (the fallback for older engines; also what an absent field means); small-order X25519 keys are refused',
        ),
      ),
    ),
    sdkVersion: z.optional(text(64)),
    platform: z.optional(z.enum(['ios', 'android', 'harmony', 'desktop', 'web', 'node', 'iot'])),
    /**
     * with platform ios / android / harmony / desktop: the host application's id on it (bundle
     * id, package name, bundle name, desktop app id); the store checks it against
     * HostApp.spec.platforms
     */
    hostBundleId: z.optional(text(255, 1)),
    /** a platform attestation token (App Attest, Play Integrity, …) for stores that verify one */
    attestation: z.optional(text(16384, 1)),
    /**
     * true: the response carries `release`, the signed release document it was computed from (for
     * a client that verifies the store against it), unless `releaseDigest` is still current.
     * Default false: the document is most of the answer (~12 KB with 20 gray rules) and the SDK
     * does not verify it, so it does not ask.
     */
    wantRelease: z
      ._default(z.boolean(), false)
      .check(
        z.describe(
          'true: the response includes `release` (the signed release document) unless releaseDigest is current; default false',
        ),
      ),
    /**
     * with wantRelease: releaseDigest of the signed release document the client already holds for
     * this appId; when it is still current the response omits `release`
     */
    releaseDigest: z.optional(text(128)),
    /** versions the device has cached; the response lists those to purge */
    cachedVersions: z._default(list(text(64), 64), []),
    /**
     * Artifact digests (SHA-256 hex of the ciphertext: the main package and its subpackages) the
     * device holds with their data keys wrapped under its own device key. When the resolved
     * version's main and subpackage digests are all listed, the answer is `cached: true` without
     * wrapped keys (no ECDH on the store). Digests, not version strings: a version string
     * re-released with other content does not match.
     */
    cachedDigests: z
      ._default(list(Sha256HexSchema, MAX_CACHED_DIGESTS), [])
      .check(
        z.describe(
          `artifact digests (main and subpackages, at most ${MAX_CACHED_DIGESTS}) whose data keys the device holds; when the resolved artifacts are all listed the answer is cached: true with no wrappedKey`,
        ),
      ),
  })
  .check(
    z.superRefine((r, ctx) => {
      const curve = r.deviceKeyCurve ?? 'P-256';
      if (onCurve(r.devicePublicKey, curve)) return;
      ctx.issues.push({
        code: 'custom',
        path: ['devicePublicKey'],
        input: r.devicePublicKey,
        message:
          curve === 'X25519'
            ? 'must be an X25519 key (32 bytes raw in base64, 44 characters, or an OKP JWK) when deviceKeyCurve is X25519'
            : 'must be a P-256 key (raw uncompressed point in base64, 88 characters, or an EC JWK); an X25519 key needs deviceKeyCurve: "X25519"',
      });
    }),
  );
export type LaunchRequest = z.input<typeof LaunchRequestSchema>;
export type LaunchRequestParsed = z.infer<typeof LaunchRequestSchema>;

/**
 * Whether the device holds the data keys of all of `digests` (the resolved main package and its
 * subpackages): the launch answer is then `cached: true` and wraps no key.
 */
export function holdsAll(
  req: Pick<LaunchRequestParsed, 'cachedDigests'>,
  digests: readonly string[],
): boolean {
  return req.cachedDigests.length > 0 && digests.every((d) => req.cachedDigests.includes(d));
}
