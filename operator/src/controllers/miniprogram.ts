// MiniProgram: validates stableVersion against its versions (it must name a Compiled and
// Approved version, or Ready says exactly why not), reflects suspension, summarises versions.

import type { Controller, Manager, Reconciler } from '@tessera/controller-runtime';
import {
  type ConditionInput,
  enqueueMapped,
  enqueueObject,
  objectKey,
  setConditions,
} from '@tessera/controller-runtime';
import {
  COMPILED_PHASES,
  type MiniProgram,
  type MiniProgramStatus,
  type MiniProgramVersion,
} from '@tessera/crds';
import { compareSemver, parseSemver } from '@tessera/gray';
import { approvalState } from './approval.ts';
import { type ArtifactEvidence, expectedFor } from './artifact-evidence.ts';
import { BY_MINI_PROGRAM, type Informers, MiniProgramResource, tenantForNamespace } from './context.ts';
import { KEY_SECRET_NAME } from './names.ts';
import { revokedSigningKeyIdsOf } from './tenant-keys.ts';
import type { SecretLike } from './types.ts';

const MAX_SUMMARY = 256;
export const COALESCE_MS = 500;

export class MiniProgramReconciler implements Reconciler {
  readonly #mgr: Manager;
  readonly #i: Informers;
  /** null: status is trusted as it is (tests without a store only) */
  readonly #evidence: ArtifactEvidence | null;

  constructor(mgr: Manager, informers: Informers, evidence: ArtifactEvidence | null) {
    this.#mgr = mgr;
    this.#i = informers;
    this.#evidence = evidence;
  }

  register(c: Controller): Controller {
    const i = this.#i;
    const mpKey = (ns: string | undefined, name: string) => [`${ns ?? ''}/${name}`];
    return (
      c
        .watch(i.miniPrograms, enqueueObject)
        // Version and rule events are coalesced: a burst of 1,000 version updates is one summary write.
        .watch(
          i.versions,
          (e) => enqueueMapped(e, (v: MiniProgramVersion) => mpKey(v.metadata.namespace, v.spec.miniProgram)),
          c.enqueueAfter(COALESCE_MS),
        )
        .watch(
          i.grayRules,
          (e) => enqueueMapped(e, (r) => mpKey(r.metadata.namespace, r.spec.miniProgram)),
          c.enqueueAfter(COALESCE_MS),
        )
        .watch(i.tenants, (e) =>
          enqueueMapped(e, (t) =>
            t.status?.namespace ? i.miniPrograms.cache.list(t.status.namespace).map(objectKey) : [],
          ),
        )
    );
  }

