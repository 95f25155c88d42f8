// Encrypts and signs every artifact of a compile result (main package + one per subpackage).
import { type WrittenPackage, writePackage } from '@tessera/runtime-sdk/package';
import type { CompileResult } from './project/compile-project.ts';
import { COMPILER_VERSION } from './version.ts';

export interface TenantKeyMaterial {
  /** Raw AES-256 key-encryption key, base64. */
  kek: string;
  kekId: string;
  /** ECDSA P-256 private key, PKCS#8 base64. */
  signingKey: string;
  signingKeyId: string;
}

export interface PackagedArtifact {
  name: string;
  root: string | null;
  written: WrittenPackage;
}

export async function packageArtifacts(
  result: CompileResult,
  keys: TenantKeyMaterial,
  meta: Record<string, string> = {},
): Promise<PackagedArtifact[]> {
  const out: PackagedArtifact[] = [];
  for (const artifact of result.artifacts) {
    const written = await writePackage(
      [...artifact.files].map(([path, bytes]) => ({ path, bytes })),
      {
        kek: keys.kek,
        kekId: keys.kekId,
        signingKey: keys.signingKey,
        signingKeyId: keys.signingKeyId,
        meta: { ...meta, artifact: artifact.name, compilerVersion: COMPILER_VERSION },
      },
    );
    out.push({ name: artifact.name, root: artifact.root, written });
  }
  return out;
}
