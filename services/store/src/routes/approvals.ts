// Approvals are written to MiniProgramVersion.status.approvals (like CSR approval): read the
// status, append, replace with the read resourceVersion, retry on conflict.

import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type Approval, GROUP, VERSION } from '@tessera/crds';

export type ApprovalOutcome = 'added' | 'duplicate' | 'not-found';

export interface ApprovalWriter {
  approve(namespace: string, versionName: string, approval: Approval): Promise<ApprovalOutcome>;
}

interface StatusObject {
  metadata?: { resourceVersion?: string };
  status?: { approvals?: Approval[] } & Record<string, unknown>;
}

export class KubeApprovalWriter implements ApprovalWriter {
  readonly #api: CustomObjectsApi;
  constructor(kc: KubeConfig) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  async approve(namespace: string, versionName: string, approval: Approval): Promise<ApprovalOutcome> {
    const ref = {
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'miniprogramversions',
      name: versionName,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      let obj: StatusObject;
      try {
        obj = (await this.#api.getNamespacedCustomObjectStatus(ref)) as StatusObject;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return 'not-found';
        throw e;
      }
      const approvals = obj.status?.approvals ?? [];
      if (approvals.some((a) => a.subject === approval.subject && a.role === approval.role))
        return 'duplicate';
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
