import { describe, expect, it } from 'vitest';
import { createScopedStorage, MemoryKeyValue, storagePrefix } from './storage.ts';

describe('scoped storage', () => {
  it('keeps apps and users apart and enforces the limit on the host side', () => {
    const kv = new MemoryKeyValue();
    kv.set('host_token', 'secret');
    const errors: string[] = [];
    const a = createScopedStorage(kv, 'wx-a', 'u1', 20, (m) => errors.push(m));
    const a2 = createScopedStorage(kv, 'wx-a', 'u2', 20);
    const b = createScopedStorage(kv, 'wx-b', 'u1', 20);
    a.set('k', 'v1');
    a2.set('k', 'v2');
    b.set('k', 'v3');
    expect(a.snapshot()).toEqual({ k: 'v1' });
    expect(a2.snapshot()).toEqual({ k: 'v2' });
    expect(b.snapshot()).toEqual({ k: 'v3' });
    a.set('big', 'x'.repeat(30));
    expect(a.snapshot()).toEqual({ k: 'v1' });
    expect(errors[0]).toMatch(/would exceed 20 bytes/);
    a.set('k', null);
    expect(a.bytes()).toBe(0);
    a.set('x', '1');
    a.clear();
    expect(a.snapshot()).toEqual({});
    expect(kv.get('host_token')).toBe('secret');
    expect(b.snapshot()).toEqual({ k: 'v3' });
  });

  it('cannot be tricked into another namespace by crafted ids', () => {
    expect(storagePrefix('a:b', 'c')).not.toBe(storagePrefix('a', 'b:c'));
    expect(storagePrefix('wx', undefined)).toBe('tessera:v1:wx::');
  });
});
