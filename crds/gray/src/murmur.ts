// MurmurHash3 x86 32-bit (seed 0 by default), the hash Unleash uses for normalized rollout.

const ENCODER = new TextEncoder();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

// The block and finalisation steps are shared by the string (ASCII) and byte paths; the loops
// are written out per input type so neither pays for a per-byte callback.
function mixBlock(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  return h ^ Math.imul(x, 0x1b873593);
}

function finish(h: number, len: number): number {
  let x = h ^ len;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function hashAscii(s: string, seed: number): number {
  const len = s.length;
  const blocks = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    h = mixBlock(
      h,
      s.charCodeAt(i) |
        (s.charCodeAt(i + 1) << 8) |
        (s.charCodeAt(i + 2) << 16) |
        (s.charCodeAt(i + 3) << 24),
    );
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= s.charCodeAt(blocks + 2) << 16;
    if (tail >= 2) k ^= s.charCodeAt(blocks + 1) << 8;
    h = mixTail(h, k ^ s.charCodeAt(blocks));
  }
  return finish(h, len);
}

function hashBytes(b: Uint8Array, seed: number): number {
  const len = b.length;
  const blocks = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    h = mixBlock(
      h,
      (b[i] as number) |
        ((b[i + 1] as number) << 8) |
        ((b[i + 2] as number) << 16) |
        ((b[i + 3] as number) << 24),
    );
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (b[blocks + 2] as number) << 16;
    if (tail >= 2) k ^= (b[blocks + 1] as number) << 8;
    h = mixTail(h, k ^ (b[blocks] as number));
  }
  return finish(h, len);
}

/** Hash of the UTF-8 encoding of `text`. ASCII strings skip the encoder. */
export function murmur3(text: string, seed = 0): number {
  return isAscii(text) ? hashAscii(text, seed) : hashBytes(ENCODER.encode(text), seed);
}
