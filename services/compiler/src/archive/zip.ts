// ZIP reader (stored and deflate, no ZIP64, no encryption) that inflates each entry with a
// hard output cap and checks declared sizes, ratios and CRC-32.
import { crc32, inflateRawSync } from 'node:zlib';
import { safeEntryPath, type UnpackBudget, UnpackError, type UnpackLimits } from './limits.ts';

const EOCD = 0x06054b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

export function readZip(
  bytes: Uint8Array,
  limits: UnpackLimits,
  budget: UnpackBudget,
): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw new UnpackError('ARCHIVE_FORMAT', 'not a valid zip archive (end of central directory not found)');
  const count = view.getUint16(eocd + 10, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new UnpackError('ARCHIVE_FORMAT', 'ZIP64 archives are not supported');
  const out = new Map<string, Uint8Array>();
  let p = cdOffset;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CDH)
      throw new UnpackError('ARCHIVE_FORMAT', 'corrupt zip central directory');
    const madeBy = view.getUint16(p + 4, true) >> 8;
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const local = view.getUint32(p + 42, true);
    const rawName = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    const mode = madeBy === 3 ? external >>> 16 : 0;
    const fileType = mode & 0xf000;
    if (fileType === 0xa000)
      throw new UnpackError('ARCHIVE_LINK', `"${rawName}" is a symbolic link; links are not allowed`);
    if (fileType !== 0 && fileType !== 0x8000 && fileType !== 0x4000) {
      throw new UnpackError(
        'ARCHIVE_SPECIAL_FILE',
        `"${rawName}" is a device, FIFO or socket; only regular files are allowed`,
      );
    }
    if (rawName.endsWith('/') || fileType === 0x4000) {
      safeEntryPath(rawName, limits);
      continue;
    }
    if (flags & 1)
      throw new UnpackError('ARCHIVE_ENCRYPTED', `"${rawName}" is encrypted; upload an unencrypted archive`);
    if (method !== 0 && method !== 8)
      throw new UnpackError('ARCHIVE_FORMAT', `"${rawName}" uses unsupported compression method ${method}`);
    const name = safeEntryPath(rawName, limits);
    if (size > 0 && compSize === 0)
      throw new UnpackError('ARCHIVE_RATIO', `"${name}" has an impossible compression ratio`);
    if (compSize > 0 && size / compSize > limits.maxRatio) {
      throw new UnpackError(
        'ARCHIVE_RATIO',
        `"${name}" expands ${Math.round(size / compSize)}× (limit ${limits.maxRatio}×): refusing a possible zip bomb`,
      );
    }
    budget.admit(name, size);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LFH)
      throw new UnpackError('ARCHIVE_FORMAT', `corrupt local header for "${name}"`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compSize > bytes.length)
      throw new UnpackError('ARCHIVE_FORMAT', `zip entry "${name}" is truncated`);
    const raw = bytes.subarray(start, start + compSize);
    let data: Uint8Array;
    if (method === 0) {
      if (compSize !== size)
        throw new UnpackError('ARCHIVE_FORMAT', `stored entry "${name}" has inconsistent sizes`);
      data = raw.slice();
    } else {
      try {
        data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }));
      } catch (e) {
        if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw new UnpackError('ARCHIVE_TOO_LARGE', `"${name}" inflates beyond its declared size ${size}`);
        }
        throw new UnpackError('ARCHIVE_FORMAT', `"${name}" is not valid deflate data`);
      }
    }
    if (data.length !== size)
      throw new UnpackError('ARCHIVE_FORMAT', `"${name}" does not match its declared size`);
    if (crc32(data) >>> 0 !== crc)
      throw new UnpackError('ARCHIVE_FORMAT', `"${name}" fails its CRC-32 check`);
    out.set(name, data);
  }
  return out;
}
