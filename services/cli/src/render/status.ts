// `kubectl tessera status`: one document describing a mini-program's release state, built from
// the MiniProgram, its versions and its gray rules, rendered as tables or emitted as JSON/YAML.

import type {
  Approval,
  Condition,
  GrayCondition,
  GrayRule,
  MiniProgram,
  MiniProgramVersion,
} from '@tessera/crds';
import { compareVersions } from '@tessera/gray';
import { ABORTED_ANNOTATION } from '../kube/resources.ts';
import { age, renderFields, renderTable } from './table.ts';

type ConditionStatus = Condition['status'];

export interface VersionRow {
  name: string;
  version: string;
  phase: string;
  compiled: ConditionStatus | undefined;
  approved: ConditionStatus | undefined;
  approvals: Approval[];
  /** "stable", gray rule names, or nothing. */
  releasedBy: string[];
  artifactDigest: string | undefined;
  size: number | undefined;
  createdAt: string | undefined;
  message: string | undefined;
}

export interface GrayRuleRow {
  name: string;
  version: string;
  percentage: number | undefined;
  priority: number;
  match: string[];
  users: number;
  paused: boolean;
  /** The reason `kubectl tessera abort` recorded, while the rule stays aborted. */
  aborted: string | undefined;
  active: boolean | undefined;
  candidateReady: boolean | undefined;
  stickiness: string | undefined;
  schedule: string | undefined;
}

export interface StatusReport {
  miniProgram: {
    name: string;
    namespace: string;
    appId: string;
    displayName: string;
    stableVersion: string | undefined;
    releasedVersion: string | undefined;
    latestVersion: string | undefined;
    suspended: boolean;
    suspendReason: string | undefined;
    ready: ConditionStatus | undefined;
    readyMessage: string | undefined;
  };
  versions: VersionRow[];
  grayRules: GrayRuleRow[];
}

const condition = (conds: Condition[] | undefined, type: string) => conds?.find((c) => c.type === type);

export function describeCondition(c: GrayCondition): string {
  const op = `${c.inverted ? '!' : ''}${c.operator}${c.caseInsensitive ? '/i' : ''}`;
  return c.values.length === 0 ? `${c.attribute} ${op}` : `${c.attribute} ${op} ${c.values.join(',')}`;
}

function matchSummary(rule: GrayRule): string[] {
  const all = (rule.spec.match?.all ?? []).map(describeCondition);
  const any = rule.spec.match?.any ?? [];
  return any.length > 0 ? [...all, `any(${any.map(describeCondition).join('; ')})`] : all;
}

