import { describe, expect, it } from 'vitest';
import { murmur3 } from './murmur.ts';
import { inRollout, normalizedHash } from './rollout.ts';

// Small seeded PRNG so the property tests are reproducible.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe('murmur3 x86 32', () => {
  it('matches the reference vectors', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('hello')).toBe(613153351);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    // UTF-8 path equals hashing the encoded bytes
    expect(murmur3('小程序')).toBe(murmur3('小程序'));
    expect(murmur3('小程序')).not.toBe(murmur3('xiao'));
  });

  it('gives the same normalized values as Unleash', () => {
    expect(normalizedHash('gr1', '123')).toBe(73);
    expect(normalizedHash('groupX', '999')).toBe(25);
  });
});

describe('rollout properties', () => {
  const ids = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

  it('integer percentages select exactly the Unleash set', () => {
    for (const id of ids.slice(0, 5000)) {
      for (const p of [0, 1, 10, 33, 50, 99, 100]) {
        expect(inRollout('g', id, p * 100)).toBe(normalizedHash('g', id) <= p);
      }
    }
  });

  it('is monotonic: a user in at p stays in at every larger p, including 0.01% steps', () => {
    const next = prng(7);
    for (let n = 0; n < 400; n++) {
      const id = `u${next()}`;
      let wasIn = false;
      for (let h = 0; h <= 10_000; h += 1 + (next() % 37)) {
        const isIn = inRollout('mp:1.0.0', id, h);
        if (wasIn) expect(isIn).toBe(true);
        wasIn = isIn;
      }
    }
  });

  it('distributes within tolerance at 1, 10 and 50 percent and 0.5 percent', () => {
    for (const [pct, tolerance] of [
      [1, 0.15],
      [10, 0.05],
      [50, 0.02],
      [0.5, 0.2],
    ] as const) {
      const inCount = ids.filter((id) => inRollout('mp:2.0.0', id, Math.round(pct * 100))).length;
      const expected = (ids.length * pct) / 100;
      expect(Math.abs(inCount - expected) / expected).toBeLessThan(tolerance);
    }
  });

  it('different groups give independent assignments', () => {
    const a = ids.slice(0, 20_000).filter((id) => inRollout('a', id, 5000));
    const both = a.filter((id) => inRollout('b', id, 5000)).length;
    expect(Math.abs(both / a.length - 0.5)).toBeLessThan(0.03);
  });
});
