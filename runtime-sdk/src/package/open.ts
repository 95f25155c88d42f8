// Package reader: verifies the signature first, then the data key, then each file's
// authentication tag and plaintext SHA-256 before returning its bytes.
import { equalBytes, fromBase64, own, sha256Hex, subtle } from './bytes.ts';
import {
  DataKeyMismatchError,
  FileAuthenticationError,
  FileHashMismatchError,
  FileNotFoundInPackageError,
  ForeignFileError,
  KeyUnwrapError,
  PackageExpectationError,
  TruncatedPackageError,
  UnsupportedSuiteError,
} from './errors.ts';
import {
  decodeContainer,
  type IndexFile,
  PACKAGE_ID_BYTES,
  type PackageIndex,
  parseIndex,
} from './format.ts';
import type { KeyBytesInput, PublicKeyInput } from './keys.ts';
import { verifyDetached } from './sign.ts';
import { isImplementedSuite } from './suite.ts';
import { dataKeyCheck, importDataKey, unwrapDataKey } from './wrap.ts';
import { fileAad } from './write.ts';

export interface OpenPackageOptions {
  publicKeys: readonly PublicKeyInput[];
  /** The data key (raw or CryptoKey, e.g. from unwrapDataKeyFromStore)… */
  dataKey?: CryptoKey | Uint8Array;
  /** …or the KEK to unwrap `wrappedDataKey` (default: the one embedded in the container). */
  kek?: CryptoKey | KeyBytesInput;
  wrappedDataKey?: string;
  /** Pin what the caller expects (from a signed release document) to detect swapped packages. */
  expect?: { packageId?: string; plaintextDigest?: string; meta?: Record<string, string> };
  /**
   * Decrypt and verify every file now (the default when running code: tampering anywhere refuses
   * the package before its first line runs); reads are then served from memory.
   */
  verifyAll?: boolean;
}

export interface OpenedPackage {
  index: PackageIndex;
  paths: string[];
  has(path: string): boolean;
  /** Decrypts one file, checking its tag and SHA-256 before returning the bytes. */
  read(path: string): Promise<Uint8Array>;
  /** Decrypts and verifies every file (any failure rejects the whole package). */
  readAll(): Promise<Map<string, Uint8Array>>;
}

/** Verifies the index signature of a container and returns the parsed index (no key needed). */
export async function verifyPackageIndex(
  bytes: Uint8Array,
  publicKeys: readonly PublicKeyInput[],
): Promise<{ index: PackageIndex; wrappedDataKey: string; data: Uint8Array; keyId: string }> {
  const parts = decodeContainer(bytes);
  // The signing key id is inside the signed bytes; read it only to pick the key to try.
  const unverified = parseIndex(parts.indexBytes);
  const keyId = await verifyDetached(
    parts.indexBytes,
    parts.signature,
    publicKeys,
    unverified.signingKeyId,
    'the package index',
  );
  if (!isImplementedSuite(unverified.suite)) throw new UnsupportedSuiteError(unverified.suite);
  return { index: unverified, wrappedDataKey: parts.wrappedDataKey, data: parts.data, keyId };
}

export async function openPackage(bytes: Uint8Array, options: OpenPackageOptions): Promise<OpenedPackage> {
  const { index, wrappedDataKey, data } = await verifyPackageIndex(bytes, options.publicKeys);
  const expect = options.expect;
  if (expect?.packageId !== undefined && expect.packageId !== index.packageId) {
    throw new PackageExpectationError(`expected package ${expect.packageId}, got ${index.packageId}`);
  }
  if (expect?.plaintextDigest !== undefined && expect.plaintextDigest !== index.plaintextDigest) {
    throw new PackageExpectationError(
      `expected plaintext digest ${expect.plaintextDigest}, got ${index.plaintextDigest}`,
    );
  }
  for (const [k, v] of Object.entries(expect?.meta ?? {})) {
    if (index.meta[k] !== v)
      throw new PackageExpectationError(`expected meta ${k}="${v}", got "${index.meta[k] ?? ''}"`);
  }

  let rawOrKey: CryptoKey | Uint8Array;
  if (options.dataKey !== undefined) {
    rawOrKey = options.dataKey;
  } else if (options.kek !== undefined) {
    rawOrKey = await unwrapDataKey(options.wrappedDataKey ?? wrappedDataKey, options.kek);
  } else {
    throw new KeyUnwrapError('openPackage needs a dataKey or a kek');
  }
  const key = await importDataKey(rawOrKey);
  if ((await dataKeyCheck(key)) !== index.dataKeyCheck) throw new DataKeyMismatchError();

  const packageIdBytes = fromHex(index.packageId);
  const byPath = new Map<string, IndexFile>(index.files.map((f) => [f.path, f]));

  async function read(path: string): Promise<Uint8Array> {
    const entry = byPath.get(path);
    if (!entry) throw new FileNotFoundInPackageError(path);
    if (entry.offset + entry.length > data.length) throw new TruncatedPackageError(path);
    const blob = data.subarray(entry.offset, entry.offset + entry.length);
    if (!equalBytes(blob.subarray(0, PACKAGE_ID_BYTES), packageIdBytes)) throw new ForeignFileError(path);
    let plain: Uint8Array;
    try {
      plain = new Uint8Array(
        await subtle().decrypt(
          { name: 'AES-GCM', iv: fromBase64(entry.nonce), additionalData: fileAad(index.packageId, path) },
          key,
          own(blob.subarray(PACKAGE_ID_BYTES)),
        ),
      );
    } catch {
      throw new FileAuthenticationError(path);
    }
    if (plain.length !== entry.size || (await sha256Hex(plain)) !== entry.sha256) {
      throw new FileHashMismatchError(path);
    }
    return plain;
  }

  const readAll = async () =>
    new Map(await Promise.all(index.files.map(async (f) => [f.path, await read(f.path)] as const)));
  // Plaintext stays in memory only, as with lazy reads; callers get copies.
  const verified = options.verifyAll ? await readAll() : undefined;
  const served = verified
    ? async (path: string) => {
        const plain = verified.get(path);
        if (!plain) throw new FileNotFoundInPackageError(path);
        return plain.slice();
      }
    : read;
  return {
    index,
    paths: index.files.map((f) => f.path),
    has: (path) => byPath.has(path),
    read: served,
    readAll: verified ? async () => new Map([...verified].map(([k, v]) => [k, v.slice()])) : readAll,
  };
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