export function buildStatusReport(
  mp: MiniProgram,
  versions: readonly MiniProgramVersion[],
  rules: readonly GrayRule[],
): StatusReport {
  const stable = mp.spec.stableVersion;
  const grayRules: GrayRuleRow[] = [...rules]
    .sort(
      (a, b) =>
        a.spec.priority - b.spec.priority || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .map((r) => ({
      name: r.metadata.name ?? '',
      version: r.spec.version,
      percentage: r.spec.rollout?.percentage,
      priority: r.spec.priority,
      match: matchSummary(r),
      users: (r.spec.users?.ids?.length ?? 0) + (r.spec.users?.configMapRef ? 1 : 0),
      paused: r.spec.paused,
      aborted: r.metadata.annotations?.[ABORTED_ANNOTATION],
      active: r.status?.active,
      candidateReady: r.status?.candidateReady,
      stickiness: r.spec.rollout?.stickiness,
      schedule:
        r.spec.schedule?.start || r.spec.schedule?.end
          ? `${r.spec.schedule.start ?? ''}..${r.spec.schedule.end ?? ''}`
          : undefined,
    }));
  const rows: VersionRow[] = [...versions]
    .sort((a, b) => compareVersions(b.spec.version, a.spec.version))
    .map((v) => {
      const compiled = condition(v.status?.conditions, 'Compiled');
      const releasedBy = [
        ...(stable === v.spec.version ? ['stable'] : []),
        ...grayRules.filter((r) => r.version === v.spec.version && !r.paused).map((r) => `gray:${r.name}`),
      ];
      return {
        name: v.metadata.name ?? '',
        version: v.spec.version,
        phase: v.status?.phase ?? 'Pending',
        compiled: compiled?.status,
        approved: condition(v.status?.conditions, 'Approved')?.status,
        approvals: v.status?.approvals ?? [],
        releasedBy,
        artifactDigest: v.status?.artifact?.digest,
        size: v.status?.artifact?.size,
        createdAt: v.metadata.creationTimestamp,
        message: compiled?.status === 'False' ? compiled.message : undefined,
      };
    });
  const ready = condition(mp.status?.conditions, 'Ready');
  return {
    miniProgram: {
      name: mp.metadata.name ?? '',
      namespace: mp.metadata.namespace ?? '',
      appId: mp.spec.appId,
      displayName: mp.spec.displayName,
      stableVersion: stable,
      releasedVersion: mp.status?.releasedVersion,
      latestVersion: mp.status?.latestVersion,
      suspended: mp.spec.suspended,
      suspendReason: mp.spec.suspendReason,
      ready: ready?.status,
      readyMessage: ready?.message,
    },
    versions: rows,
    grayRules,
  };
}

function ruleState(r: GrayRuleRow): string {
  if (r.paused && r.aborted !== undefined) return `aborted (${r.aborted})`;
  if (r.paused) return 'paused';
  if (r.active === undefined) return 'pending';
  if (!r.active) return 'inactive';
  return r.candidateReady === false ? 'active (candidate not ready)' : 'active';
}

/** People's view of the report; `wide` adds digests, sizes, stickiness, schedules, user counts. */
export function renderStatus(report: StatusReport, now: number, wide = false): string {
  const m = report.miniProgram;
  const header = renderFields([
    ['Mini-program', `${m.name} (${m.displayName}, appId ${m.appId})`],
    ['Namespace', m.namespace],
    ['Stable version', m.stableVersion ?? ''],
    ['Released version', m.releasedVersion ?? ''],
    ['Suspended', m.suspended ? `yes${m.suspendReason ? ` (${m.suspendReason})` : ''}` : 'no'],
    ['Ready', m.ready ? `${m.ready}${m.readyMessage ? ` (${m.readyMessage})` : ''}` : ''],
  ]);
  const versions =
    report.versions.length === 0
      ? 'No versions: push one with "kubectl tessera push".'
      : renderTable(
          [
            'Version',
            'Name',
            'Phase',
            'Compiled',
            'Approved',
            'Approvals',
            'Used By',
            'Age',
            ...(wide ? ['Digest', 'Size'] : []),
          ],
          report.versions.map((v) => [
            v.version,
            v.name,
            v.phase,
            v.compiled ?? '',
            v.approved ?? '',
            v.approvals
              .map((a) => `${a.role} ${a.decision === 'Rejected' ? 'rejected by' : 'by'} ${a.subject}`)
              .join(', '),
            v.releasedBy.join(', '),
            age(v.createdAt, now),
            ...(wide
              ? [v.artifactDigest?.slice(0, 19) ?? '', v.size === undefined ? '' : String(v.size)]
              : []),
          ]),
        );
  const failures = report.versions
    .filter((v) => v.message)
    .map((v) => `  ${v.version}: ${v.message}`)
    .join('\n');
  const rules =
    report.grayRules.length === 0
      ? 'No gray rules.'
      : renderTable(
          [
            'Name',
            'Version',
            'Percent',
            'Priority',
            'Match',
            'State',
            ...(wide ? ['Stickiness', 'Users', 'Schedule'] : []),
          ],
          report.grayRules.map((r) => [
            r.name,
            r.version,
            r.percentage === undefined ? '100%' : `${r.percentage}%`,
            String(r.priority),
            [...r.match, ...(r.users > 0 ? ['explicit users'] : [])].join(' and '),
            ruleState(r),
            ...(wide ? [r.stickiness ?? '', String(r.users), r.schedule ?? ''] : []),
          ]),
        );
  return [
    header,
    '',
    'VERSIONS',
    versions,
    ...(failures ? ['', 'COMPILE FAILURES', failures] : []),
    '',
    'GRAY RULES',
    rules,
    '',
  ].join('\n');
}
