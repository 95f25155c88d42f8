// Separation of duties for review decisions, checked by the store before it writes one to a
// version's status (the operator counts approvals by the same one-identity-one-role rule).
//
// - A reviewer decides only for review roles they hold (a SubjectAccessReview, done by the route).
// - The identity that pushed the version's source may not approve it (it may reject it).
// - One identity decides for one review role per version: holding two roles, it still covers one,
//   so every required role is covered by a different person.
// - After a rejection the version cannot be approved any more; a new version starts over.

import type { Approval } from '@tessera/crds';
import { HttpProblem, problems } from '../http/problem.ts';

export interface ReviewRequest {
  subject: string;
  role: string;
  decision: 'Approved' | 'Rejected';
}

export interface ReviewedVersion {
  name: string;
  approvals: readonly Approval[];
  /** identities that uploaded the version's source to the store */
  pushers: readonly string[];
}

/** Throws the HTTP problem that refuses the decision, or returns when it may be recorded. */
export function checkReview(v: ReviewedVersion, r: ReviewRequest): void {
  if (r.decision === 'Approved' && v.pushers.includes(r.subject)) {
    throw problems.forbidden(
      `${r.subject} pushed the source of ${v.name} and may not approve it; ask another reviewer holding ${r.role}`,
    );
  }
  const own = v.approvals.filter((a) => a.subject === r.subject);
  const same = own.find((a) => a.role === r.role);
  if (same) {
    throw problems.conflict(
      'duplicate-approval',
      `${r.subject} already ${verb(same)} ${v.name} as ${r.role}`,
    );
  }
  const other = own[0];
  if (other) {
    throw problems.forbidden(
      `${r.subject} already ${verb(other)} ${v.name} as ${other.role}; one identity decides for one review role, so ask another reviewer holding ${r.role}`,
    );
  }
  const rejection = v.approvals.find((a) => a.decision === 'Rejected');
  if (rejection && r.decision === 'Approved') {
    throw new HttpProblem(
      409,
      'version-rejected',
      `${v.name} was rejected by ${rejection.subject} as ${rejection.role} (${rejection.comment ?? ''}) and cannot be approved; push a new version`,
    );
  }
}

const verb = (a: Approval) => (a.decision === 'Rejected' ? 'rejected' : 'approved');
