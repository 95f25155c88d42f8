import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from './rate-limiter.ts';

describe('BucketRateLimiter', () => {
  it('allows a burst, then spaces keys at 1/qps and refills over time', () => {
    let now = 0;
    const b = new BucketRateLimiter(10, 3, () => now);
    expect([b.when('a'), b.when('b'), b.when('c')]).toEqual([0, 0, 0]);
    expect(b.when('d')).toBeCloseTo(100);
    expect(b.when('e')).toBeCloseTo(200);
    now += 1000; // +10 tokens, capped by the 2 reserved ones: 3 - 5 + 10 = 8 -> burst 3
    expect(b.when('f')).toBe(0);
  });
});

describe('MaxOfRateLimiter', () => {
  it('takes the largest delay of its limiters', () => {
    let now = 0;
    const m = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter(5, 1000),
      new BucketRateLimiter(1, 1, () => now),
    );
    expect(m.when('a')).toBe(5);
    expect(m.when('a')).toBe(1000);
    now = 10_000;
    expect(m.when('a')).toBe(20);
    m.forget('a');
    expect(m.numRequeues('a')).toBe(0);
  });
});

describe('Backoff', () => {
  it('grows to the cap and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
  it('jitters within [delay/2, delay]', () => {
    const lo = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => 1 });
    const hi = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 1, random: () => 0 });
    expect(lo.next()).toBe(50);
    expect(hi.next()).toBe(100);
  });
});
