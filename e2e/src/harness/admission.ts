// The admission policies the chart installs (crds/policies, the chart's copy is checked equal),
// bound here to the harness identities: the operator and the store run with the same admin
// kubeconfig, so that user is both the operator and an approver; the store's chart identity is
// named as an approver and its operator identity as an operator, so tests can impersonate a
// store that is only an approver and an operator that is not one.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { statusOwnersBinding, statusOwnersParams } from '@tessera/crds';
import { REPO_ROOT, tool } from './paths.ts';

const exec = promisify(execFile);

export const POLICY_DIR = join(REPO_ROOT, 'crds', 'policies');
/** The harness's admin user (its client certificate's CN): the operator's and the store's identity. */
export const HARNESS_OPERATOR_USER = 'tessera-admin';
/** What the chart names as the approver with its defaults (release tessera in tessera-system). */
export const HARNESS_APPROVER_USER = 'system:serviceaccount:tessera-system:tessera-store';
/** What the chart names as the operator with its defaults: an operator that is not an approver. */
export const HARNESS_OPERATOR_ONLY_USER = 'system:serviceaccount:tessera-system:tessera-operator';
const PARAMS = { namespace: 'default', name: 'tessera-status-owners' };

export async function installAdmissionPolicies(kubeconfig: string): Promise<void> {
  const kubectl = tool('kubectl');
  const base = ['--kubeconfig', kubeconfig, 'apply', '--server-side', '--force-conflicts'];
  await exec(kubectl, [...base, '-f', POLICY_DIR]);
  const params = statusOwnersParams(PARAMS.namespace, PARAMS.name, {
    operators: [HARNESS_OPERATOR_USER, HARNESS_OPERATOR_ONLY_USER],
    approvers: [HARNESS_OPERATOR_USER, HARNESS_APPROVER_USER],
  });
  const binding = statusOwnersBinding(PARAMS.namespace, PARAMS.name);
  const child = execFile(kubectl, [...base, '-f', '-']);
  const done = new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`applying the status-owners binding failed: ${err}`)),
    );
  });
  child.stdin?.end(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [params, binding] }));
  await done;
}
