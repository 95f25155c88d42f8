import type { Approval } from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { approvalCondition, approvalState } from './approval.ts';

const REQUIRED = ['compliance', 'legal', 'risk'];
let clock = 0;
const approval = (subject: string, role: string, extra: Partial<Approval> = {}): Approval => ({
  subject,
  role,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  ...extra,
});

describe('approvalState', () => {
  it('is satisfied by three distinct reviewers, one per required role', () => {
    const s = approvalState(REQUIRED, [
      approval('alice', 'compliance'),
      approval('bob', 'legal'),
      approval('carol', 'risk'),
    ]);
    expect(s).toEqual({ approved: true, missing: [] });
  });

  it('counts one identity once even when it approved as several roles', () => {
    const s = approvalState(REQUIRED, [
      approval('alice', 'compliance'),
      approval('alice', 'legal'),
      approval('alice', 'risk'),
    ]);
    expect(s.approved).toBe(false);
    expect(s.missing).toEqual(['legal', 'risk']);
  });

  it('counts an identity for its earliest required role, whatever order the status lists', () => {
    const first = approval('alice', 'legal');
    const second = approval('alice', 'compliance');
    const s = approvalState(REQUIRED, [second, approval('bob', 'risk'), first]);
    expect(s.missing).toEqual(['compliance']);
  });

  it('ignores approvals for roles the policy does not require', () => {
    const s = approvalState(
      ['compliance'],
      [approval('alice', 'marketing'), approval('alice', 'compliance')],
    );
    expect(s.approved).toBe(true);
  });

  it('a second approval for an already covered role does not cover another', () => {
    const s = approvalState(REQUIRED, [
      approval('alice', 'compliance'),
      approval('bob', 'compliance'),
      approval('carol', 'legal'),
    ]);
    expect(s.missing).toEqual(['risk']);
  });

  it('a rejection blocks the version even when every role approved', () => {
    const rejection = approval('dave', 'risk', { decision: 'Rejected', comment: 'no data-retention review' });
    const s = approvalState(REQUIRED, [
      approval('alice', 'compliance'),
      approval('bob', 'legal'),
      approval('carol', 'risk'),
      rejection,
    ]);
    expect(s.approved).toBe(false);
    expect(s.rejected).toEqual(rejection);
    expect(approvalCondition(s)).toEqual({
      reason: 'Rejected',
      message: 'rejected by dave as risk: no data-retention review; push a new version',
    });
  });

  it('no required roles: approved unless rejected', () => {
    expect(approvalState(undefined, undefined).approved).toBe(true);
    expect(approvalState([], [approval('a', 'legal', { decision: 'Rejected', comment: 'x' })]).approved).toBe(
      false,
    );
  });

  it('names the missing roles in the waiting condition', () => {
    expect(approvalCondition(approvalState(REQUIRED, [approval('alice', 'legal')]))).toEqual({
      reason: 'AwaitingApproval',
      message: 'waiting for approval by: compliance, risk',
    });
  });
});
