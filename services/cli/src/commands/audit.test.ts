import { describe, expect, it } from 'vitest';
import { sinceTime } from './audit.ts';

describe('audit --since', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('takes a duration back from now or an RFC 3339 time', () => {
    expect(sinceTime('2h', now)).toBe('2026-12-07T10:00:00.000Z');
    expect(sinceTime('90s', now)).toBe('2026-12-07T11:58:30.000Z');
    expect(sinceTime('2026-12-01T08:00:00+01:00', now)).toBe('2026-12-01T07:00:00.000Z');
  });
  it('says what it expects for anything else', () => {
    expect(() => sinceTime('yesterday', now)).toThrow(
      /give a duration such as 30m or 2h, or an RFC 3339 time/,
    );
    expect(() => sinceTime('2026-13-45T99:00:00Z', now)).toThrow(/not an RFC 3339 time/);
  });
});
