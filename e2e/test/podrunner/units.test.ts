// Pure parts of the pod runner: env expansion, container path rewriting, volume path safety and
// the log tail used for FallbackToLogsOnError.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerPaths } from '../../src/podrunner/container-paths.ts';
import { expandReferences } from '../../src/podrunner/env.ts';
import { readLogTail } from '../../src/podrunner/termination.ts';
import { safeRelativePath } from '../../src/podrunner/volumes.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'podrunner-units-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('expandReferences', () => {
  it('expands defined variables, keeps unknown ones and unescapes $$', () => {
    const env = { A: 'x', EMPTY: '' };
    expect(expandReferences('$(A)-$(A)', env)).toBe('x-x');
    expect(expandReferences('$(B) stays', env)).toBe('$(B) stays');
    expect(expandReferences('$$(A) is literal', env)).toBe('$(A) is literal');
    expect(expandReferences('[$(EMPTY)]', env)).toBe('[]');
    expect(expandReferences('$(A', env)).toBe('$(A');
    expect(expandReferences('$(__proto__)', env)).toBe('$(__proto__)');
  });
});

describe('ContainerPaths', () => {
  const paths = new ContainerPaths('/pods/p/rootfs/c', {
    name: 'c',
    volumeMounts: [
      { name: 'keys', mountPath: '/var/run/keys/' },
      { name: 'work', mountPath: '/work' },
    ],
    terminationMessagePath: '/tmp/msg',
  });

  it('rewrites mount paths and paths below them into the rootfs', () => {
    expect(paths.rewrite('/var/run/keys')).toBe('/pods/p/rootfs/c/var/run/keys');
    expect(paths.rewrite('/var/run/keys/kek')).toBe('/pods/p/rootfs/c/var/run/keys/kek');
    expect(paths.rewrite('/work')).toBe('/pods/p/rootfs/c/work');
    expect(paths.rewrite('/tmp/msg')).toBe('/pods/p/rootfs/c/tmp/msg');
  });

  it('leaves everything else alone', () => {
    expect(paths.rewrite('/workspace')).toBe('/workspace');
    expect(paths.rewrite('/var/run/keys-other')).toBe('/var/run/keys-other');
    expect(paths.rewrite('work')).toBe('work');
    expect(paths.rewrite('http://host/work')).toBe('http://host/work');
    expect(paths.rewrite('/tmp/other')).toBe('/tmp/other');
  });
});

describe('safeRelativePath', () => {
  it.each(['../etc/passwd', 'a/../../b', '/etc/passwd', 'a//b', './a', ''])('rejects %j', (path) => {
    expect(() => safeRelativePath(path, 'volume "v"')).toThrow(/escapes the volume/);
  });
  it('accepts nested relative paths', () => {
    expect(safeRelativePath('a/b/c.json', 'v')).toBe('a/b/c.json');
    expect(safeRelativePath('..data', 'v')).toBe('..data');
  });
});

describe('readLogTail', () => {
  it('returns the last lines within the byte budget', async () => {
    const file = join(dir, 'log');
    await writeFile(file, Array.from({ length: 200 }, (_, i) => `line ${i + 1}`).join('\n'));
    expect((await readLogTail(file, 3, 2048)).split('\n')).toEqual(['line 198', 'line 199', 'line 200']);
    const small = await readLogTail(file, 80, 20);
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(20);
    expect(small.endsWith('line 200')).toBe(true);
    expect(await readLogTail(join(dir, 'missing'), 3, 100)).toBe('');
  });
});
