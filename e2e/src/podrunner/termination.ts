// The termination message, as the kubelet produces it: at most 4096 bytes of the file at
// terminationMessagePath; with terminationMessagePolicy FallbackToLogsOnError and a failed
// container whose file is empty, the last 80 lines (at most 2048 bytes) of its log instead.
import { lstat, open } from 'node:fs/promises';

export const MAX_MESSAGE_BYTES = 4096;
export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;

async function readHead(file: string, max: number): Promise<Buffer> {
  // a symlink could point the runner at any file it can read; a regular file is required
  const link = await lstat(file).catch(() => undefined);
  if (!link?.isFile()) return Buffer.alloc(0);
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return Buffer.alloc(0);
    const buffer = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buffer, 0, max, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function readLogTail(file: string, lines: number, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    return all.slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}

export async function terminationMessage(options: {
  messageFile: string;
  logFile: string;
  policy: string | undefined;
  exitCode: number;
}): Promise<string | undefined> {
  const head = await readHead(options.messageFile, MAX_MESSAGE_BYTES);
  if (head.length > 0) return head.toString('utf8');
  if (options.policy === 'FallbackToLogsOnError' && options.exitCode !== 0) {
    const tail = await readLogTail(options.logFile, FALLBACK_LOG_LINES, FALLBACK_LOG_BYTES);
    return tail || undefined;
  }
  return undefined;
}
