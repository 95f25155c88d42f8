import { describe, expect, it } from 'vitest';
import { compareVersions } from './semver.ts';

describe('compareVersions', () => {
  it('orders by semver 2.0 precedence', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-alpha.beta',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '0.9.10',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '0.9.9',
      '10.0.0',
      '1.0.0-alpha.1',
      '1.0.0-beta',
    ].sort(compareVersions);
    expect(sorted).toEqual([
      '0.9.9',
      '0.9.10',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '10.0.0',
    ]);
  });

  it('ignores build metadata', () => {
    expect(compareVersions('1.2.3+build.5', '1.2.3')).toBe(0);
  });

  it('sorts what is not a semantic version after every version', () => {
    expect(['zeta', '2.0.0', 'v1', '1.0.0'].sort(compareVersions)).toEqual(['1.0.0', '2.0.0', 'v1', 'zeta']);
  });
});
