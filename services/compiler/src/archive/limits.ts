// Limits for unpacking an uploaded source archive. Every limit is a user error when exceeded
// (exit code 2 in the compile job). Configurable through the job's environment (see job/config.ts).
export interface UnpackLimits {
  /** Largest archive accepted (compressed bytes). TESSERA_MAX_ARCHIVE_BYTES */
  maxArchiveBytes: number;
  /** Most regular files in the archive. TESSERA_MAX_FILES */
  maxFiles: number;
  /** Most bytes after unpacking, all files together. TESSERA_MAX_UNPACKED_BYTES */
  maxTotalBytes: number;
  /** Largest single file after unpacking. TESSERA_MAX_FILE_BYTES */
  maxFileBytes: number;
  /** Highest unpacked/compressed ratio, per entry and overall. TESSERA_MAX_RATIO */
  maxRatio: number;
  /** Longest path inside the archive. */
  maxPathLength: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxArchiveBytes: 64 * 1024 * 1024,
  maxFiles: 5000,
  maxTotalBytes: 128 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
  maxRatio: 200,
  maxPathLength: 512,
};

export type UnpackErrorCode =
  | 'ARCHIVE_FORMAT'
  | 'ARCHIVE_TRAVERSAL'
  | 'ARCHIVE_ABSOLUTE_PATH'
  | 'ARCHIVE_LINK'
  | 'ARCHIVE_SPECIAL_FILE'
  | 'ARCHIVE_DUPLICATE'
  | 'ARCHIVE_TOO_MANY_FILES'
  | 'ARCHIVE_TOO_LARGE'
  | 'ARCHIVE_RATIO'
  | 'ARCHIVE_ENCRYPTED';

export class UnpackError extends Error {
  readonly code: UnpackErrorCode;
  constructor(code: UnpackErrorCode, message: string) {
    super(message);
    this.name = 'UnpackError';
    this.code = code;
  }
}

/** Validates and normalizes an entry path ("./a/b" → "a/b"); throws for anything unsafe. */
export function safeEntryPath(raw: string, limits: UnpackLimits): string {
  if (raw.includes('\0')) throw new UnpackError('ARCHIVE_FORMAT', 'entry name contains a NUL byte');
  if (raw.includes('\\')) throw new UnpackError('ARCHIVE_TRAVERSAL', `entry "${raw}" uses "\\" separators`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) {
    throw new UnpackError(
      'ARCHIVE_ABSOLUTE_PATH',
      `entry "${raw}" has an absolute path; archive the tree with relative paths`,
    );
  }
  const segs = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '..')) {
    throw new UnpackError('ARCHIVE_TRAVERSAL', `entry "${raw}" contains ".." (path traversal)`);
  }
  const path = segs.join('/');
  if (path.length > limits.maxPathLength) {
    throw new UnpackError('ARCHIVE_FORMAT', `entry path longer than ${limits.maxPathLength} characters`);
  }
  return path;
}

export class UnpackBudget {
  files = 0;
  bytes = 0;
  private readonly seen = new Set<string>();
  private readonly limits: UnpackLimits;
  constructor(limits: UnpackLimits) {
    this.limits = limits;
  }
  /** Checks an entry before its content is read. */
  admit(path: string, size: number): void {
    if (this.seen.has(path)) throw new UnpackError('ARCHIVE_DUPLICATE', `entry "${path}" appears twice`);
    this.seen.add(path);
    if (++this.files > this.limits.maxFiles) {
      throw new UnpackError('ARCHIVE_TOO_MANY_FILES', `archive has more than ${this.limits.maxFiles} files`);
    }
    if (size > this.limits.maxFileBytes) {
      throw new UnpackError(
        'ARCHIVE_TOO_LARGE',
        `"${path}" is larger than ${this.limits.maxFileBytes} bytes`,
      );
    }
    this.bytes += size;
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new UnpackError(
        'ARCHIVE_TOO_LARGE',
        `archive unpacks to more than ${this.limits.maxTotalBytes} bytes`,
      );
    }
  }
}
