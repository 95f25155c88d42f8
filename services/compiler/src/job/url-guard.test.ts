import { describe, expect, it } from 'vitest';
import { assertPublicUrl, ForbiddenSourceUrlError, isNonPublicAddress } from './url-guard.ts';

describe('source URL guard', () => {
  it('classifies non-public addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(isNonPublicAddress(ip), ip).toBe(true);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888'])
      expect(isNonPublicAddress(ip), ip).toBe(false);
  });
  it('rejects metadata and loopback URLs before any request', async () => {
    await expect(assertPublicUrl('http://169.254.169.254/latest/meta-data')).rejects.toBeInstanceOf(
      ForbiddenSourceUrlError,
    );
    await expect(assertPublicUrl('http://[::1]:8080/x.zip')).rejects.toBeInstanceOf(ForbiddenSourceUrlError);
    await expect(assertPublicUrl('http://localhost/x.zip')).rejects.toBeInstanceOf(ForbiddenSourceUrlError);
    await expect(assertPublicUrl('http://8.8.8.8/x.zip')).resolves.toBeUndefined();
  });
});
