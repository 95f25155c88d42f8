import { describe, expect, it } from 'vitest';
import { matchesSelector } from './selector.ts';

describe('matchesSelector', () => {
  const labels = { team: 'pay', tier: 'gold' };
  it('matches labels and expressions', () => {
    expect(matchesSelector(labels, {})).toBe(true);
    expect(matchesSelector(labels, { matchLabels: { team: 'pay' } })).toBe(true);
    expect(matchesSelector(labels, { matchLabels: { team: 'shop' } })).toBe(false);
    expect(
      matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'x'] }] }),
    ).toBe(true);
    expect(
      matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }),
    ).toBe(false);
    expect(
      matchesSelector(labels, { matchExpressions: [{ key: 'nope', operator: 'NotIn', values: ['gold'] }] }),
    ).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'team', operator: 'Exists' }] })).toBe(true);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] })).toBe(
      false,
    );
  });
  it('does not match inherited properties or unknown operators', () => {
    expect(matchesSelector({}, { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] })).toBe(
      false,
    );
    expect(matchesSelector({}, { matchLabels: { toString: 'x' } })).toBe(false);
    expect(matchesSelector(labels, { matchExpressions: [{ key: 'team', operator: 'Bogus' as 'In' }] })).toBe(
      false,
    );
  });
});
