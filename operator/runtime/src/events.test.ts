import { describe, expect, it } from 'vitest';
import { CORRELATION, EventCorrelator } from './events.ts';

const T0 = 1_700_000_000_000;

describe('EventCorrelator', () => {
  it('counts a repeated event on the Event already posted instead of dropping it', () => {
    const c = new EventCorrelator();
    const first = c.decide('uid', 'Normal', 'Released', 'version 1.1.0 is released', T0);
    expect(first).toMatchObject({ action: 'create', message: 'version 1.1.0 is released' });
    if (first.action !== 'create') return;
    c.remember(first.key, { name: 'mp.1', count: 1, firstTimestamp: 't0' });
    const other = c.decide('uid', 'Normal', 'Released', 'version 1.0.0 is released', T0 + 1);
    expect(other.action).toBe('create');
    const again = c.decide('uid', 'Normal', 'Released', 'version 1.1.0 is released', T0 + 2);
    expect(again).toEqual({
      action: 'increment',
      key: first.key,
      record: { name: 'mp.1', count: 1, firstTimestamp: 't0' },
    });
  });

  it('keeps objects, types and reasons apart', () => {
    const c = new EventCorrelator();
    const a = c.decide('a', 'Normal', 'R', 'm', T0);
    if (a.action === 'create') c.remember(a.key, { name: 'a.1', count: 1, firstTimestamp: '' });
    expect(c.decide('b', 'Normal', 'R', 'm', T0).action).toBe('create');
    expect(c.decide('a', 'Warning', 'R', 'm', T0).action).toBe('create');
    expect(c.decide('a', 'Normal', 'S', 'm', T0).action).toBe('create');
    expect(c.decide('a', 'Normal', 'R', 'm', T0).action).toBe('increment');
  });

  it('combines more than 10 similar events (same reason, new messages) into one', () => {
    const c = new EventCorrelator();
    for (let i = 0; i < CORRELATION.similarThreshold; i++) {
      const d = c.decide('uid', 'Warning', 'Failed', `attempt ${i}`, T0 + i);
      expect(d.action).toBe('create');
      if (d.action === 'create') c.remember(d.key, { name: `e${i}`, count: 1, firstTimestamp: '' });
    }
    const eleventh = c.decide('uid', 'Warning', 'Failed', 'attempt 10', T0 + 20);
    expect(eleventh).toMatchObject({
      action: 'create',
      message: '(combined from similar events): attempt 10',
    });
    if (eleventh.action === 'create') c.remember(eleventh.key, { name: 'c', count: 1, firstTimestamp: '' });
    expect(c.decide('uid', 'Warning', 'Failed', 'attempt 11', T0 + 21)).toMatchObject({
      action: 'increment',
      record: { name: 'c' },
    });
    // after the window the similar set starts over
    const later = c.decide('uid', 'Warning', 'Failed', 'attempt 12', T0 + CORRELATION.similarWindowMs + 100);
    expect(later).toMatchObject({ action: 'create', message: 'attempt 12' });
  });

  it('drops a storm beyond the burst and refills one token per interval', () => {
    const c = new EventCorrelator();
    const decisions = Array.from({ length: CORRELATION.spamBurst + 5 }, (_, i) =>
      c.decide('uid', 'Normal', 'R', 'same', T0 + i),
    );
    expect(decisions.filter((d) => d.action === 'drop')).toHaveLength(5);
    expect(c.decide('uid', 'Normal', 'R', 'same', T0 + 100).action).toBe('drop');
    expect(c.decide('uid', 'Normal', 'R', 'same', T0 + CORRELATION.spamRefillMs + 100).action).not.toBe(
      'drop',
    );
    expect(c.decide('other', 'Normal', 'R', 'same', T0 + 100).action).not.toBe('drop');
  });
});
