// Test helpers that write tar and zip archives, including hostile ones (links, devices,
// traversal, bombs). Tests only.
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export interface TarEntry {
  name: string;
  data?: Uint8Array | string;
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  linkname?: string;
}

const enc = new TextEncoder();

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

export function tar(entries: TarEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
    const h = new Uint8Array(512);
    const put = (s: string, off: number) => h.set(enc.encode(s), off);
    put(e.name.slice(0, 100), 0);
    put(octal(0o644, 8), 100);
    put(octal(0, 8), 108);
    put(octal(0, 8), 116);
    put(octal(data.length, 12), 124);
    put(octal(0, 12), 136);
    put('        ', 148);
    put(e.type ?? '0', 156);
    put((e.linkname ?? '').slice(0, 100), 157);
    put('ustar\u000000', 257);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data);
    const pad = (512 - (data.length % 512)) % 512;
    blocks.push(new Uint8Array(pad));
  }
  blocks.push(new Uint8Array(1024));
  const total = blocks.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of blocks) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

export function tgz(entries: TarEntry[]): Uint8Array {
  return new Uint8Array(gzipSync(tar(entries)));
}

export interface ZipEntry {
  name: string;
  data?: Uint8Array | string;
  /** Unix mode in the external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
  store?: boolean;
  /** Override the declared uncompressed size (lying headers). */
  declaredSize?: number;
  encrypted?: boolean;
}

export function zip(entries: ZipEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
    const body = e.store ? data : new Uint8Array(deflateRawSync(data));
    const name = enc.encode(e.name);
    const crc = crc32(data) >>> 0;
    const size = e.declaredSize ?? data.length;
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true);
    lh.setUint16(6, e.encrypted ? 1 : 0, true);
    lh.setUint16(8, e.store ? 0 : 8, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, body.length, true);
    lh.setUint32(22, size, true);
    lh.setUint16(26, name.length, true);
    locals.push(new Uint8Array(lh.buffer), name, body);
    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, (3 << 8) | 20, true);
    ch.setUint16(6, 20, true);
    ch.setUint16(8, e.encrypted ? 1 : 0, true);
    ch.setUint16(10, e.store ? 0 : 8, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, body.length, true);
    ch.setUint32(24, size, true);
    ch.setUint16(28, name.length, true);
    ch.setUint32(38, ((e.mode ?? 0o100644) << 16) >>> 0, true);
    ch.setUint32(42, offset, true);
    central.push(new Uint8Array(ch.buffer), name);
    offset += 30 + name.length + body.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const eocd = new DataView(new ArrayBuffer(22));
  eocd.setUint32(0, 0x06054b50, true);
  eocd.setUint16(8, entries.length, true);
  eocd.setUint16(10, entries.length, true);
  eocd.setUint32(12, cdSize, true);
  eocd.setUint32(16, offset, true);
  const parts = [...locals, ...central, new Uint8Array(eocd.buffer)];
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
