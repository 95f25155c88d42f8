import { describe, expect, it } from 'vitest';
import { tar, tgz, zip } from '../testing/archives.ts';
import { DEFAULT_UNPACK_LIMITS, UnpackError, type UnpackErrorCode, type UnpackLimits } from './limits.ts';
import { unpackArchive } from './unpack.ts';

const dec = new TextDecoder();
const limits = (over: Partial<UnpackLimits> = {}): UnpackLimits => ({ ...DEFAULT_UNPACK_LIMITS, ...over });

function code(fn: () => unknown): UnpackErrorCode | 'none' {
  try {
    fn();
  } catch (e) {
    if (e instanceof UnpackError) return e.code;
    throw e;
  }
  return 'none';
}

const app = [
  { name: 'app.json', data: '{"pages":["pages/a/a"]}' },
  { name: 'pages/a/a.wxml', data: '<view/>' },
];

describe('unpacking source archives', () => {
  it('reads tar, tar.gz and zip, stripping a single top-level folder', () => {
    for (const bytes of [
      tar(app),
      tgz(app),
      zip(app),
      tar(app.map((e) => ({ ...e, name: `myapp/${e.name}` }))),
    ]) {
      const tree = unpackArchive(bytes, limits());
      expect([...tree.keys()].sort()).toEqual(['app.json', 'pages/a/a.wxml']);
      expect(dec.decode(tree.get('pages/a/a.wxml'))).toBe('<view/>');
    }
    expect([
      ...unpackArchive(
        zip([
          { name: './x/', data: '' },
          { name: './x/y.txt', data: 'y', store: true },
        ]),
        limits(),
      ).keys(),
    ]).toEqual(['x/y.txt']);
  });

  it('rejects path traversal and absolute paths', () => {
    expect(code(() => unpackArchive(tar([{ name: '../evil', data: 'x' }]), limits()))).toBe(
      'ARCHIVE_TRAVERSAL',
    );
    expect(code(() => unpackArchive(tar([{ name: 'a/../../evil', data: 'x' }]), limits()))).toBe(
      'ARCHIVE_TRAVERSAL',
    );
    expect(code(() => unpackArchive(zip([{ name: '..\\evil', data: 'x' }]), limits()))).toBe(
      'ARCHIVE_TRAVERSAL',
    );
    expect(code(() => unpackArchive(tar([{ name: '/etc/passwd', data: 'x' }]), limits()))).toBe(
      'ARCHIVE_ABSOLUTE_PATH',
    );
    expect(code(() => unpackArchive(zip([{ name: 'C:/x', data: 'x' }]), limits()))).toBe(
      'ARCHIVE_ABSOLUTE_PATH',
    );
  });

  it('rejects symlinks, hard links and device files', () => {
    expect(
      code(() => unpackArchive(tar([{ name: 'l', type: '2', linkname: '/etc/passwd' }]), limits())),
    ).toBe('ARCHIVE_LINK');
    expect(code(() => unpackArchive(tar([{ name: 'h', type: '1', linkname: 'app.json' }]), limits()))).toBe(
      'ARCHIVE_LINK',
    );
    expect(code(() => unpackArchive(tar([{ name: 'dev', type: '3' }]), limits()))).toBe(
      'ARCHIVE_SPECIAL_FILE',
    );
    expect(code(() => unpackArchive(tar([{ name: 'fifo', type: '6' }]), limits()))).toBe(
      'ARCHIVE_SPECIAL_FILE',
    );
    expect(
      code(() =>
        unpackArchive(zip([{ name: 'l', data: '/etc/passwd', mode: 0o120777, store: true }]), limits()),
      ),
    ).toBe('ARCHIVE_LINK');
    expect(
      code(() => unpackArchive(zip([{ name: 'd', data: '', mode: 0o020644, store: true }]), limits())),
    ).toBe('ARCHIVE_SPECIAL_FILE');
  });

  it('enforces file count, total size and single file size', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
    expect(code(() => unpackArchive(zip(many), limits({ maxFiles: 10 })))).toBe('ARCHIVE_TOO_MANY_FILES');
    expect(code(() => unpackArchive(tar(many), limits({ maxFiles: 10 })))).toBe('ARCHIVE_TOO_MANY_FILES');
    const big = [
      { name: 'a', data: 'x'.repeat(600) },
      { name: 'b', data: 'y'.repeat(600) },
    ];
    expect(code(() => unpackArchive(tar(big), limits({ maxTotalBytes: 1000 })))).toBe('ARCHIVE_TOO_LARGE');
    expect(code(() => unpackArchive(zip(big), limits({ maxFileBytes: 500 })))).toBe('ARCHIVE_TOO_LARGE');
    expect(code(() => unpackArchive(tar(big), limits({ maxArchiveBytes: 100 })))).toBe('ARCHIVE_TOO_LARGE');
    expect(
      code(() =>
        unpackArchive(
          tar([
            { name: 'a', data: '1' },
            { name: 'a', data: '2' },
          ]),
          limits(),
        ),
      ),
    ).toBe('ARCHIVE_DUPLICATE');
  });

  it('rejects decompression bombs by ratio, declared size and actual output', () => {
    const zeros = new Uint8Array(4 * 1024 * 1024);
    expect(code(() => unpackArchive(zip([{ name: 'bomb', data: zeros }]), limits()))).toBe('ARCHIVE_RATIO');
    // Lying header: declares 10 bytes, inflates to 4 MiB → stopped at the declared size.
    expect(
      code(() =>
        unpackArchive(zip([{ name: 'liar', data: zeros, declaredSize: 10 }]), limits({ maxRatio: 1e9 })),
      ),
    ).toBe('ARCHIVE_TOO_LARGE');
    // gzip bomb: output is capped at ratio × input before the tar is parsed.
    expect(code(() => unpackArchive(tgz([{ name: 'z', data: zeros }]), limits()))).toBe('ARCHIVE_RATIO');
    expect(
      code(() =>
        unpackArchive(
          tgz([{ name: 'z', data: zeros }]),
          limits({ maxRatio: 1e6, maxTotalBytes: 1024 * 1024 }),
        ),
      ),
    ).toBe('ARCHIVE_TOO_LARGE');
  });

  it('rejects corrupt, encrypted and unknown archives', () => {
    const good = zip(app);
    const corrupt = good.slice();
    corrupt[40] = (corrupt[40] ?? 0) ^ 0xff;
    expect(code(() => unpackArchive(corrupt, limits()))).toBe('ARCHIVE_FORMAT');
    expect(code(() => unpackArchive(zip([{ name: 'x', data: 'secret', encrypted: true }]), limits()))).toBe(
      'ARCHIVE_ENCRYPTED',
    );
    expect(code(() => unpackArchive(new TextEncoder().encode('just text'), limits()))).toBe('ARCHIVE_FORMAT');
    const badTar = tar(app);
    badTar[130] = 0x39; // size field no longer octal / checksum broken
    expect(code(() => unpackArchive(badTar, limits()))).toBe('ARCHIVE_FORMAT');
    expect(code(() => unpackArchive(tar(app).subarray(0, 700), limits()))).toBe('ARCHIVE_FORMAT');
  });
});
