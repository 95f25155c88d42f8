// Key material: tenant key-encryption key (AES-256), tenant signing key pair (ECDSA P-256),
// key ids (first 16 hex digits of SHA-256 over the raw KEK or the SPKI public key).
import { fromBase64, own, sha256Hex, subtle, toBase64 } from './bytes.ts';

export const SIGNATURE_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const EC_P256: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };

export interface TenantKek {
  /** Raw AES-256 key, base64 (store it in the tenant Secret). */
  rawBase64: string;
  keyId: string;
}

export interface SigningKeyPair {
  keyId: string;
  /** PKCS#8 private key, base64 (Secret). */
  privateKeyPkcs8: string;
  /** SPKI public key, base64 (Tenant status, SDK configuration). */
  publicKeySpki: string;
  publicKeyJwk: JsonWebKey;
}

export type KeyBytesInput = string | Uint8Array;

function bytesOf(input: KeyBytesInput): Uint8Array<ArrayBuffer> {
  return typeof input === 'string' ? fromBase64(input) : own(input);
}

export async function keyIdOf(keyBytes: Uint8Array): Promise<string> {
  return (await sha256Hex(keyBytes)).slice(0, 16);
}

export async function generateKek(): Promise<TenantKek> {
  const raw = new Uint8Array(32);
  globalThis.crypto.getRandomValues(raw);
  return { rawBase64: toBase64(raw), keyId: await keyIdOf(raw) };
}

export async function generateSigningKeyPair(): Promise<SigningKeyPair> {
  const pair = (await subtle().generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey));
  const spki = new Uint8Array(await subtle().exportKey('spki', pair.publicKey));
  const jwk = await subtle().exportKey('jwk', pair.publicKey);
  return {
    keyId: await keyIdOf(spki),
    privateKeyPkcs8: toBase64(pkcs8),
    publicKeySpki: toBase64(spki),
    publicKeyJwk: jwk,
  };
}

export async function importKek(raw: KeyBytesInput): Promise<CryptoKey> {
  const bytes = bytesOf(raw);
  if (bytes.length !== 32) throw new TypeError(`key-encryption key must be 32 bytes, got ${bytes.length}`);
  return subtle().importKey('raw', bytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

export async function importSigningKey(pkcs8: KeyBytesInput): Promise<CryptoKey> {
  return subtle().importKey('pkcs8', bytesOf(pkcs8), EC_P256, false, ['sign']);
}

export async function importVerifyKey(spki: KeyBytesInput): Promise<CryptoKey> {
  return subtle().importKey('spki', bytesOf(spki), EC_P256, false, ['verify']);
}

/** A trusted public key: SPKI base64/bytes (key id computed), or an already imported key with its id. */
export type PublicKeyInput = KeyBytesInput | { keyId: string; key: CryptoKey | KeyBytesInput };

export interface TrustedKey {
  keyId: string;
  key: CryptoKey;
}

export async function importTrustedKeys(keys: readonly PublicKeyInput[]): Promise<TrustedKey[]> {
  const out: TrustedKey[] = [];
  for (const k of keys) {
    if (typeof k === 'string' || k instanceof Uint8Array) {
      const bytes = bytesOf(k);
      out.push({ keyId: await keyIdOf(bytes), key: await importVerifyKey(bytes) });
    } else if (typeof k.key === 'string' || k.key instanceof Uint8Array) {
      out.push({ keyId: k.keyId, key: await importVerifyKey(k.key) });
    } else {
      out.push({ keyId: k.keyId, key: k.key });
    }
  }
  return out;
}

/** Private signing key with its id, as writePackage/signDetached take it. */
export interface SigningKeyInput {
  keyId: string;
  key: CryptoKey | KeyBytesInput;
}

export async function resolveSigningKey(input: SigningKeyInput): Promise<CryptoKey> {
  return typeof input.key === 'string' || input.key instanceof Uint8Array
    ? importSigningKey(input.key)
    : input.key;
}
