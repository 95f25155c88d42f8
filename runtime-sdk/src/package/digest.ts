import { sha256Hex, utf8 } from './bytes.ts';
import { canonicalJson } from './canonical-json.ts';

export interface PlaintextEntry {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Deterministic digest of a package's plaintext: SHA-256 of the canonical JSON of
 * {files: [{path, sha256, size}] sorted by path, meta}. Independent of keys, nonces and ordering.
 */
export async function plaintextDigest(
  entries: readonly PlaintextEntry[],
  meta: Record<string, string>,
): Promise<string> {
  const files = [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => ({ path: e.path, sha256: e.sha256, size: e.size }));
  return sha256Hex(utf8(canonicalJson({ files, meta })));
}
