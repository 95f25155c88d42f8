// Binary container and signed index of a Tessera package.
//
//   offset  size  field
//   0       4     magic "TSPK"
//   4       1     container version (1)
//   5       4     index length N (u32 big-endian)
//   9       N     index: canonical JSON, UTF-8 (signed)
//   9+N     2     signature length S (u16 BE)
//           S     signature over the index bytes (ECDSA P-256/SHA-256, r‖s)
//           2     wrapped data key length W (u16 BE)
//           W     wrapped data key, ASCII "<kekId>.<base64>" (may be empty; the store keeps a copy)
//           …     data section: one blob per file at index.files[i].offset (relative to here):
//                 16-byte package id ‖ AES-256-GCM ciphertext ‖ 16-byte tag
//
// Per file: random 96-bit nonce, AAD = "<packageId hex>\n<path>", plaintext SHA-256 and size
// pinned in the index. The index pins the data key too (dataKeyCheck), so a wrapped key from
// another package is detected after unwrapping.
import * as z from 'zod/mini';
import { count, dict, firstIssue, pattern, text } from '../protocol/schema-helpers.ts';
import { concatBytes, fromUtf8, utf8 } from './bytes.ts';
import { PackageFormatError } from './errors.ts';
import { KNOWN_SUITES } from './suite.ts';

export const MAGIC = utf8('TSPK');
export const CONTAINER_VERSION = 1;
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const PACKAGE_ID_BYTES = 16;
export const MAX_PATH_LENGTH = 512;

function hex(len: number) {
  return pattern(new RegExp(`^[0-9a-f]{${len}}$`));
}

export const PackagePathSchema = text(MAX_PATH_LENGTH, 1).check(
  z.refine(isSafePackagePath, 'must be a relative path with "/" separators, no "..", "." or empty segments'),
);

export const IndexFileSchema = z.strictObject({
  path: PackagePathSchema,
  size: count(),
  sha256: hex(64),
  nonce: pattern(/^[A-Za-z0-9+/]{16}$/),
  offset: count(),
  length: count().check(z.gte(PACKAGE_ID_BYTES + 16)),
});

export const PackageIndexSchema = z.strictObject({
  format: z.literal('tessera-package'),
  version: z.literal(1),
  suite: z.enum(KNOWN_SUITES as [string, ...string[]]),
  packageId: hex(32),
  kekId: hex(16),
  signingKeyId: text(64, 1),
  dataKeyCheck: hex(32),
  plaintextDigest: hex(64),
  meta: dict(z.string()),
  files: z.array(IndexFileSchema),
});

export type IndexFile = z.infer<typeof IndexFileSchema>;
export type PackageIndex = z.infer<typeof PackageIndexSchema>;

export function isSafePackagePath(path: string): boolean {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

export interface ContainerParts {
  indexBytes: Uint8Array;
  signature: Uint8Array;
  wrappedDataKey: string;
  data: Uint8Array;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}
function u16(n: number): Uint8Array {
  if (n > 0xffff) throw new RangeError('field too long for a u16 length');
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n);
  return b;
}

export function encodeContainer(parts: ContainerParts): Uint8Array<ArrayBuffer> {
  const wrapped = utf8(parts.wrappedDataKey);
  return concatBytes([
    MAGIC,
    new Uint8Array([CONTAINER_VERSION]),
    u32(parts.indexBytes.length),
    parts.indexBytes,
    u16(parts.signature.length),
    parts.signature,
    u16(wrapped.length),
    wrapped,
    parts.data,
  ]);
}

export function decodeContainer(bytes: Uint8Array): ContainerParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (end: number, what: string) => {
    if (end > bytes.length) throw new PackageFormatError(`package is truncated in the ${what}`);
  };
  need(9, 'header');
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new PackageFormatError('not a Tessera package (bad magic bytes)');
  }
  if (bytes[4] !== CONTAINER_VERSION) {
    throw new PackageFormatError(`unsupported container version ${bytes[4]}; upgrade the runtime`);
  }
  const indexLen = view.getUint32(5);
  if (indexLen > MAX_INDEX_BYTES) throw new PackageFormatError('package index is larger than 16 MiB');
  let p = 9;
  need(p + indexLen + 2, 'index');
  const indexBytes = bytes.subarray(p, p + indexLen);
  p += indexLen;
  const sigLen = view.getUint16(p);
  p += 2;
  need(p + sigLen + 2, 'signature');
  const signature = bytes.subarray(p, p + sigLen);
  p += sigLen;
  const wrappedLen = view.getUint16(p);
  p += 2;
  need(p + wrappedLen, 'wrapped key');
  let wrappedDataKey: string;
  try {
    wrappedDataKey = fromUtf8(bytes.subarray(p, p + wrappedLen));
  } catch {
    throw new PackageFormatError('wrapped data key is not text');
  }
  p += wrappedLen;
  return { indexBytes, signature, wrappedDataKey, data: bytes.subarray(p) };
}

/** Parses index bytes (after the signature was verified, or for inspection). */
export function parseIndex(indexBytes: Uint8Array): PackageIndex {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(indexBytes));
  } catch {
    throw new PackageFormatError('package index is not valid UTF-8 JSON');
  }
  const parsed = PackageIndexSchema.safeParse(json);
  if (!parsed.success)
    throw new PackageFormatError(`package index is invalid at ${firstIssue(parsed.error)}`);
  const seen = new Set<string>();
  for (const f of parsed.data.files) {
    if (seen.has(f.path)) throw new PackageFormatError(`package index lists "${f.path}" twice`);
    seen.add(f.path);
  }
  return parsed.data;
}
