// Reads a source directory into a SourceTree (CLI / local builds). Symlinks and special files
// are rejected, like in archives; limits bound the amount read.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceTree } from './source-tree.ts';

export interface ReadDirLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_READ_DIR_LIMITS: ReadDirLimits = { maxFiles: 10_000, maxBytes: 256 * 1024 * 1024 };

export class SourceDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceDirError';
  }
}

export async function readSourceDir(
  root: string,
  limits: ReadDirLimits = DEFAULT_READ_DIR_LIMITS,
): Promise<SourceTree> {
  const out = new Map<string, Uint8Array>();
  let bytes = 0;
  async function walk(dir: string, rel: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await lstat(abs);
      if (st.isSymbolicLink())
        throw new SourceDirError(`${relPath}: symbolic links are not allowed in a source tree`);
      if (st.isDirectory()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        await walk(abs, relPath);
      } else if (st.isFile()) {
        if (out.size >= limits.maxFiles) throw new SourceDirError(`more than ${limits.maxFiles} files`);
        bytes += st.size;
        if (bytes > limits.maxBytes) throw new SourceDirError(`more than ${limits.maxBytes} bytes`);
        out.set(relPath, new Uint8Array(await readFile(abs)));
      } else {
        throw new SourceDirError(`${relPath}: only regular files and directories are allowed`);
      }
    }
  }
  await walk(root, '');
  return out;
}
