import { describe, expect, it } from 'vitest';
import { boundedName, compileJobName, tenantNamespace } from './names.ts';

describe('names', () => {
  it('derives compile Job names that are deterministic DNS labels', () => {
    const a = compileJobName('shop-1.2.0', 'uid-1');
    expect(a).toBe(compileJobName('shop-1.2.0', 'uid-1'));
    expect(a).not.toBe(compileJobName('shop-1.2.0', 'uid-2'));
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const long = compileJobName(`${'x'.repeat(200)}.1.2.3`, 'u');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(compileJobName('a-----------------------------------------.', 'u')).not.toContain('--compile');
  });
  it('bounds long names with a hash suffix', () => {
    expect(boundedName('short', 63)).toBe('short');
    const b = boundedName('y'.repeat(300), 63);
    expect(b.length).toBe(63);
    expect(b).not.toBe(boundedName(`${'y'.repeat(299)}z`, 63));
  });
  it('defaults the tenant namespace', () => {
    expect(tenantNamespace({ metadata: { name: 'acme' }, spec: { displayName: 'Acme' } })).toBe(
      'tessera-acme',
    );
    expect(tenantNamespace({ metadata: { name: 'acme' }, spec: { displayName: 'A', namespace: 'x' } })).toBe(
      'x',
    );
  });
});
