import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKek, generateSigningKeyPair, openPackage } from '@tessera/runtime-sdk/package';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cli } from './cli.ts';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/demo', import.meta.url));
const out = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
afterAll(() => rm(out, { recursive: true, force: true }));

describe('tessera-compile', () => {
  it('writes package files, source maps, a report and encrypted artifacts', async () => {
    const kek = await generateKek();
    const signer = await generateSigningKeyPair();
    await writeFile(join(out, 'kek'), kek.rawBase64);
    await writeFile(join(out, 'signing-key'), signer.privateKeyPkcs8);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await cli([
      FIXTURE,
      '--out',
      join(out, 'build'),
      '--report',
      join(out, 'report.json'),
      '--package',
      '--kek',
      join(out, 'kek'),
      '--kek-id',
      kek.keyId,
      '--signing-key',
      join(out, 'signing-key'),
      '--signing-key-id',
      signer.keyId,
    ]);
    stderr.mockRestore();
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.pages).toContain('pages/index/index');
    expect(await readFile(join(out, 'build/main/pages/index/index.wxml.js'), 'utf8')).toMatch(
      /^__tesseraDefine/,
    );
    expect(
      JSON.parse(await readFile(join(out, 'build/sourcemaps/pages/index/index.js.map'), 'utf8')).version,
    ).toBe(3);
    const pkg = await openPackage(new Uint8Array(await readFile(join(out, 'build/main.tpkg'))), {
      publicKeys: [signer.publicKeySpki],
      kek: kek.rawBase64,
    });
    expect(pkg.paths).toContain('app.manifest.json');
  });

  it('exits 2 with file:line:column on compile errors and 1 on usage errors', async () => {
    const src = await mkdtemp(join(out, 'bad-'));
    await writeFile(join(src, 'app.json'), '{"pages": ["p"]}');
    await writeFile(join(src, 'p.wxml'), '<view>\n  <text>\n</view>');
    await writeFile(join(src, 'p.js'), 'Page({})');
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    expect(await cli([src])).toBe(2);
    expect(await cli([])).toBe(1);
    stderr.mockRestore();
    expect(lines.join('')).toMatch(
      /error: p\.wxml:3:1: closing tag <\/view> does not match <text> opened at 2:3/,
    );
  });
});
