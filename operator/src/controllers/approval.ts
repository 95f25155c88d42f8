// Approvals are written by the store (after an RBAC check of verb `approve`); the operator only
// checks them against the tenant's review policy.
import type { Approval } from '@tessera/crds';

export interface ApprovalState {
  approved: boolean;
  missing: string[];
}

export function approvalState(
  requiredRoles: readonly string[] | undefined,
  approvals: readonly Approval[] | undefined,
): ApprovalState {
  const given = new Set((approvals ?? []).map((a) => a.role));
  const missing = [...new Set(requiredRoles ?? [])].filter((r) => !given.has(r)).sort();
  return { approved: missing.length === 0, missing };
}
