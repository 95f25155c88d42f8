import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../errors.ts';
import { packDirectory } from './pack.ts';

const run = promisify(execFile);
const dirs: string[] = [];

async function tree(files: Record<string, string>, order: string[] = Object.keys(files)): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-pack-'));
  dirs.push(root);
  for (const path of order) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), files[path] ?? '');
  }
  return root;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const sample = {
  'app.json': '{"pages":["pages/index/index"]}',
  'app.js': 'App({})',
  'pages/index/index.wxml': '<view>{{msg}}</view>',
  'pages/index/index.js': 'Page({data:{msg:"hi"}})',
  'a.b/c.txt': 'dot dir',
  'a/b.txt': 'slash',
};

describe('packDirectory', () => {
  it('gives the same bytes regardless of creation order and mtimes', async () => {
    const one = await tree(sample);
    const two = await tree(sample, Object.keys(sample).reverse());
    await utimes(join(two, 'app.js'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    const a = await packDirectory(one);
    const b = await packDirectory(two);
    expect(b.sha256).toBe(a.sha256);
    expect(Buffer.compare(a.archive, b.archive)).toBe(0);
    expect(a.files).toEqual([
      'a.b/c.txt',
      'a/b.txt',
      'app.js',
      'app.json',
      'pages/index/index.js',
      'pages/index/index.wxml',
    ]);
  });

  it('changes the digest when a file changes', async () => {
    const a = await packDirectory(await tree(sample));
    const b = await packDirectory(await tree({ ...sample, 'app.js': 'App({ changed: true })' }));
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('writes an archive GNU tar reads back with fixed owners, modes and mtimes', async () => {
    const root = await tree({ ...sample, [`${'deep/'.repeat(25)}long-name.js`]: 'x' });
    const packed = await packDirectory(root);
    const file = join(root, '..', `${packed.sha256}.tar`);
    dirs.push(file);
    await writeFile(file, packed.archive);
    const { stdout } = await run('tar', ['--numeric-owner', '--utc', '-tvf', file]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(packed.files.length);
    for (const line of lines) expect(line).toMatch(/^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00 /);
    expect(lines.map((l) => l.split(' ').at(-1))).toEqual(packed.files);
    const out = await mkdtemp(join(tmpdir(), 'tessera-unpack-'));
    dirs.push(out);
    await run('tar', ['-xf', file, '-C', out]);
    const { stdout: content } = await run('cat', [join(out, 'pages/index/index.wxml')]);
    expect(content).toBe(sample['pages/index/index.wxml']);
  });

  it('skips node_modules and .git', async () => {
    const packed = await packDirectory(
      await tree({
        ...sample,
        'node_modules/x/index.js': 'x',
        '.git/HEAD': 'ref',
        'sub/node_modules/y.js': 'y',
      }),
    );
    expect(packed.files.some((f) => f.includes('node_modules') || f.startsWith('.git'))).toBe(false);
  });

  it('rejects symlinks with the offending path', async () => {
    const root = await tree(sample);
    await symlink('/etc/passwd', join(root, 'pages/index/secret.txt'));
    const error = await packDirectory(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.input);
    expect((error as CliError).message).toContain('pages/index/secret.txt is a symbolic link');
  });

  it('rejects trees over the size limit, naming the largest files', async () => {
    const root = await tree({ ...sample, 'assets/big.bin': 'x'.repeat(5000) });
    const error = await packDirectory(root, { maxBytes: 4096, maxFiles: 100, maxFileBytes: 1 << 20 }).catch(
      (e: unknown) => e,
    );
    expect((error as CliError).exitCode).toBe(EXIT.input);
    expect((error as CliError).message).toMatch(/larger than 4096 bytes.*assets\/big\.bin \(5000 bytes\)/);
  });

  it('rejects a single oversized file', async () => {
    const root = await tree({ ...sample, 'assets/video.mp4': 'x'.repeat(3000) });
    const limits = { maxBytes: 1 << 20, maxFiles: 100, maxFileBytes: 2048 };
    await expect(packDirectory(root, limits)).rejects.toThrow(
      'assets/video.mp4 is 3000 bytes; files over 2048 bytes are not accepted',
    );
  });

  it('rejects trees with too many files', async () => {
    const error = await packDirectory(await tree(sample), {
      maxBytes: 1 << 20,
      maxFiles: 3,
      maxFileBytes: 1 << 20,
    }).catch((e: unknown) => e);
    expect((error as CliError).message).toContain('more than 3 files');
  });

  it('rejects a missing directory and an empty one', async () => {
    await expect(packDirectory('/nonexistent/tessera')).rejects.toThrow('does not exist');
    await expect(packDirectory(await tree({}))).rejects.toThrow('contains no files');
  });
});
