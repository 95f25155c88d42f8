// Whose package this is: the signed index names the tenant, mini-program, appId and version it
// was compiled for (the compile Job signs them in). A launch only runs a package whose index
// agrees with what it asked for (the appId) and what the launch answer says, so a rewritten
// answer cannot run another mini-program, version or tenant's package under this name. Packages
// built without these names (before the compile Job signed them) are checked on what they carry.
import type { PackageIndex } from '../package/format.ts';

export const IDENTITY_FIELDS = ['tenant', 'miniProgram', 'appId', 'version'] as const;
export type PackageIdentity = Partial<Record<(typeof IDENTITY_FIELDS)[number], string>>;

export class PackageIdentityError extends Error {
  readonly code = 'PACKAGE_IDENTITY_MISMATCH';
  constructor(what: string, field: string, want: string, got: string) {
    super(
      `${what} is not the package asked for: its signed index says ${field} "${got}", expected "${want}"`,
    );
    this.name = 'PackageIdentityError';
  }
}

/** Refuses `index` when a name it carries differs from `want` (absent on either side: not compared). */
export function checkPackageIdentity(
  index: PackageIndex,
  want: PackageIdentity & { plaintextDigest?: string | undefined },
  what: string,
): void {
  for (const field of IDENTITY_FIELDS) {
    const expected = want[field];
    const got = index.meta[field];
    if (expected !== undefined && got !== undefined && got !== expected)
      throw new PackageIdentityError(what, field, expected, got);
  }
  if (want.plaintextDigest !== undefined && want.plaintextDigest !== index.plaintextDigest)
    throw new PackageIdentityError(what, 'plaintextDigest', want.plaintextDigest, index.plaintextDigest);
}

/** The names a verified main package carries, which each of its subpackages must carry too. */
export function identityOf(index: PackageIndex): PackageIdentity {
  const out: PackageIdentity = {};
  for (const field of IDENTITY_FIELDS) if (index.meta[field] !== undefined) out[field] = index.meta[field];
  return out;
}
