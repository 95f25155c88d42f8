import { describe, expect, it } from 'vitest';
import { tenantSchema } from './migrations.ts';

describe('tenantSchema', () => {
  it('maps tenant names to safe PostgreSQL identifiers within 63 bytes', () => {
    expect(tenantSchema('acme')).toBe('t_acme');
    expect(tenantSchema('a-b-c')).toBe('t_a_b_c');
    const long = tenantSchema('x'.repeat(63));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(tenantSchema(`${'x'.repeat(62)}y`));
    for (const bad of ['', 'A', 'a;drop schema x', '-a', 'a'.repeat(64), 'a"b']) {
      expect(() => tenantSchema(bad)).toThrow(/invalid tenant name/);
    }
  });
});
