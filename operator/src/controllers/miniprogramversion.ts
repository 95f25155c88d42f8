// MiniProgramVersion: one compile Job per version, its result in status, and the Compiled,
// Approved, Released and Ready conditions.
//
// Never two Jobs for one version: the Job name is derived from the version's uid, so every
// operator instance (before or after a restart or a leader change) applies the same name and the
// API server refuses a second object under it. Once the result is recorded in status the Job is
// not needed any more (its TTL removes it) and is never recreated.

import type { Controller, Manager, ReconcileResult, Reconciler } from '@tessera/controller-runtime';
import {
  type ConditionInput,
  enqueueMapped,
  enqueueObject,
  enqueueOwner,
  generationChanged,
  jsonEqual,
  objectKey,
  resources,
  setConditions,
  splitKey,
} from '@tessera/controller-runtime';
import {
  GROUP,
  type GrayRule,
  type MiniProgram,
  type MiniProgramVersion,
  type MiniProgramVersionStatus,
  type Tenant,
  type VersionPhase,
} from '@tessera/crds';
import { approvalCondition, approvalState } from './approval.ts';
import { type ArtifactEvidence, expectedFor, type Verdict } from './artifact-evidence.ts';
import { type CompileJobOptions, compileJob, parseCompileResult } from './compile-job.ts';
import { BY_MINI_PROGRAM, type Informers, tenantForNamespace, VersionResource } from './context.ts';
import { compileJobName, KEY_SECRET_NAME, LABEL_MPV } from './names.ts';
import type { Job, Pod, SecretLike } from './types.ts';

type Status = MiniProgramVersionStatus;

/** How often a version waiting for its source ConfigMap looks again. */
const SOURCE_RECHECK_MS = 5_000;

/** How long a finished Job's result pod may lag behind it in the cache before status says so. */
const RESULT_POD_GRACE_MS = 10_000;
/** How soon evidence that could not be read (store unreachable, artifact not uploaded yet) is read again. */
const EVIDENCE_RETRY_MS = 15_000;

export class MiniProgramVersionReconciler implements Reconciler {
  readonly #mgr: Manager;
  readonly #i: Informers;
  readonly #job: CompileJobOptions;
  /** null: status is trusted as it is (tests without a store only) */
  readonly #evidence: ArtifactEvidence | null;

  constructor(mgr: Manager, informers: Informers, job: CompileJobOptions, evidence: ArtifactEvidence | null) {
    this.#mgr = mgr;
    this.#i = informers;
    this.#job = job;
    this.#evidence = evidence;
  }

