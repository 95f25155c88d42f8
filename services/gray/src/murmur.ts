// MurmurHash3 x86 32-bit (seed 0 by default), the hash Unleash uses for normalized rollout.

const ENCODER = new TextEncoder();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function hashBytes(at: (i: number) => number, len: number, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= at(blocks + 2) << 16;
    if (tail >= 2) k ^= at(blocks + 1) << 8;
    k ^= at(blocks);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of the UTF-8 encoding of `text`. ASCII strings skip the encoder. */
export function murmur3(text: string, seed = 0): number {
  if (isAscii(text)) return hashBytes((i) => text.charCodeAt(i), text.length, seed);
  const bytes = ENCODER.encode(text);
  return hashBytes((i) => bytes[i] as number, bytes.length, seed);
}
