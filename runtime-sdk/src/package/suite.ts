// Cipher suites. The id is written in every package header and signature envelope so that a
// national-standard suite (SM2 signatures, SM3 hashes, SM4-GCM) can be added without a format
// change: readers reject a suite they do not implement with UnsupportedSuiteError.

export const SUITE_AES256GCM_P256 = 'aes256gcm-p256';
/** Reserved: SM4-GCM file encryption, SM2 signatures, SM3 digests. Not implemented yet. */
export const SUITE_SM4GCM_SM2 = 'sm4gcm-sm2';

export type SuiteId = typeof SUITE_AES256GCM_P256 | typeof SUITE_SM4GCM_SM2;
export const IMPLEMENTED_SUITES: readonly SuiteId[] = [SUITE_AES256GCM_P256];
export const KNOWN_SUITES: readonly SuiteId[] = [SUITE_AES256GCM_P256, SUITE_SM4GCM_SM2];

export function isImplementedSuite(suite: string): suite is typeof SUITE_AES256GCM_P256 {
  return suite === SUITE_AES256GCM_P256;
}
