import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS } from './chain.ts';

describe('audit entry hash', () => {
  const base = {
    seq: 1,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'alice',
    action: 'artifact.upload',
    target: 'abc',
    remote: '127.0.0.1',
    details: { b: 1, a: [1, { y: 2, x: 1 }] },
    prevHash: GENESIS,
  };
  it('is independent of key order and changes with any field or the previous hash', () => {
    const h = entryHash(base);
    expect(entryHash({ ...base, details: { a: [1, { x: 1, y: 2 }], b: 1 } })).toBe(h);
    for (const change of [
      { actor: 'mallory' },
      { seq: 2 },
      { details: {} },
      { prevHash: 'f'.repeat(64) },
      { remote: '' },
    ]) {
      expect(entryHash({ ...base, ...change })).not.toBe(h);
    }
  });
});
