// Detached signatures (ECDSA P-256 / SHA-256, IEEE P1363 r||s) over arbitrary bytes. Used for
// package indexes, release ConfigMaps (operator signs, store/SDK verify) and anything else.
import { fromBase64, own, subtle, toBase64 } from './bytes.ts';
import { SignatureInvalidError, UnknownSigningKeyError } from './errors.ts';
import {
  importTrustedKeys,
  type PublicKeyInput,
  resolveSigningKey,
  SIGNATURE_ALGORITHM,
  type SigningKeyInput,
} from './keys.ts';

export interface DetachedSignature {
  keyId: string;
  /** base64 of the raw r||s signature (64 bytes for P-256). */
  signature: string;
}

export async function signDetached(
  bytes: Uint8Array,
  signingKey: SigningKeyInput,
): Promise<DetachedSignature> {
  const key = await resolveSigningKey(signingKey);
  const sig = new Uint8Array(await subtle().sign(SIGNATURE_ALGORITHM, key, own(bytes)));
  return { keyId: signingKey.keyId, signature: toBase64(sig) };
}

/**
 * Verifies `signature` over `bytes` with the trusted key `keyId` (or, without a key id, with any
 * trusted key). Returns the id of the key that verified; throws UnknownSigningKeyError or
 * SignatureInvalidError.
 */
export async function verifyDetached(
  bytes: Uint8Array,
  signature: string | Uint8Array,
  publicKeys: readonly PublicKeyInput[],
  keyId?: string,
  what = 'the data',
): Promise<string> {
  let sig: Uint8Array<ArrayBuffer>;
  try {
    sig = typeof signature === 'string' ? fromBase64(signature) : own(signature);
  } catch {
    throw new SignatureInvalidError(what);
  }
  const trusted = await importTrustedKeys(publicKeys);
  const candidates = keyId === undefined ? trusted : trusted.filter((k) => k.keyId === keyId);
  if (candidates.length === 0) throw new UnknownSigningKeyError(keyId ?? '(none configured)');
  const data = own(bytes);
  for (const k of candidates) {
    if (await subtle().verify(SIGNATURE_ALGORITHM, k.key, sig, data)) return k.keyId;
  }
  throw new SignatureInvalidError(what);
}
