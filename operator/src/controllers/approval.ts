// Review decisions are written by the store (after a SubjectAccessReview of verb `approve` on
// reviewroles/<role>, and refusing the version's pusher); the operator checks them against the
// tenant's review policy, so a status written some other way still cannot satisfy it alone.
//
// Separation of duties: each identity counts for at most one required role, its earliest
// approval for a required role. Counting it once (rather than refusing the version) keeps the
// policy deterministic when one person legitimately holds two review roles: they still cover one,
// and a second person must cover the other.
import type { Approval } from '@tessera/crds';

export interface ApprovalState {
  approved: boolean;
  missing: string[];
  /** the first rejection, when there is one: it blocks the release of this version for good */
  rejected?: Approval;
}

const byTime = (a: Approval, b: Approval) => a.time.localeCompare(b.time);

export function approvalState(
  requiredRoles: readonly string[] | undefined,
  approvals: readonly Approval[] | undefined,
): ApprovalState {
  const required = new Set(requiredRoles ?? []);
  const decisions = [...(approvals ?? [])].sort(byTime);
  const rejected = decisions.find((a) => a.decision === 'Rejected');
  const covered = new Set<string>();
  const counted = new Set<string>();
  for (const a of decisions) {
    if (a.decision === 'Rejected' || !required.has(a.role)) continue;
    if (counted.has(a.subject) || covered.has(a.role)) continue;
    counted.add(a.subject);
    covered.add(a.role);
  }
  const missing = [...required].filter((r) => !covered.has(r)).sort();
  return {
    approved: missing.length === 0 && !rejected,
    missing,
    ...(rejected ? { rejected } : {}),
  };
}

/** The Approved condition's reason and message for a state. */
export function approvalCondition(s: ApprovalState): { reason: string; message: string } {
  if (s.rejected) {
    const r = s.rejected;
    return {
      reason: 'Rejected',
      message: `rejected by ${r.subject} as ${r.role}: ${r.comment ?? ''}; push a new version`,
    };
  }
  return s.approved
    ? { reason: 'Approved', message: 'the review policy is satisfied' }
    : { reason: 'AwaitingApproval', message: `waiting for approval by: ${s.missing.join(', ')}` };
}
