import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { celString, displayName, doc, immutable, isLabelKey, isLabelValue, labels, semver } from './meta.ts';
import { toStructuralSchema } from './openapi.ts';

describe('shared field helpers', () => {
  it('label keys and values as Kubernetes accepts them', () => {
    for (const k of ['app', 'tessera.dev/tier', 'a.b-c_d', 'example.com/A1', `${'a'.repeat(63)}`]) {
      expect(isLabelKey(k), k).toBe(true);
    }
    for (const k of [
      '',
      '/app',
      'Example.com/app',
      'a/b/c',
      '-app',
      'app-',
      `${'a'.repeat(64)}`,
      'has space',
    ]) {
      expect(isLabelKey(k), k).toBe(false);
    }
    for (const v of ['', 'v1', 'a.b_c-d', `${'a'.repeat(63)}`]) expect(isLabelValue(v), v).toBe(true);
    for (const v of ['-v', 'v_', 'a b', 'a/b', `${'a'.repeat(64)}`]) expect(isLabelValue(v), v).toBe(false);
    const schema = labels(4, 'x');
    expect(schema.safeParse({ 'tessera.dev/tier': 'gold' }).success).toBe(true);
    expect(schema.safeParse({ 'bad key': 'gold' }).error?.issues[0]?.message).toMatch(
      /must be a Kubernetes label key/,
    );
    expect(schema.safeParse({ tier: 'gold!' }).error?.issues[0]?.message).toMatch(
      /must be a Kubernetes label value/,
    );
    expect(schema.safeParse({ a: '1', b: '2', c: '3', d: '4', e: '5' }).success).toBe(false);
  });

  it('display names: not empty or whitespace as Go (CEL trim) defines it', () => {
    const name = displayName(16, 'x');
    for (const blank of ['', ' ', '\t\r\n\v\f', '\u00a0', '\u0085', '\u3000', '\u2028']) {
      expect(name.safeParse(blank).success, JSON.stringify(blank)).toBe(false);
    }
    // U+FEFF is not whitespace for Go, so CEL's trim() keeps it and the API server accepts it
    for (const ok of ['转账', ' a ', '\ufeff'])
      expect(name.safeParse(ok).success, JSON.stringify(ok)).toBe(true);
  });

  it('CEL string literals escape quotes and backslashes', () => {
    expect(celString("it's \\d")).toBe("'it\\'s \\\\d'");
  });

  it('rules attached by a helper survive another description', () => {
    const documented = z.object({ v: doc(semver(''), 'Version. Immutable.', [immutable('v')]) });
    const json = toStructuralSchema(documented) as {
      properties: { v: { 'x-kubernetes-validations': unknown[] } };
    };
    expect(json.properties.v['x-kubernetes-validations']).toEqual([
      { rule: 'isSemver(self)', message: expect.stringMatching(/semantic version such as 1\.4\.0/) },
      { rule: 'self == oldSelf', message: 'v is immutable; create a new object instead' },
    ]);
  });
});
