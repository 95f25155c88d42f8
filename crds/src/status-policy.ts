// The ValidatingAdmissionPolicy that keeps status with its owner. RBAC decides who may touch a
// status subresource at all; it cannot say "the store may write approvals and nothing else", nor
// protect status from a role granted too widely. This policy does: a write to the status of any
// Tessera resource is refused unless the caller is a listed operator identity, or a listed
// approver identity (the store) that only adds approvals to a MiniProgramVersion; and only an
// approver changes approvals, so not even the operator's identity can forge them.
//
// The identities are parameters (a ConfigMap named by the binding), so the chart and the test
// harness install this same policy and differ only in who they name.
import { GROUP } from './meta.ts';
import { MiniProgramVersionStatusSchema } from './miniprogramversion.ts';

export const STATUS_POLICY_NAME = 'tessera-status-owners';
/** ConfigMap keys: space-separated Kubernetes usernames. */
export const STATUS_OWNERS_OPERATORS_KEY = 'operators';
export const STATUS_OWNERS_APPROVERS_KEY = 'approvers';

const statusFields = (): string[] =>
  Object.keys((MiniProgramVersionStatusSchema as unknown as { shape: Record<string, unknown> }).shape);

/** Every status field of a MiniProgramVersion except approvals is as it was. */
function unchangedExceptApprovals(): string {
  const fields = statusFields().filter((f) => f !== 'approvals');
  const same = fields
    .map(
      (f) =>
        `(has(object.status.${f}) == has(oldObject.status.${f}) && (!has(object.status.${f}) || object.status.${f} == oldObject.status.${f}))`,
    )
    .join(' && ');
  const absent = fields.map((f) => `!has(object.status.${f})`).join(' && ');
  return `has(oldObject.status) ? (has(object.status) && ${same}) : (!has(object.status) || (${absent}))`;
}

const approvalsUnchanged =
  "request.resource.resource != 'miniprogramversions' || (has(oldObject.status) ? (has(object.status) && has(object.status.approvals) == has(oldObject.status.approvals) && (!has(object.status.approvals) || object.status.approvals == oldObject.status.approvals)) : (!has(object.status) || !has(object.status.approvals)))";

const approvalsKept =
  '!has(oldObject.status) || !has(oldObject.status.approvals) || (has(object.status) && has(object.status.approvals) && oldObject.status.approvals.all(a, a in object.status.approvals))';

export function statusOwnersPolicy(): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: STATUS_POLICY_NAME, labels: { 'app.kubernetes.io/name': 'tessera' } },
    spec: {
      failurePolicy: 'Fail',
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [GROUP],
            apiVersions: ['*'],
            operations: ['UPDATE'],
            resources: ['*/status'],
          },
        ],
      },
      variables: [
        {
          name: 'operator',
          expression: `request.userInfo.username in params.data.${STATUS_OWNERS_OPERATORS_KEY}.split(' ')`,
        },
        {
          name: 'approver',
          expression: `request.userInfo.username in params.data.${STATUS_OWNERS_APPROVERS_KEY}.split(' ')`,
        },
      ],
      validations: [
        {
          expression: 'variables.operator || variables.approver',
          reason: 'Forbidden',
          messageExpression: `'the status of ' + request.resource.resource + ' is written only by the Tessera operator (approvals by the store); ' + request.userInfo.username + ' may change spec, and approve through the store (kubectl tessera approve)'`,
        },
        {
          expression: `variables.operator || (request.resource.resource == 'miniprogramversions' && (${unchangedExceptApprovals()}) && (${approvalsKept}))`,
          reason: 'Forbidden',
          message:
            'the store may only add approvals to the status of a MiniProgramVersion; every other status field is the operator’s',
        },
        {
          expression: `variables.approver || (${approvalsUnchanged})`,
          reason: 'Forbidden',
          message:
            'approvals are added only by the store, after it checked the reviewer may approve (kubectl tessera approve); the operator’s identity may not change them',
        },
      ],
    },
  };
}

/** The binding of the policy to the ConfigMap `namespace/name` naming the owners. */
export function statusOwnersBinding(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: STATUS_POLICY_NAME, labels: { 'app.kubernetes.io/name': 'tessera' } },
    spec: {
      policyName: STATUS_POLICY_NAME,
      validationActions: ['Deny'],
      // no ConfigMap, no status writes: a broken install fails closed
      paramRef: { name, namespace, parameterNotFoundAction: 'Deny' },
    },
  };
}

export function statusOwnersParams(
  namespace: string,
  name: string,
  owners: { operators: readonly string[]; approvers: readonly string[] },
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'tessera' } },
    data: {
      [STATUS_OWNERS_OPERATORS_KEY]: owners.operators.join(' '),
      [STATUS_OWNERS_APPROVERS_KEY]: owners.approvers.join(' '),
    },
  };
}
