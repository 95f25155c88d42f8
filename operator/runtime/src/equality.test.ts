import { describe, expect, it } from 'vitest';
import { isSubset, jsonEqual } from './equality.ts';

describe('jsonEqual', () => {
  it('ignores key order and undefined members', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, x: undefined }, { a: 1 })).toBe(true);
  });
  it('distinguishes arrays, objects, null and scalars', () => {
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
    expect(jsonEqual({ a: { b: 1 } }, { a: { b: 2 } })).toBe(false);
  });
});

describe('isSubset', () => {
  it('accepts server-added fields', () => {
    const desired = {
      metadata: { labels: { a: 'b' } },
      spec: { template: { spec: { containers: [{ name: 'c' }] } } },
    };
    const live = {
      metadata: { labels: { a: 'b', extra: 'x' }, uid: 'u' },
      spec: {
        template: { spec: { containers: [{ name: 'c', imagePullPolicy: 'IfNotPresent' }], dnsPolicy: 'x' } },
      },
    };
    expect(isSubset(desired, live)).toBe(true);
  });
  it('detects changed values, missing fields and different array lengths', () => {
    expect(isSubset({ a: 1 }, { a: 2 })).toBe(false);
    expect(isSubset({ a: 1 }, {})).toBe(false);
    expect(isSubset({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(isSubset({ a: [] }, { a: {} })).toBe(false);
    expect(isSubset({ a: {} }, { a: [] })).toBe(false);
    expect(isSubset({ a: { b: 1 } }, { a: null })).toBe(false);
  });
  it('treats hostile keys as plain data', () => {
    const desired = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(isSubset(desired, {})).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
