// Package writer: per-file AES-256-GCM under a fresh data key, index signed, key wrapped.

import { concatBytes, fromBase64, randomBytes, sha256Hex, subtle, toBase64, toHex, utf8 } from './bytes.ts';
import { canonicalJson } from './canonical-json.ts';
import { plaintextDigest } from './digest.ts';
import { UnsupportedSuiteError } from './errors.ts';
import { encodeContainer, isSafePackagePath, MAX_PATH_LENGTH, type PackageIndex } from './format.ts';
import type { KeyBytesInput } from './keys.ts';
import { signDetached } from './sign.ts';
import { isImplementedSuite, SUITE_AES256GCM_P256, type SuiteId } from './suite.ts';
import { dataKeyCheck, generateDataKey, importDataKey, wrapDataKey } from './wrap.ts';

export type PackageFiles = Record<string, Uint8Array> | ReadonlyArray<{ path: string; bytes: Uint8Array }>;

export interface WritePackageOptions {
  kek: CryptoKey | KeyBytesInput;
  kekId: string;
  signingKey: CryptoKey | KeyBytesInput;
  signingKeyId: string;
  suite?: SuiteId;
  /** Signed, plaintext metadata (app id, version, subpackage root, compiler version…). */
  meta?: Record<string, string>;
  /** For tests and re-encryption only; normally a fresh random key per artifact. */
  dataKey?: Uint8Array;
}

export interface WrittenPackage {
  /** The whole container (what is uploaded / served from the CDN). */
  bytes: Uint8Array;
  index: PackageIndex;
  /** The signed bytes (canonical JSON of `index`). */
  indexBytes: Uint8Array;
  /** base64 ECDSA P-256 signature over indexBytes. */
  signature: string;
  signingKeyId: string;
  kekId: string;
  /** "<kekId>.<base64>" — also embedded in the container. */
  wrappedDataKey: string;
  digests: {
    /** Deterministic: same files + meta → same digest (see digest.ts). */
    plaintext: string;
    /** SHA-256 of `bytes` (changes every write: fresh key and nonces). */
    ciphertext: string;
    index: string;
  };
}

function normalizeFiles(files: PackageFiles): Array<{ path: string; bytes: Uint8Array }> {
  const list = Array.isArray(files)
    ? [...(files as ReadonlyArray<{ path: string; bytes: Uint8Array }>)]
    : Object.entries(files as Record<string, Uint8Array>).map(([path, bytes]) => ({ path, bytes }));
  const seen = new Set<string>();
  for (const f of list) {
    if (f.path.length > MAX_PATH_LENGTH || !isSafePackagePath(f.path)) {
      throw new TypeError(`package path "${f.path}" is not a safe relative path`);
    }
    if (seen.has(f.path)) throw new TypeError(`package path "${f.path}" appears twice`);
    seen.add(f.path);
  }
  return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function fileAad(packageId: string, path: string): Uint8Array<ArrayBuffer> {
  return utf8(`${packageId}\n${path}`);
}

function nonZeroNonce(): Uint8Array<ArrayBuffer> {
  for (;;) {
    const n = randomBytes(12);
    if (n.some((b) => b !== 0)) return n;
  }
}

export async function writePackage(
  files: PackageFiles,
  options: WritePackageOptions,
): Promise<WrittenPackage> {
  const suite = options.suite ?? SUITE_AES256GCM_P256;
  if (!isImplementedSuite(suite)) throw new UnsupportedSuiteError(suite);
  const list = normalizeFiles(files);
  const meta = { ...(options.meta ?? {}) };
  const rawKey = options.dataKey ?? generateDataKey();
  const key = await importDataKey(rawKey);
  const packageIdBytes = randomBytes(16);
  const packageId = toHex(packageIdBytes);

  // Files are encrypted and hashed concurrently (WebCrypto runs them off the main thread in
  // Node); offsets are assigned afterwards in path order, so the layout stays deterministic.
  const sealed = await Promise.all(
    list.map(async (f) => {
      const nonce = nonZeroNonce();
      const [ct, sha256] = await Promise.all([
        subtle().encrypt(
          { name: 'AES-GCM', iv: nonce, additionalData: fileAad(packageId, f.path) },
          key,
          f.bytes.slice(),
        ),
        sha256Hex(f.bytes),
      ]);
      return { f, nonce, sha256, blob: concatBytes([packageIdBytes, new Uint8Array(ct)]) };
    }),
  );
  const blobs: Uint8Array[] = [];
  const entries: PackageIndex['files'] = [];
  let offset = 0;
  for (const { f, nonce, sha256, blob } of sealed) {
    entries.push({
      path: f.path,
      size: f.bytes.length,
      sha256,
      nonce: toBase64(nonce),
      offset,
      length: blob.length,
    });
    blobs.push(blob);
    offset += blob.length;
  }

  const index: PackageIndex = {
    format: 'tessera-package',
    version: 1,
    suite,
    packageId,
    kekId: options.kekId,
    signingKeyId: options.signingKeyId,
    dataKeyCheck: await dataKeyCheck(key),
    plaintextDigest: await plaintextDigest(entries, meta),
    meta,
    files: entries,
  };
  const indexBytes = utf8(canonicalJson(index));
  const sig = await signDetached(indexBytes, { keyId: options.signingKeyId, key: options.signingKey });
  const wrappedDataKey = await wrapDataKey(rawKey, options.kek, options.kekId);
  const bytes = encodeContainer({
    indexBytes,
    signature: fromBase64(sig.signature),
    wrappedDataKey,
    data: concatBytes(blobs),
  });
  return {
    bytes,
    index,
    indexBytes,
    signature: sig.signature,
    signingKeyId: options.signingKeyId,
    kekId: options.kekId,
    wrappedDataKey,
    digests: {
      plaintext: index.plaintextDigest,
      ciphertext: await sha256Hex(bytes),
      index: await sha256Hex(indexBytes),
    },
  };
}
