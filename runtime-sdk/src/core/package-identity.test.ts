import { describe, expect, it } from 'vitest';
import type { PackageIndex } from '../package/format.ts';
import { checkPackageIdentity, identityOf, PackageIdentityError } from './package-identity.ts';

const index = (meta: Record<string, string>) =>
  ({ meta, plaintextDigest: 'a'.repeat(64) }) as unknown as PackageIndex;
const signed = index({
  tenant: 'bank',
  miniProgram: 'pay',
  appId: 'wx-pay',
  version: '1.2.0',
  artifact: 'main',
});

describe('checkPackageIdentity', () => {
  it('accepts the package asked for', () => {
    expect(() =>
      checkPackageIdentity(
        signed,
        {
          tenant: 'bank',
          miniProgram: 'pay',
          appId: 'wx-pay',
          version: '1.2.0',
          plaintextDigest: 'a'.repeat(64),
        },
        'x',
      ),
    ).not.toThrow();
  });

  it('refuses another tenant, mini-program, appId, version or content', () => {
    for (const [field, value] of [
      ['tenant', 'other'],
      ['miniProgram', 'loan'],
      ['appId', 'wx-loan'],
      ['version', '1.1.0'],
      ['plaintextDigest', 'b'.repeat(64)],
    ] as const) {
      expect(() => checkPackageIdentity(signed, { [field]: value }, 'the package of wx-pay')).toThrow(
        PackageIdentityError,
      );
    }
    expect(() => checkPackageIdentity(signed, { appId: 'wx-loan' }, 'the package of wx-loan')).toThrow(
      'the package of wx-loan is not the package asked for: its signed index says appId "wx-pay", expected "wx-loan"',
    );
  });

  it('compares only the names a package carries (packages from before the compile Job signed them)', () => {
    expect(() =>
      checkPackageIdentity(index({ version: '1.2.0' }), { appId: 'wx-pay', version: '1.2.0' }, 'x'),
    ).not.toThrow();
    expect(identityOf(signed)).toEqual({
      tenant: 'bank',
      miniProgram: 'pay',
      appId: 'wx-pay',
      version: '1.2.0',
    });
  });
});