  register(c: Controller): Controller {
    const i = this.#i;
    const versionsOf = (ns: string | undefined, mp: string) =>
      i.versions.cache.byIndex(BY_MINI_PROGRAM, `${ns ?? ''}/${mp}`).map(objectKey);
    return c
      .watch(i.versions, enqueueObject)
      .watch(i.jobs, (e) => enqueueOwner(e, 'MiniProgramVersion', GROUP, true))
      .watch(i.pods, (e) =>
        enqueueMapped(e, (p: Pod) => {
          const v = p.metadata?.labels?.[LABEL_MPV];
          return v ? [`${p.metadata?.namespace ?? ''}/${v}`] : [];
        }),
      )
      .watch(i.miniPrograms, (e) =>
        enqueueMapped(
          e,
          (m: MiniProgram) => versionsOf(m.metadata.namespace, m.metadata.name ?? ''),
          generationChanged,
        ),
      )
      .watch(i.grayRules, (e) =>
        enqueueMapped(
          e,
          (r: GrayRule) => versionsOf(r.metadata.namespace, r.spec.miniProgram),
          (o, n) => generationChanged(o, n) || o.status?.active !== n.status?.active,
        ),
      )
      .watch(i.tenants, (e) =>
        enqueueMapped(
          e,
          (t: Tenant) => {
            const ns = t.status?.namespace;
            return ns ? i.versions.cache.list(ns).map(objectKey) : [];
          },
          (o, n) =>
            !jsonEqual(o.spec.reviewPolicy, n.spec.reviewPolicy) ||
            o.status?.namespace !== n.status?.namespace,
        ),
      )
      .watch(i.secrets, (e) =>
        enqueueMapped(
          e,
          (s) =>
            s.metadata?.name === KEY_SECRET_NAME && s.metadata.namespace
              ? i.versions.cache.list(s.metadata.namespace).map(objectKey)
              : [],
          () => false, // only the key Secret appearing or disappearing matters
        ),
      );
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const mpv = this.#i.versions.cache.get(key);
    if (!mpv || mpv.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const ns = namespace ?? '';
    const gen = mpv.metadata.generation ?? 0;
    const prev = mpv.status ?? {};
    const status: Status = { ...prev, observedGeneration: gen };
    const conds: ConditionInput[] = [];
    const cond = (type: string, ok: boolean | 'Unknown', reason: string, message: string) =>
      conds.push({
        type,
        status: ok === 'Unknown' ? 'Unknown' : ok ? 'True' : 'False',
        reason,
        message,
        observedGeneration: gen,
      });

    const tenant = tenantForNamespace(this.#i, ns);
    const mp = this.#i.miniPrograms.cache.getNamed(ns, mpv.spec.miniProgram);
    let compiled =
      prev.artifact !== undefined &&
      (prev.phase === 'Compiled' || prev.phase === 'Released' || prev.phase === 'Retired');
    let failed = prev.phase === 'Failed';
    let phase: VersionPhase = prev.phase ?? 'Pending';
    const events: Array<['Normal' | 'Warning', string, string]> = [];
    let sourceMissing = false;

    if (!compiled && !failed) {
      const blocked = !tenant
        ? ['TenantNotFound', `no Tenant owns namespace ${ns}; create a Tenant whose spec.namespace is ${ns}`]
        : !this.#i.secrets.cache.getNamed(ns, KEY_SECRET_NAME)
          ? ['TenantKeysMissing', `waiting for the tenant key Secret ${ns}/${KEY_SECRET_NAME}`]
          : !mp
            ? [
                'MiniProgramNotFound',
                `MiniProgram ${ns}/${mpv.spec.miniProgram} does not exist; create it first`,
              ]
            : undefined;
      const jobName = compileJobName(mpv.metadata.name ?? '', mpv.metadata.uid ?? '');
      const live = this.#i.jobs.cache.getNamed(ns, jobName);
      // A missing source ConfigMap is reported at once rather than by a Job that cannot mount it.
      // Source ConfigMaps are the tenant's own (not watched): a requeue notices one appearing.
      const missingSource = !blocked && !live ? await this.#missingSourceConfigMap(mpv, ns) : undefined;
      if (missingSource) sourceMissing = true;
      if (blocked || missingSource || !tenant) {
        phase = 'Pending';
        const [reason, message] =
          blocked ?? (missingSource ? ['SourceNotFound', missingSource] : ['Pending', '']);
        cond('Compiled', false, reason ?? 'Pending', message ?? '');
        if (missingSource) events.push(['Warning', 'SourceNotFound', missingSource]);
      } else {
        // A Job's template is immutable: an existing Job is used as is, never re-applied.
        const { object: job, changed } = live
          ? { object: live, changed: false }
          : await this.#mgr.applier.apply<Job>(
              resources.Jobs,
              compileJob(mpv, tenant, jobName, this.#job, mp ? { appId: mp.spec.appId } : undefined),
              live,
            );
        if (changed && !live) events.push(['Normal', 'CompileStarted', `created compile Job ${jobName}`]);
        status.compileJob = jobName;
        const finished = job.status?.conditions?.find(
          (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
        );
        if (!finished) {
          phase = 'Compiling';
          cond('Compiled', false, 'Compiling', `compile Job ${jobName} is running`);
        } else {
          const pod = this.#resultPod(ns, jobName, finished.type === 'Complete');
          const msg = pod ? terminationMessage(pod) : undefined;
          // The Job and Pod watches are separate streams: the Job may be seen finished before its
          // pod's final status. Wait for the pod event instead of writing an interim status (one
          // write per version instead of two); the requeue covers a pod that never shows up.
          const finishedAt = Date.parse(finished.lastTransitionTime ?? '');
          if (msg === undefined && !(Date.now() - finishedAt > RESULT_POD_GRACE_MS))
            return { requeueAfterMs: RESULT_POD_GRACE_MS };
          const result = parseCompileResult(msg);
          if (finished.type === 'Complete' && result.ok) {
            compiled = true;
            status.artifact = result.artifact;
            if (result.warnings?.length) status.warnings = result.warnings;
            else delete status.warnings;
            delete status.errors;
            events.push(['Normal', 'Compiled', `compiled ${mpv.spec.version}: ${result.artifact.digest}`]);
          } else if (finished.type === 'Complete' && !pod) {
            // The result pod is not in the cache yet; its event will bring us back.
            phase = 'Compiling';
            cond('Compiled', false, 'ReadingResult', `compile Job ${jobName} finished; reading its result`);
          } else {
            failed = true;
            const message = result.ok
              ? `compile Job ${jobName} failed: ${finished.reason ?? ''} ${finished.message ?? ''}`.trim()
              : result.message;
            if (!result.ok && 'errors' in result && result.errors) status.errors = result.errors;
            status.errors ??= [
              { file: '', code: finished.reason ?? 'CompileFailed', message: message.slice(0, 1024) },
            ];
            delete status.artifact;
            const reason = status.errors.some((e) => e.code === 'SourceNotFound')
              ? 'SourceNotFound'
              : 'CompileFailed';
            cond('Compiled', false, reason, message.slice(0, 4096));
            events.push(['Warning', reason, message.slice(0, 1024)]);
          }
        }
      }
    }
    if (compiled) cond('Compiled', true, 'Compiled', `artifact ${status.artifact?.digest ?? ''}`);
    if (failed && !conds.some((c) => c.type === 'Compiled')) {
      cond('Compiled', false, 'CompileFailed', findMessage(prev) ?? 'the compile Job failed');
    }

    const approval = approvalState(tenant?.spec.reviewPolicy?.requiredRoles, prev.approvals);
    const approvedCondition = approvalCondition(approval);
    cond('Approved', approval.approved, approvedCondition.reason, approvedCondition.message);
    const wasRejected = prev.conditions?.some((c) => c.type === 'Approved' && c.reason === 'Rejected');
    if (approval.rejected && !wasRejected)
      events.push(['Warning', 'Rejected', approvedCondition.message.slice(0, 1024)]);

    const releasedBy = this.#releasedBy(mpv, mp);
    // A referenced version is released only when its artifact proves what status claims.
    const refused: Verdict | undefined =
      this.#evidence && tenant && compiled && approval.approved && releasedBy.length > 0
        ? await this.#evidence.check(
            mpv,
            expectedFor(tenant, mpv, this.#i.secrets.cache.getNamed(ns, KEY_SECRET_NAME) as SecretLike),
          )
        : undefined;
    const evidenceFailed = refused !== undefined && !refused.ok ? refused : undefined;
    if (evidenceFailed) {
      const message = `not released: ${evidenceFailed.message}`.slice(0, 4096);
      cond('Released', false, evidenceFailed.reason, message);
      cond('Ready', false, evidenceFailed.reason, message);
      if (prev.conditions?.find((c) => c.type === 'Ready')?.reason !== evidenceFailed.reason)
        events.push(['Warning', 'ArtifactRefused', message.slice(0, 1024)]);
    }
    const releasable = compiled && approval.approved && !evidenceFailed;
    const released = releasable && releasedBy.length > 0;
    if (!evidenceFailed) {
      cond(
        'Released',
        released,
        released
          ? 'Released'
          : releasedBy.length === 0
            ? 'NotReferenced'
            : compiled
              ? approval.rejected
                ? 'Rejected'
                : 'NotApproved'
              : 'NotCompiled',
        released
          ? `released by ${releasedBy.join(', ')}`
          : releasedBy.length === 0
            ? mp?.spec.suspended
              ? `MiniProgram ${mpv.spec.miniProgram} is suspended`
              : `not the stableVersion of MiniProgram ${mpv.spec.miniProgram} and no active GrayRule names it`
            : approval.rejected
              ? `referenced by ${releasedBy.join(', ')} but ${approvedCondition.message}`
              : `referenced by ${releasedBy.join(', ')} but not ${compiled ? 'approved' : 'compiled'} yet`,
      );
      cond(
        'Ready',
        releasable,
        releasable
          ? 'Ready'
          : compiled
            ? approval.rejected
              ? 'Rejected'
              : 'AwaitingApproval'
            : failed
              ? 'CompileFailed'
              : 'NotCompiled',
        releasable ? 'compiled and approved' : 'not compiled and approved yet',
      );
    }

    if (compiled)
      phase = released
        ? 'Released'
        : prev.phase === 'Released' || prev.phase === 'Retired'
          ? 'Retired'
          : 'Compiled';
    else if (failed) phase = 'Failed';
    status.phase = phase;
    status.conditions = setConditions(prev.conditions, conds);

    const updated = await this.#mgr.status.update(VersionResource, mpv, status);
    if (updated)
      for (const [type, reason, message] of events) this.#mgr.events.record(mpv, type, reason, message);
    if (sourceMissing) return { requeueAfterMs: SOURCE_RECHECK_MS };
    return evidenceFailed && !evidenceFailed.final ? { requeueAfterMs: EVIDENCE_RETRY_MS } : undefined;
  }

  /** Why the version's source ConfigMap cannot be read, or undefined (no such source, or it exists). */
  async #missingSourceConfigMap(mpv: MiniProgramVersion, ns: string): Promise<string | undefined> {
    const name = mpv.spec.source.configMap?.name;
    if (!name || (await this.#mgr.client.get(resources.ConfigMaps, ns, name))) return undefined;
    return `source ConfigMap ${ns}/${name} does not exist; create it (kubectl create configmap ${name} -n ${ns} --from-file=...) or fix spec.source.configMap.name`;
  }

  #resultPod(ns: string, jobName: string, succeeded: boolean): Pod | undefined {
    const pods = this.#i.pods.cache.byIndex('job', `${ns}/${jobName}`);
    const want = succeeded ? 'Succeeded' : 'Failed';
    return (
      pods.find((p) => p.status?.phase === want) ?? pods.find((p) => terminationMessage(p) !== undefined)
    );
  }

  /** Who releases this version: the MiniProgram's stableVersion and/or active GrayRules. */
  #releasedBy(mpv: MiniProgramVersion, mp: MiniProgram | undefined): string[] {
    if (!mp || mp.spec.suspended) return [];
    const out: string[] = [];
    if (mp.spec.stableVersion === mpv.spec.version)
      out.push(`MiniProgram ${mp.metadata.name ?? ''} (stableVersion)`);
    const rules = this.#i.grayRules.cache.byIndex(BY_MINI_PROGRAM, objectKey(mp));
    for (const r of rules) {
      if (r.spec.version === mpv.spec.version && r.status?.active)
        out.push(`GrayRule ${r.metadata.name ?? ''}`);
    }
    return out.sort();
  }
}

function terminationMessage(pod: Pod): string | undefined {
  for (const c of pod.status?.containerStatuses ?? []) {
    const m = c.state?.terminated?.message ?? c.lastState?.terminated?.message;
    if (m) return m;
  }
  return undefined;
}

function findMessage(s: Status): string | undefined {
  return s.conditions?.find((c) => c.type === 'Compiled')?.message;
}