  async reconcile(key: string): Promise<undefined> {
    const mp = this.#i.miniPrograms.cache.get(key);
    if (!mp || mp.metadata.deletionTimestamp) return;
    const ns = mp.metadata.namespace ?? '';
    const gen = mp.metadata.generation ?? 0;
    const tenant = tenantForNamespace(this.#i, ns);
    const required = tenant?.spec.reviewPolicy?.requiredRoles;
    const versions = sortNewestFirst(this.#i.versions.cache.byIndex(BY_MINI_PROGRAM, key));
    const isApproved = (v: MiniProgramVersion) => approvalState(required, v.status?.approvals).approved;
    const isCompiled = (v: MiniProgramVersion) =>
      COMPILED_PHASES.has(v.status?.phase ?? '') && v.status?.artifact !== undefined;
    const revoked = tenant ? revokedSigningKeyIdsOf(tenant) : new Set<string>();
    const isSignedByRevokedKey = (v: MiniProgramVersion) => revoked.has(v.status?.artifact?.keyId ?? '');

    const conds: ConditionInput[] = [];
    const ready = (ok: boolean, reason: string, message: string) =>
      conds.push({ type: 'Ready', status: ok ? 'True' : 'False', reason, message, observedGeneration: gen });
    const stable = mp.spec.stableVersion;
    const stableObj = stable ? versions.find((v) => v.spec.version === stable) : undefined;
    const claimsReleasable =
      stableObj !== undefined &&
      isCompiled(stableObj) &&
      !isSignedByRevokedKey(stableObj) &&
      isApproved(stableObj);
    const evidence =
      claimsReleasable && tenant && this.#evidence
        ? await this.#evidence.check(
            stableObj,
            expectedFor(tenant, stableObj, this.#i.secrets.cache.getNamed(ns, KEY_SECRET_NAME) as SecretLike),
          )
        : undefined;
    const refused = evidence && !evidence.ok ? evidence : undefined;
    const releasable = claimsReleasable && !refused;
    if (!tenant) ready(false, 'TenantNotFound', `no Tenant owns namespace ${ns}`);
    else if (mp.spec.suspended)
      ready(
        false,
        'Suspended',
        `taken down everywhere${mp.spec.suspendReason ? `: ${mp.spec.suspendReason}` : ''}`,
      );
    else if (!stable)
      ready(
        false,
        'NoStableVersion',
        'spec.stableVersion is not set; nothing is released to users outside gray rules',
      );
    else if (!stableObj)
      ready(
        false,
        'StableVersionNotFound',
        `spec.stableVersion ${stable} names no MiniProgramVersion of ${mp.metadata.name ?? ''}; create it or pick an existing version`,
      );
    else if (!isCompiled(stableObj))
      ready(
        false,
        'StableVersionNotCompiled',
        `version ${stable} is ${stableObj.status?.phase ?? 'Pending'}, not Compiled`,
      );
    else if (isSignedByRevokedKey(stableObj))
      ready(
        false,
        'StableVersionKeyRevoked',
        `version ${stable} is signed by the revoked signing key ${stableObj.status?.artifact?.keyId}; push it again as a new version (compiled and signed with the current key) and release that`,
      );
    else if (!isApproved(stableObj))
      ready(
        false,
        'StableVersionNotApproved',
        `version ${stable} is waiting for approval by: ${approvalState(required, stableObj.status?.approvals).missing.join(', ')}`,
      );
    else if (refused) ready(false, refused.reason, `version ${stable} is not released: ${refused.message}`);
    else ready(true, 'Released', `version ${stable} is released`);

    const limit = tenant?.spec.quotas?.versionsPerMiniProgram;
    if (limit !== undefined) {
      const over = versions.length > limit;
      conds.push({
        type: 'WithinQuota',
        status: over ? 'False' : 'True',
        reason: over ? 'TooManyVersions' : 'WithinQuota',
        message: over
          ? `${versions.length} versions exceed the tenant limit of ${limit} per mini-program; delete old versions`
          : `${versions.length} of ${limit} versions`,
        observedGeneration: gen,
      });
    }

    const rules = this.#i.grayRules.cache.byIndex(BY_MINI_PROGRAM, key);
    const prev = mp.status ?? {};
    const status: MiniProgramStatus = {
      observedGeneration: gen,
      ...(versions[0] ? { latestVersion: versions[0].spec.version } : {}),
      ...(releasable && !mp.spec.suspended && stable ? { releasedVersion: stable } : {}),
      activeGrayRules: rules.filter((r) => r.status?.active).length,
      versions: versions.slice(0, MAX_SUMMARY).map((v) => ({
        version: v.spec.version,
        phase: v.status?.phase ?? 'Pending',
        approved: isApproved(v),
      })),
      conditions: setConditions(prev.conditions, conds),
    };
    const updated = await this.#mgr.status.update(MiniProgramResource, mp, status);
    if (updated && prev.releasedVersion !== status.releasedVersion) {
      this.#mgr.events.record(
        mp,
        'Normal',
        status.releasedVersion ? 'Released' : 'Unreleased',
        status.releasedVersion ? `version ${status.releasedVersion} is released` : (conds[0]?.message ?? ''),
      );
    }
  }
}

export type { MiniProgram };

/** Newest first by semantic version (parsed once per version), then by name. */
export function sortNewestFirst(versions: MiniProgramVersion[]): MiniProgramVersion[] {
  const keyed = versions.map((v) => ({ v, sv: parseSemver(v.spec.version) }));
  keyed.sort((a, b) => {
    if (a.sv && b.sv) {
      const c = compareSemver(b.sv, a.sv);
      if (c !== 0) return c;
    } else if (a.sv || b.sv) return a.sv ? -1 : 1;
    return (a.v.metadata.name ?? '').localeCompare(b.v.metadata.name ?? '');
  });
  return keyed.map((k) => k.v);
}
