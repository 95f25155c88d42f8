// One error type per tampering/failure case so callers (SDK, store, operator) can act on it.

export type PackageErrorCode =
  | 'PKG_FORMAT'
  | 'PKG_UNSUPPORTED_SUITE'
  | 'PKG_UNKNOWN_KEY'
  | 'PKG_SIGNATURE'
  | 'PKG_KEY_UNWRAP'
  | 'PKG_DATA_KEY_MISMATCH'
  | 'PKG_TRUNCATED'
  | 'PKG_FILE_FOREIGN'
  | 'PKG_FILE_AUTH'
  | 'PKG_FILE_HASH'
  | 'PKG_FILE_NOT_FOUND'
  | 'PKG_EXPECTATION';

export class PackageError extends Error {
  readonly code: PackageErrorCode;
  constructor(code: PackageErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Container bytes or index JSON are malformed (not a Tessera package, or cut in the header). */
export class PackageFormatError extends PackageError {
  constructor(message: string) {
    super('PKG_FORMAT', message);
  }
}
/** The header names a cipher suite this build does not implement (e.g. the reserved SM suite). */
export class UnsupportedSuiteError extends PackageError {
  constructor(suite: string) {
    super('PKG_UNSUPPORTED_SUITE', `cipher suite "${suite}" is not supported by this runtime`);
  }
}
/** Signed by a key that is not among the configured public keys. */
export class UnknownSigningKeyError extends PackageError {
  readonly keyId: string;
  constructor(keyId: string) {
    super(
      'PKG_UNKNOWN_KEY',
      `signing key "${keyId}" is not one of the trusted public keys; configure it or re-sign`,
    );
    this.keyId = keyId;
  }
}
/** The signature does not verify: the index, the signature or the key was changed. */
export class SignatureInvalidError extends PackageError {
  constructor(what: string) {
    super(
      'PKG_SIGNATURE',
      `signature of ${what} does not verify: it was modified or signed with another key`,
    );
  }
}
/** The wrapped data key could not be unwrapped (modified, or wrong key-encryption key). */
export class KeyUnwrapError extends PackageError {
  constructor(message: string) {
    super('PKG_KEY_UNWRAP', message);
  }
}
/** The unwrapped data key is valid but belongs to another package. */
export class DataKeyMismatchError extends PackageError {
  constructor() {
    super('PKG_DATA_KEY_MISMATCH', 'the data key does not belong to this package (wrapped key swapped)');
  }
}
/** A file's ciphertext is shorter than the signed index says. */
export class TruncatedPackageError extends PackageError {
  constructor(path: string) {
    super(
      'PKG_TRUNCATED',
      `file "${path}" is truncated: ciphertext ends before the length in the signed index`,
    );
  }
}
/** A file blob carries another package's id (swapped between packages). */
export class ForeignFileError extends PackageError {
  constructor(path: string) {
    super('PKG_FILE_FOREIGN', `file "${path}" comes from another package`);
  }
}
/** AES-GCM authentication of a file failed (flipped byte, or blob swapped and relabelled). */
export class FileAuthenticationError extends PackageError {
  constructor(path: string) {
    super('PKG_FILE_AUTH', `file "${path}" failed authenticated decryption: its ciphertext was modified`);
  }
}
/** Decrypted bytes do not match the SHA-256 pinned in the signed index. */
export class FileHashMismatchError extends PackageError {
  constructor(path: string) {
    super('PKG_FILE_HASH', `file "${path}" does not match the SHA-256 in the signed index`);
  }
}
export class FileNotFoundInPackageError extends PackageError {
  constructor(path: string) {
    super('PKG_FILE_NOT_FOUND', `file "${path}" is not in this package`);
  }
}
/** The package verifies but is not the one the caller expected (id/digest/meta pinned elsewhere). */
export class PackageExpectationError extends PackageError {
  constructor(message: string) {
    super('PKG_EXPECTATION', message);
  }
}
