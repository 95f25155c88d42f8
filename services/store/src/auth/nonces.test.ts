import { describe, expect, it } from 'vitest';
import { epochStart, MemoryNonceStore, newEpochId } from './nonces.ts';
import { ReplayEpochs } from './replay-epochs.ts';

describe('replay epochs', () => {
  it('epoch ids carry their start and are unique per reset', () => {
    const a = newEpochId(1_700_000_000_123);
    const b = newEpochId(1_700_000_000_123);
    expect(a).not.toBe(b);
    expect(epochStart(a)).toBe(1_700_000_000_123);
    for (const junk of [
      '',
      'x',
      '1.',
      '.abcdefabcdefabcd',
      '1.ABCDEFABCDEFABCD',
      `${'9'.repeat(16)}.abcdefabcdefabcd`,
      '1.abcdefabcdefabcd; flushall',
    ])
      expect(epochStart(junk), junk).toBeNaN();
  });

  it('the in-process store reports one epoch per process and refuses a nonce twice', async () => {
    const s = new MemoryNonceStore();
    const first = await s.reserve('k', 'n'.repeat(16), 600);
    const again = await s.reserve('k', 'n'.repeat(16), 600);
    expect(first.fresh).toBe(true);
    expect(again).toEqual({ fresh: false, epoch: first.epoch });
    expect(epochStart(first.epoch)).toBeLessThanOrEqual(Date.now());
    expect((await new MemoryNonceStore().reserve('k', 'n'.repeat(16), 600)).epoch).not.toBe(first.epoch);
  });

  it('refuses a clock-ahead allowance outside 0–300 s and a malformed epoch id', () => {
    const pool = {} as never;
    expect(() => new ReplayEpochs(pool, -1)).toThrow(/0 to 300/);
    expect(() => new ReplayEpochs(pool, 301)).toThrow(/0 to 300/);
    expect(() => new ReplayEpochs(pool, 1.5)).toThrow(/whole number/);
    expect(() => new ReplayEpochs(pool, 30).floor('garbage')).toThrow(/malformed replay epoch id "garbage"/);
  });
});
