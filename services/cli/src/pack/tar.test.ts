import { describe, expect, it } from 'vitest';
import { splitUstarPath, writeTar } from './tar.ts';

describe('splitUstarPath', () => {
  it('keeps short paths in the name field', () => {
    expect(splitUstarPath('pages/index/index.wxml')?.prefix.length).toBe(0);
  });

  it('moves leading directories into the prefix when the path is over 100 bytes', () => {
    const path = `${'dir/'.repeat(30)}file.js`;
    const split = splitUstarPath(path);
    expect(split && `${split.prefix.toString()}/${split.name.toString()}`).toBe(path);
    expect(split?.name.length).toBeLessThanOrEqual(100);
  });

  it('gives up when a single name is over 100 bytes or the total over 255', () => {
    expect(splitUstarPath(`a/${'x'.repeat(101)}`)).toBeUndefined();
    expect(splitUstarPath(`${'d'.repeat(150)}/${'e'.repeat(150)}/f`)).toBeUndefined();
  });
});

describe('writeTar', () => {
  it('pads contents to 512-byte blocks and ends with two zero blocks', () => {
    const tar = writeTar([{ path: 'a.txt', data: new TextEncoder().encode('hello') }]);
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(0, 5).toString()).toBe('a.txt');
    expect(tar.subarray(257, 262).toString()).toBe('ustar');
    expect(tar.subarray(512, 517).toString()).toBe('hello');
    expect(tar.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it('writes a valid header checksum', () => {
    const tar = writeTar([{ path: 'x', data: new Uint8Array(0) }]);
    const header = Buffer.from(tar.subarray(0, 512));
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(0x20, 148, 156);
    expect(header.reduce((s, b) => s + b, 0)).toBe(stored);
  });
});
