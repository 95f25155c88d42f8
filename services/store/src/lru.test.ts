import { describe, expect, it } from 'vitest';
import { BoundedCache } from './lru.ts';

describe('BoundedCache', () => {
  it('evicts the oldest entry beyond its bound and expires entries', () => {
    const c = new BoundedCache<string, number>(2, 1000);
    c.set('a', 1, 0);
    c.set('b', 2, 0);
    c.set('c', 3, 0);
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.get('b', 1)).toBe(2);
    expect(c.get('c', 1000)).toBeUndefined();
    expect(c.size).toBe(1);
  });
});
