// GrayRule: validation the API server cannot do (RE2-safe regular expressions, operator/value
// checks, from @tessera/gray), schedule windows (status.active flips at start and end without an
// edit: the key is requeued for the next boundary), and whether the candidate is releasable.

import type { Controller, Manager, ReconcileResult, Reconciler } from '@tessera/controller-runtime';
import {
  type ConditionInput,
  enqueueMapped,
  enqueueObject,
  enqueueOwner,
  objectKey,
  removeCondition,
  rfc3339,
  setConditions,
} from '@tessera/controller-runtime';
import { GROUP, type GrayRule, type GrayRuleStatus, LABEL_RELEASE } from '@tessera/crds';
import { validateRule } from '@tessera/gray';
import { approvalState } from './approval.ts';
import {
  BY_MINI_PROGRAM,
  BY_USER_LIST,
  GrayRuleResource,
  type Informers,
  tenantForNamespace,
} from './context.ts';
import { COALESCE_MS } from './miniprogram.ts';
import { UserListPublisher } from './user-list.ts';

export class GrayRuleReconciler implements Reconciler {
  readonly #mgr: Manager;
  readonly #i: Informers;
  readonly #now: () => number;
  readonly #userLists: UserListPublisher;

  constructor(mgr: Manager, informers: Informers, now: () => number = Date.now) {
    this.#mgr = mgr;
    this.#i = informers;
    this.#now = now;
    this.#userLists = new UserListPublisher(mgr, informers);
  }

