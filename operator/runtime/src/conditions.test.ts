import { describe, expect, it } from 'vitest';
import { findCondition, isTrue, removeCondition, setCondition, setConditions } from './conditions.ts';

const t1 = () => new Date('2026-01-01T00:00:00.123Z');
const t2 = () => new Date('2026-01-02T00:00:00Z');

describe('conditions', () => {
  it('sets lastTransitionTime on first set, with second precision', () => {
    const c = setCondition([], { type: 'Ready', status: 'False', reason: 'Waiting', message: 'm' }, t1);
    expect(c).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Waiting',
        message: 'm',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
  });
  it('keeps lastTransitionTime when only reason/message change, and moves it when status flips', () => {
    const a = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, t1);
    const b = setCondition(
      a,
      { type: 'Ready', status: 'False', reason: 'B', message: 'b', observedGeneration: 2 },
      t2,
    );
    expect(b[0]?.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(b[0]?.reason).toBe('B');
    expect(b[0]?.observedGeneration).toBe(2);
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'OK', message: '' }, t2);
    expect(c[0]?.lastTransitionTime).toBe('2026-01-02T00:00:00Z');
  });
  it('does not mutate its input and keeps other types in order', () => {
    const a = setConditions(
      [],
      [
        { type: 'A', status: 'True', reason: 'r', message: '' },
        { type: 'B', status: 'True', reason: 'r', message: '' },
      ],
      t1,
    );
    const frozen = Object.freeze([...a]);
    const b = setCondition(frozen, { type: 'A', status: 'False', reason: 'r', message: '' }, t2);
    expect(frozen[0]?.status).toBe('True');
    expect(b.map((c) => c.type)).toEqual(['A', 'B']);
    expect(isTrue(b, 'A')).toBe(false);
    expect(isTrue(b, 'B')).toBe(true);
    expect(findCondition(removeCondition(b, 'A'), 'A')).toBeUndefined();
  });
  it('is idempotent: recomputing the same conditions yields an equal list', () => {
    const input = { type: 'Ready', status: 'True' as const, reason: 'OK', message: 'fine' };
    const a = setCondition(undefined, input, t1);
    expect(setCondition(a, input, t2)).toEqual(a);
  });
});
