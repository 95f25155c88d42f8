import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limit.ts';

describe('MemoryRateLimiter', () => {
  it('allows up to the limit per one-second window and per key', async () => {
    const rl = new MemoryRateLimiter();
    const t = 1_000_000;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await rl.allow('a', 3, t));
    expect(results).toEqual([true, true, true, false, false]);
    expect(await rl.allow('b', 3, t)).toBe(true);
    expect(await rl.allow('a', 3, t + 1000)).toBe(true);
  });
});
