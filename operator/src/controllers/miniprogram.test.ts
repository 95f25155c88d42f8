import type { MiniProgramVersion } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { sortNewestFirst } from './miniprogram.ts';

const v = (version: string, name = version) =>
  ({ metadata: { name }, spec: { version } }) as MiniProgramVersion;

describe('sortNewestFirst', () => {
  it('orders by semantic version, not by string', () => {
    const out = sortNewestFirst([v('1.0.9'), v('1.0.10'), v('1.0.0-rc.1'), v('1.0.0'), v('0.9.0')]);
    expect(out.map((x) => x.spec.version)).toEqual(['1.0.10', '1.0.9', '1.0.0', '1.0.0-rc.1', '0.9.0']);
  });
  it('puts unparsable versions last and breaks ties by name', () => {
    const out = sortNewestFirst([v('garbage', 'z'), v('1.0.0', 'b'), v('1.0.0', 'a'), v('', 'y')]);
    expect(out.map((x) => x.metadata.name)).toEqual(['a', 'b', 'y', 'z']);
  });
  it('sorts 1,000 versions', () => {
    const many = Array.from({ length: 1000 }, (_, i) => v(`1.${i % 37}.${i}`));
    const out = sortNewestFirst(many);
    expect(out).toHaveLength(1000);
    expect(out[0]?.spec.version).toBe('1.36.998');
  });
});
