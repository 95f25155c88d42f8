// Packs a mini-program source directory into a deterministic tar: the same tree gives the same
// bytes (and so the same sha256) on every machine, whatever the file order on disk, mtimes,
// owners or modes. Symlinks and special files are refused rather than followed, so what is
// uploaded is exactly what is in the directory.

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '@tessera/runtime-sdk/protocol';
import { inputError } from '../errors.ts';
import { splitUstarPath, type TarEntry, writeTar } from './tar.ts';

/** Directory names never packed, wherever they appear. */
export const SKIPPED_DIRECTORIES: readonly string[] = ['node_modules', '.git'];

export interface PackLimits {
  /** Total bytes of file contents; the store refuses larger uploads. */
  maxBytes: number;
  maxFiles: number;
  maxFileBytes: number;
}

// The compile job refuses archives with more than 5000 files or a file over 32 MiB
// (DEFAULT_UNPACK_LIMITS in @tessera/compiler); failing here saves an upload and a compile Job.
export const DEFAULT_PACK_LIMITS: PackLimits = {
  maxBytes: LIMITS.sourceBytes,
  maxFiles: 5000,
  maxFileBytes: 32 * 1024 * 1024,
};

export interface PackedSource {
  archive: Buffer;
  /** Lower-case hex SHA-256 of the archive. */
  sha256: string;
  /** Packed file paths, in archive order. */
  files: string[];
  contentBytes: number;
}

interface FoundFile {
  path: string;
  absolute: string;
  size: number;
}

const compareBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

async function walk(
  root: string,
  rel: string,
  out: FoundFile[],
  limits: PackLimits,
  total: { bytes: number },
) {
  const dir = rel ? join(root, rel) : root;
  const names = (await readdir(dir)).sort(compareBytes);
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    const absolute = join(root, path);
    const st = await lstat(absolute);
    if (st.isSymbolicLink()) {
      throw inputError(
        `${path} is a symbolic link; symlinks are not packed. Replace it with a copy of the file.`,
      );
    }
    if (st.isDirectory()) {
      if (SKIPPED_DIRECTORIES.includes(name)) continue;
      await walk(root, path, out, limits, total);
      continue;
    }
    if (!st.isFile())
      throw inputError(`${path} is not a regular file or directory; remove it from the source tree`);
    if (!splitUstarPath(path)) {
      throw inputError(`${path}: path is too long to pack (at most 100 bytes per name and 255 in total)`);
    }
    if (st.size > limits.maxFileBytes) {
      throw inputError(
        `${path} is ${st.size} bytes; files over ${limits.maxFileBytes} bytes are not accepted`,
      );
    }
    total.bytes += st.size;
    out.push({ path, absolute, size: st.size });
    if (out.length > limits.maxFiles) {
      throw inputError(
        `the source tree has more than ${limits.maxFiles} files; remove build output or assets`,
      );
    }
    if (total.bytes > limits.maxBytes) {
      const biggest = [...out].sort((a, b) => b.size - a.size).slice(0, 3);
      throw inputError(
        `the source tree is larger than ${limits.maxBytes} bytes (the store's upload limit); largest files: ${biggest
          .map((f) => `${f.path} (${f.size} bytes)`)
          .join(', ')}`,
      );
    }
  }
}

export async function packDirectory(
  root: string,
  limits: PackLimits = DEFAULT_PACK_LIMITS,
): Promise<PackedSource> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(root);
  } catch {
    throw inputError(`source directory ${root} does not exist`);
  }
  if (!st.isDirectory())
    throw inputError(`${root} is not a directory; push takes the mini-program's source directory`);
  const found: FoundFile[] = [];
  const total = { bytes: 0 };
  await walk(root, '', found, limits, total);
  if (found.length === 0) throw inputError(`${root} contains no files to pack`);
  // Sorting the full paths (not per directory) makes "a/b" vs "a.b" ordering independent of walk order.
  found.sort((a, b) => compareBytes(a.path, b.path));
  const entries: TarEntry[] = [];
  for (const f of found) entries.push({ path: f.path, data: await readFile(f.absolute) });
  const archive = writeTar(entries);
  return {
    archive,
    sha256: createHash('sha256').update(archive).digest('hex'),
    files: found.map((f) => f.path),
    contentBytes: total.bytes,
  };
}
