// Detects the archive format (zip, tar, tar.gz) and unpacks it within the limits.
import { gunzipSync } from 'node:zlib';
import type { SourceTree } from '../project/source-tree.ts';
import { UnpackBudget, UnpackError, type UnpackLimits } from './limits.ts';
import { isTar, readTar } from './tar.ts';
import { isZip, readZip } from './zip.ts';

export function unpackArchive(bytes: Uint8Array, limits: UnpackLimits): SourceTree {
  if (bytes.length > limits.maxArchiveBytes) {
    throw new UnpackError('ARCHIVE_TOO_LARGE', `archive is larger than ${limits.maxArchiveBytes} bytes`);
  }
  const budget = new UnpackBudget(limits);
  let tree: Map<string, Uint8Array>;
  if (isZip(bytes)) {
    tree = readZip(bytes, limits, budget);
  } else if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const cap = Math.min(limits.maxTotalBytes + 64 * 1024, bytes.length * limits.maxRatio);
    let tar: Uint8Array;
    try {
      tar = new Uint8Array(gunzipSync(bytes, { maxOutputLength: Math.max(1024, cap) }));
    } catch (e) {
      if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UnpackError(
          cap < limits.maxTotalBytes ? 'ARCHIVE_RATIO' : 'ARCHIVE_TOO_LARGE',
          `gzip stream expands beyond ${cap} bytes (ratio limit ${limits.maxRatio}×, size limit ${limits.maxTotalBytes})`,
        );
      }
      throw new UnpackError('ARCHIVE_FORMAT', 'corrupt gzip stream');
    }
    if (!isTar(tar)) throw new UnpackError('ARCHIVE_FORMAT', 'gzip content is not a tar archive');
    tree = readTar(tar, limits, budget);
  } else if (isTar(bytes)) {
    tree = readTar(bytes, limits, budget);
  } else {
    throw new UnpackError('ARCHIVE_FORMAT', 'source is not a zip, tar or tar.gz archive');
  }
  if (tree.size > 0 && budget.bytes / Math.max(1, bytes.length) > limits.maxRatio) {
    throw new UnpackError(
      'ARCHIVE_RATIO',
      `archive expands ${Math.round(budget.bytes / bytes.length)}× overall (limit ${limits.maxRatio}×)`,
    );
  }
  return stripSingleRoot(tree);
}

/** "myapp/app.json, myapp/pages/…" → "app.json, pages/…" when everything sits in one folder. */
export function stripSingleRoot(tree: Map<string, Uint8Array>): Map<string, Uint8Array> {
  if (tree.has('app.json')) return tree;
  const tops = new Set([...tree.keys()].map((p) => p.split('/')[0]));
  const [top] = [...tops];
  if (tops.size !== 1 || !top || !tree.has(`${top}/app.json`)) return tree;
  return new Map([...tree].map(([p, b]) => [p.slice(top.length + 1), b]));
}