  register(c: Controller): Controller {
    const i = this.#i;
    const rulesOf = (ns: string | undefined, mp: string) =>
      i.grayRules.cache.byIndex(BY_MINI_PROGRAM, `${ns ?? ''}/${mp}`).map(objectKey);
    return (
      c
        .watch(i.grayRules, enqueueObject)
        .watch(
          i.versions,
          (e) => enqueueMapped(e, (v) => rulesOf(v.metadata.namespace, v.spec.miniProgram)),
          c.enqueueAfter(COALESCE_MS),
        )
        .watch(i.miniPrograms, (e) =>
          enqueueMapped(e, (m) => rulesOf(m.metadata.namespace, m.metadata.name ?? '')),
        )
        // An edited user list re-publishes; a deleted published list is written again.
        .watch(i.configMapMeta, (e) =>
          enqueueMapped(e, (cm) =>
            i.grayRules.cache
              .byIndex(BY_USER_LIST, `${cm.metadata?.namespace ?? ''}/${cm.metadata?.name ?? ''}`)
              .map(objectKey),
          ),
        )
        .watch(i.configMaps, (e) => enqueueOwner(e, 'GrayRule', GROUP, true))
        // A rewritten release may have dropped the last reference to an older published list.
        .watch(i.configMaps, (e) =>
          enqueueMapped(e, (cm) =>
            cm.metadata?.labels?.[LABEL_RELEASE] === undefined
              ? []
              : i.grayRules.cache
                  .list(cm.metadata.namespace)
                  .filter((r) => r.status?.userList)
                  .map(objectKey),
          ),
        )
    );
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const rule = this.#i.grayRules.cache.get(key);
    if (!rule || rule.metadata.deletionTimestamp) {
      this.#userLists.forget(key);
      return undefined;
    }
    const gen = rule.metadata.generation ?? 0;
    const ns = rule.metadata.namespace ?? '';
    const now = this.#now();
    const errors = validateRule({
      name: rule.metadata.name ?? '',
      miniProgram: rule.spec.miniProgram,
      version: rule.spec.version,
      priority: rule.spec.priority,
      match: rule.spec.match,
      userIds: rule.spec.users?.ids,
      rollout: rule.spec.rollout,
      schedule: rule.spec.schedule,
      paused: rule.spec.paused,
      hostApps: rule.spec.hostApps,
    });
    const valid = errors.length === 0;
    const start = rule.spec.schedule?.start ? Date.parse(rule.spec.schedule.start) : Number.NaN;
    const end = rule.spec.schedule?.end ? Date.parse(rule.spec.schedule.end) : Number.NaN;
    const beforeStart = !Number.isNaN(start) && now < start;
    const afterEnd = !Number.isNaN(end) && now >= end;
    const next = beforeStart ? start : !afterEnd && !Number.isNaN(end) ? end : undefined;
    const mp = this.#i.miniPrograms.cache.getNamed(ns, rule.spec.miniProgram);
    const active = valid && !rule.spec.paused && !beforeStart && !afterEnd && mp !== undefined;

    const version = this.#i.versions.cache
      .byIndex(BY_MINI_PROGRAM, `${ns}/${rule.spec.miniProgram}`)
      .find((v) => v.spec.version === rule.spec.version);
    const tenant = tenantForNamespace(this.#i, ns);
    const users = await this.#userLists.reconcile(rule, tenant?.metadata.name ?? '');
    const compiled = version?.status?.artifact !== undefined && version.status.phase !== 'Failed';
    const approved = version
      ? approvalState(tenant?.spec.reviewPolicy?.requiredRoles, version.status?.approvals).approved
      : false;
    const candidateReady = compiled && approved;

    const c = (type: string, ok: boolean, reason: string, message: string): ConditionInput => ({
      type,
      status: ok ? 'True' : 'False',
      reason,
      message,
      observedGeneration: gen,
    });
    const whyInactive = !valid
      ? c(
          'Active',
          false,
          'InvalidRule',
          errors
            .map((e) => `${e.path}: ${e.message}`)
            .join('; ')
            .slice(0, 4000),
        )
      : !mp
        ? c(
            'Active',
            false,
            'MiniProgramNotFound',
            `MiniProgram ${ns}/${rule.spec.miniProgram} does not exist`,
          )
        : rule.spec.paused
          ? c('Active', false, 'Paused', 'spec.paused is true')
          : beforeStart
            ? c('Active', false, 'NotStarted', `becomes active at ${rule.spec.schedule?.start ?? ''}`)
            : afterEnd
              ? c('Active', false, 'Ended', `ended at ${rule.spec.schedule?.end ?? ''}`)
              : c('Active', true, 'Active', 'the rule is in effect');
    const conds = [
      c('Valid', valid, valid ? 'Valid' : 'InvalidRule', valid ? 'the rule is valid' : whyInactive.message),
      whyInactive,
      c(
        'CandidateReady',
        candidateReady,
        candidateReady ? 'Ready' : !version ? 'VersionNotFound' : !compiled ? 'NotCompiled' : 'NotApproved',
        candidateReady
          ? `version ${rule.spec.version} is compiled and approved`
          : !version
            ? `no MiniProgramVersion ${rule.spec.version} of ${rule.spec.miniProgram}`
            : `version ${rule.spec.version} is not ${!compiled ? 'compiled' : 'approved'} yet`,
      ),
      c(
        'Ready',
        active && candidateReady,
        active && candidateReady
          ? 'Ready'
          : whyInactive.status === 'True'
            ? 'CandidateNotReady'
            : whyInactive.reason,
        active && candidateReady
          ? 'serving the candidate to matching users'
          : whyInactive.status === 'True'
            ? 'the candidate version is not releasable yet'
            : whyInactive.message,
      ),
      ...(users ? [{ ...users.condition, observedGeneration: gen }] : []),
    ];
    const prev = rule.status ?? {};
    const status: GrayRuleStatus = {
      observedGeneration: gen,
      active,
      candidateReady,
      ...(users?.userList ? { userList: users.userList } : {}),
      ...(next !== undefined && valid ? { nextTransitionTime: rfc3339(new Date(next)) } : {}),
      conditions: setConditions(
        users ? prev.conditions : removeCondition(prev.conditions, 'UsersLoaded'),
        conds,
      ),
    };
    const updated = await this.#mgr.status.update(GrayRuleResource, rule, status);
    if (updated && prev.active !== active) {
      this.#mgr.events.record(rule, 'Normal', active ? 'Activated' : 'Deactivated', whyInactive.message);
    }
    if (updated && !valid && prev.conditions?.find((x) => x.type === 'Valid')?.status !== 'False') {
      this.#mgr.events.record(rule, 'Warning', 'InvalidRule', whyInactive.message);
    }
    if (users?.failure) this.#mgr.events.record(rule, 'Warning', users.failure.reason, users.failure.message);
    else if (users?.userList && users.userList.digest !== prev.userList?.digest)
      this.#mgr.events.record(rule, 'Normal', 'UserListPublished', users.condition.message);
    // Wake up at the next schedule boundary (setTimeout is capped at ~24.8 days).
    return next !== undefined && valid
      ? { requeueAfterMs: Math.min(next - now + 50, 2 ** 31 - 1) }
      : undefined;
  }
}

export type { GrayRule };
