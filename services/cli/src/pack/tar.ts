// A minimal POSIX ustar writer for regular files. Every header field that could vary between
// machines is fixed (mode 0644, uid/gid 0, empty user and group names, mtime 0), so the archive
// bytes depend only on the paths and contents given, in the order given.

const BLOCK = 512;
const NAME_MAX = 100;
const PREFIX_MAX = 155;

export interface TarEntry {
  /** Forward-slash relative path. */
  path: string;
  data: Uint8Array;
}

/** Splits a path into ustar name/prefix fields; undefined when it cannot fit. */
export function splitUstarPath(path: string): { name: Buffer; prefix: Buffer } | undefined {
  const bytes = Buffer.from(path, 'utf8');
  if (bytes.length <= NAME_MAX) return { name: bytes, prefix: Buffer.alloc(0) };
  // The prefix must end at a "/" (which is dropped) and the rest must fit in the name field.
  for (let i = bytes.length - 1; i > 0; i--) {
    if (bytes[i] !== 0x2f) continue;
    const prefix = bytes.subarray(0, i);
    const name = bytes.subarray(i + 1);
    if (prefix.length <= PREFIX_MAX && name.length <= NAME_MAX && name.length > 0) return { name, prefix };
    if (name.length > NAME_MAX) return undefined;
  }
  return undefined;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(entry: TarEntry): Buffer {
  const split = splitUstarPath(entry.path);
  if (!split) throw new Error(`path too long for a ustar archive: ${entry.path}`);
  const h = Buffer.alloc(BLOCK);
  split.name.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(entry.data.length, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime
  h.write('        ', 148, 'ascii'); // checksum placeholder: eight spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  split.prefix.copy(h, 345);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** Serialises the entries, in order, followed by the two zero blocks that end an archive. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry), Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.length));
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
