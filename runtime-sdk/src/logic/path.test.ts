import { describe, expect, it } from 'vitest';
import { cloneData, DataPathError, formatPath, getAtPath, parsePath, setAtPath } from './path.ts';

describe('setData paths', () => {
  it('parses dots, indexes and escapes', () => {
    expect(parsePath('a.b[0].c')).toEqual(['a', 'b', 0, 'c']);
    expect(parsePath('list[12][3]')).toEqual(['list', 12, 3]);
    expect(parsePath('a\\.b.c')).toEqual(['a.b', 'c']);
    expect(parsePath('a\\[0]')).toEqual(['a[0]']);
    expect(parsePath('中文.键')).toEqual(['中文', '键']);
    expect(formatPath(['a.b', 0, 'c'])).toBe('a\\.b[0].c');
  });

  it('rejects malformed and hostile paths with the reason', () => {
    for (const bad of [
      '',
      '.a',
      'a.',
      'a..b',
      '[0]',
      'a[x]',
      'a[-1]',
      'a[1',
      'a[0]b',
      'a\\',
      '__proto__.x',
      'a.constructor.prototype',
      'x'.repeat(2000),
      'a[99999999999]',
    ]) {
      expect(() => parsePath(bad), bad).toThrow(DataPathError);
    }
    expect(() => parsePath('a[x]')).toThrow(/"\[x\]" is not an array index/);
  });

  it('creates missing containers: arrays for indexes, objects otherwise', () => {
    const data: Record<string, unknown> = { keep: 1, a: 5 };
    setAtPath(data, parsePath('x.y[2].z'), 'v');
    setAtPath(data, parsePath('a.b'), 1); // a primitive in the way is replaced by an object
    expect(data).toEqual({ keep: 1, a: { b: 1 }, x: { y: [undefined, undefined, { z: 'v' }] } });
    expect(getAtPath(data, ['x', 'y', 2, 'z'])).toBe('v');
    expect(getAtPath(data, ['keep', 'nope', 'deeper'])).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('clones plain data only and rejects cycles', () => {
    const d = new Date(0);
    expect(cloneData({ f: () => 1, d, a: [1, () => 2], n: null, big: 3n })).toEqual({
      d: '1970-01-01T00:00:00.000Z',
      a: [1, null],
      n: null,
      big: '3',
    });
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(() => cloneData(cyc)).toThrow(/circular/);
  });
});
