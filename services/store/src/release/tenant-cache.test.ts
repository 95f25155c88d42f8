import { describe, expect, it } from 'vitest';
import { TenantArtifactCache } from './tenant-cache.ts';

describe('TenantArtifactCache', () => {
  it('never answers one tenant with what another tenant cached under the same digest', () => {
    const keys = new TenantArtifactCache<string>(10);
    keys.set('tenant-a', 'abc', "A's data key");
    expect(keys.get('tenant-a', 'abc')).toBe("A's data key");
    expect(keys.get('tenant-b', 'abc')).toBeUndefined();
    keys.set('tenant-b', 'abc', "B's data key");
    expect(keys.get('tenant-a', 'abc')).toBe("A's data key");
    expect(keys.get('tenant-b', 'abc')).toBe("B's data key");
  });
  it('is bounded', () => {
    const keys = new TenantArtifactCache<number>(2);
    for (let i = 0; i < 5; i++) keys.set('t', String(i), i);
    expect(keys.size).toBe(2);
    expect(keys.get('t', '4')).toBe(4);
  });
});
