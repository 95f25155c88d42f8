import type { Approval } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from '../http/problem.ts';
import { checkReview, type ReviewedVersion } from './rules.ts';

const at = '2026-01-01T00:00:00Z';
const version = (approvals: Approval[] = [], pushers: string[] = ['ci']): ReviewedVersion => ({
  name: 'shop-1-0-0',
  approvals,
  pushers,
});

function refusal(fn: () => void): { status: number; code: string; detail: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpProblem) return { status: e.status, code: e.code, detail: e.message };
    throw e;
  }
  throw new Error('the review was not refused');
}

describe('checkReview', () => {
  it('lets a reviewer who did not push approve', () => {
    expect(() =>
      checkReview(version(), { subject: 'alice', role: 'compliance', decision: 'Approved' }),
    ).not.toThrow();
  });

  it('refuses the pusher an approval (403) but lets it reject its own version', () => {
    const r = refusal(() =>
      checkReview(version([], ['alice']), { subject: 'alice', role: 'legal', decision: 'Approved' }),
    );
    expect(r.status).toBe(403);
    expect(r.detail).toBe(
      'alice pushed the source of shop-1-0-0 and may not approve it; ask another reviewer holding legal',
    );
    expect(() =>
      checkReview(version([], ['alice']), { subject: 'alice', role: 'legal', decision: 'Rejected' }),
    ).not.toThrow();
  });

  it('refuses a second review role to an identity that already decided (403)', () => {
    const r = refusal(() =>
      checkReview(version([{ subject: 'alice', role: 'compliance', time: at }]), {
        subject: 'alice',
        role: 'legal',
        decision: 'Approved',
      }),
    );
    expect(r.status).toBe(403);
    expect(r.detail).toContain('one identity decides for one review role');
    expect(r.detail).toContain('ask another reviewer holding legal');
  });

  it('answers a repeated decision with 409 duplicate-approval', () => {
    const r = refusal(() =>
      checkReview(version([{ subject: 'alice', role: 'legal', time: at }]), {
        subject: 'alice',
        role: 'legal',
        decision: 'Approved',
      }),
    );
    expect([r.status, r.code]).toEqual([409, 'duplicate-approval']);
  });

  it('refuses approvals after a rejection, naming who rejected and why', () => {
    const rejected: Approval = {
      subject: 'bob',
      role: 'risk',
      time: at,
      decision: 'Rejected',
      comment: 'no fraud review',
    };
    const r = refusal(() =>
      checkReview(version([rejected]), { subject: 'carol', role: 'legal', decision: 'Approved' }),
    );
    expect([r.status, r.code]).toEqual([409, 'version-rejected']);
    expect(r.detail).toBe(
      'shop-1-0-0 was rejected by bob as risk (no fraud review) and cannot be approved; push a new version',
    );
    expect(() =>
      checkReview(version([rejected]), { subject: 'carol', role: 'legal', decision: 'Rejected' }),
    ).not.toThrow();
  });
});
