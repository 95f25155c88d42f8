import {
  type GrayRule,
  GrayRuleSchema,
  type MiniProgram,
  MiniProgramSchema,
  type MiniProgramVersion,
  MiniProgramVersionSchema,
} from '@tessera/crds';
import { describe, expect, it } from 'vitest';
import { buildStatusReport, renderStatus } from './status.ts';
import { age, renderTable } from './table.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const cond = (type: string, status: 'True' | 'False', message = '') => ({
  type,
  status,
  reason: status === 'True' ? type : `Not${type}`,
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

const mp: MiniProgram = MiniProgramSchema.parse({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'MiniProgram',
  metadata: { name: 'hello', namespace: 'tessera-acme' },
  spec: { appId: 'wxhello', displayName: 'Hello', stableVersion: '1.0.0' },
  status: { releasedVersion: '1.0.0', conditions: [cond('Ready', 'True', 'released 1.0.0')] },
});

function version(
  v: string,
  phase: string,
  compiled: boolean,
  approved: boolean,
  extra: object = {},
): MiniProgramVersion {
  return MiniProgramVersionSchema.parse({
    apiVersion: 'tessera.dev/v1alpha1',
    kind: 'MiniProgramVersion',
    metadata: { name: `hello-${v}`, namespace: 'tessera-acme', creationTimestamp: '2025-12-31T23:55:00Z' },
    spec: { miniProgram: 'hello', version: v, source: { configMap: { name: 'src' } } },
    status: {
      phase,
      conditions: [
        cond(
          'Compiled',
          compiled ? 'True' : 'False',
          compiled ? '' : 'pages/index/index.wxml:3:7: unclosed <view>',
        ),
        cond('Approved', approved ? 'True' : 'False'),
      ],
      ...extra,
    },
  });
}

const rule: GrayRule = GrayRuleSchema.parse({
  apiVersion: 'tessera.dev/v1alpha1',
  kind: 'GrayRule',
  metadata: { name: 'hello-1.1.0', namespace: 'tessera-acme' },
  spec: {
    miniProgram: 'hello',
    version: '1.1.0',
    rollout: { percentage: 10 },
    match: { all: [{ attribute: 'region', operator: 'In', values: ['cn', 'hk'] }] },
  },
  status: { active: true, candidateReady: true },
});

const versions = [
  version('1.0.0', 'Released', true, true, {
    approvals: [{ role: 'compliance', subject: 'alice', time: '2026-01-01T00:00:00Z' }],
  }),
  version('1.2.0', 'Failed', false, false),
  version('1.1.0', 'Released', true, true),
];

describe('buildStatusReport', () => {
  it('orders versions newest first and says what releases each', () => {
    const r = buildStatusReport(mp, versions, [rule]);
    expect(r.versions.map((v) => [v.version, v.releasedBy])).toEqual([
      ['1.2.0', []],
      ['1.1.0', ['gray:hello-1.1.0']],
      ['1.0.0', ['stable']],
    ]);
    expect(r.grayRules[0]).toMatchObject({
      name: 'hello-1.1.0',
      percentage: 10,
      match: ['region In cn,hk'],
      active: true,
    });
    expect(r.miniProgram).toMatchObject({ stableVersion: '1.0.0', suspended: false, ready: 'True' });
  });
});

describe('renderStatus', () => {
  it('renders aligned tables with approvals, rules and compile failures', () => {
    const text = renderStatus(buildStatusReport(mp, versions, [rule]), T0);
    expect(text).toBe(
      [
        'Mini-program:      hello (Hello, appId wxhello)',
        'Namespace:         tessera-acme',
        'Stable version:    1.0.0',
        'Released version:  1.0.0',
        'Suspended:         no',
        'Ready:             True (released 1.0.0)',
        '',
        'VERSIONS',
        'VERSION   NAME          PHASE      COMPILED   APPROVED   APPROVALS             USED BY            AGE',
        '1.2.0     hello-1.2.0   Failed     False      False      <none>                <none>             5m',
        '1.1.0     hello-1.1.0   Released   True       True       <none>                gray:hello-1.1.0   5m',
        '1.0.0     hello-1.0.0   Released   True       True       compliance by alice   stable             5m',
        '',
        'COMPILE FAILURES',
        '  1.2.0: pages/index/index.wxml:3:7: unclosed <view>',
        '',
        'GRAY RULES',
        'NAME          VERSION   PERCENT   PRIORITY   MATCH             STATE',
        'hello-1.1.0   1.1.0     10%       100        region In cn,hk   active',
        '',
      ].join('\n'),
    );
  });

  it('says what to do when there is nothing yet', () => {
    const text = renderStatus(
      buildStatusReport(
        { ...mp, spec: { ...mp.spec, suspended: true, suspendReason: 'incident 42' } },
        [],
        [],
      ),
      T0,
    );
    expect(text).toContain('Suspended:         yes (incident 42)');
    expect(text).toContain('No versions: push one with "kubectl tessera push".');
    expect(text).toContain('No gray rules.');
  });
});

describe('table helpers', () => {
  it('pads columns, marks empty cells and trims trailing space', () => {
    expect(
      renderTable(
        ['a', 'long header'],
        [
          ['xyz', ''],
          ['1', '2'],
        ],
      ),
    ).toBe(['A     LONG HEADER', 'xyz   <none>', '1     2'].join('\n'));
  });

  it('formats ages like kubectl', () => {
    expect(age('2026-01-01T00:00:00Z', T0 + 59_000)).toBe('59s');
    expect(age('2026-01-01T00:00:00Z', T0 + 600_000)).toBe('10m');
    expect(age('2026-01-01T00:00:00Z', T0 + 5 * 3_600_000)).toBe('5h');
    expect(age('2026-01-01T00:00:00Z', T0 + 3 * 86_400_000)).toBe('3d');
    expect(age(undefined, T0)).toBe('');
  });
});
