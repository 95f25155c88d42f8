// ustar/pax/GNU tar reader that only accepts regular files and directories.
import { safeEntryPath, type UnpackBudget, UnpackError, type UnpackLimits } from './limits.ts';

const BLOCK = 512;
const decoder = new TextDecoder();

function field(b: Uint8Array, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return decoder.decode(nul >= 0 ? s.subarray(0, nul) : s);
}

function octal(b: Uint8Array, start: number, len: number, what: string): number {
  if ((b[start] ?? 0) & 0x80)
    throw new UnpackError('ARCHIVE_TOO_LARGE', `tar ${what} uses base-256 encoding (too large)`);
  const s = field(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new UnpackError('ARCHIVE_FORMAT', `tar header has an invalid ${what}`);
  return Number.parseInt(s, 8);
}

function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = decoder.decode(data);
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(text.slice(i, sp));
    if (!Number.isInteger(len) || len <= 0) throw new UnpackError('ARCHIVE_FORMAT', 'malformed pax header');
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && field(bytes, 257, 5) === 'ustar';
}

export function readTar(
  bytes: Uint8Array,
  limits: UnpackLimits,
  budget: UnpackBudget,
): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let off = 0;
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;
  let ended = false;
  while (off + BLOCK <= bytes.length) {
    const h = bytes.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) {
      ended = true;
      break;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
    if (sum !== octal(h, 148, 8, 'checksum'))
      throw new UnpackError('ARCHIVE_FORMAT', `tar header checksum mismatch at byte ${off}`);
    const type = String.fromCharCode(h[156] ?? 0);
    const paxSize = type !== 'x' && type !== 'g' ? pax?.get('size') : undefined;
    const size = paxSize !== undefined ? Number(paxSize) : octal(h, 124, 12, 'size');
    if (!Number.isSafeInteger(size) || size < 0)
      throw new UnpackError('ARCHIVE_FORMAT', 'tar entry has an invalid size');
    const dataStart = off + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > bytes.length) throw new UnpackError('ARCHIVE_FORMAT', 'tar archive is truncated');
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const data = bytes.subarray(dataStart, dataEnd);
    const prefix = field(h, 345, 155);
    let name = longName ?? pax?.get('path') ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    if (type === 'L') {
      if (size > limits.maxPathLength * 4)
        throw new UnpackError('ARCHIVE_FORMAT', 'GNU long name is too long');
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      if (size > 64 * 1024) throw new UnpackError('ARCHIVE_FORMAT', 'pax header is too large');
      pax = parsePax(data);
      continue;
    }
    if (type === 'g') continue;
    longName = undefined;
    pax = undefined;
    if (type === '1' || type === '2') {
      throw new UnpackError(
        'ARCHIVE_LINK',
        `"${name}" is a ${type === '2' ? 'symbolic' : 'hard'} link; links are not allowed`,
      );
    }
    if (type === '3' || type === '4' || type === '6' || type === '7') {
      throw new UnpackError(
        'ARCHIVE_SPECIAL_FILE',
        `"${name}" is a device or FIFO; only regular files are allowed`,
      );
    }
    if (type === '5') continue;
    if (type !== '0' && type !== '\0') {
      throw new UnpackError('ARCHIVE_SPECIAL_FILE', `"${name}" has unsupported tar entry type "${type}"`);
    }
    name = safeEntryPath(name, limits);
    if (name === '') continue;
    budget.admit(name, size);
    out.set(name, data.slice());
  }
  if (!ended) throw new UnpackError('ARCHIVE_FORMAT', 'tar archive is truncated (no end-of-archive marker)');
  return out;
}
