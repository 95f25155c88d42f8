// Review decisions are written to MiniProgramVersion.status.approvals (like CSR approval): read
// the status, check the separation-of-duties rules against what is there, append, replace with
// the read resourceVersion, retry on conflict, so two concurrent decisions are both checked.

import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type Approval, GROUP, type MiniProgramVersion, VERSION } from '@tessera/crds';

export type ApprovalOutcome = 'added' | 'not-found';

/** Throws to refuse the decision, given the version as read (its spec and current approvals). */
export type ApprovalCheck = (version: MiniProgramVersion) => Promise<void> | void;

export interface ApprovalWriter {
  approve(
    namespace: string,
    versionName: string,
    approval: Approval,
    check: ApprovalCheck,
  ): Promise<ApprovalOutcome>;
}

export class KubeApprovalWriter implements ApprovalWriter {
  readonly #api: CustomObjectsApi;
  constructor(kc: KubeConfig) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async approve(
    namespace: string,
    versionName: string,
    approval: Approval,
    check: ApprovalCheck,
  ): Promise<ApprovalOutcome> {
    const ref = {
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'miniprogramversions',
      name: versionName,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      let obj: MiniProgramVersion;
      try {
        obj = (await this.#api.getNamespacedCustomObjectStatus(ref)) as MiniProgramVersion;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return 'not-found';
        throw e;
      }
      await check(obj);
      const approvals = obj.status?.approvals ?? [];
      const body = { ...obj, status: { ...(obj.status ?? {}), approvals: [...approvals, approval] } };
      try {
        await this.#api.replaceNamespacedCustomObjectStatus({ ...ref, body });
        return 'added';
      } catch (e) {
        if ((e as { code?: number }).code === 409) continue;
        throw e;
      }
    }
    throw new Error(
      `could not write the approval to ${namespace}/${versionName}: too many concurrent updates`,
    );
  }
}
