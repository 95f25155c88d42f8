// kubectl-tessera's release-manager commands against the real API server: promote, rollout,
// rollback, suspend/resume, status and logs, run as the real binary. The operator is played by
// writing /status, which is all these commands read.

import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, kubectl } from '../../src/harness/testing.ts';
import {
  createMiniProgram,
  createVersion,
  getObject,
  json,
  ROLES,
  serviceAccountKubeconfig,
  tessera,
} from './helpers.ts';

let ns: { name: string; remove: () => Promise<void> };
const temp: string[] = [];
const n = () => ['-n', ns.name];

beforeAll(async () => {
  ns = await createTestNamespace('cli-release');
});

afterAll(async () => {
  await Promise.all([ns?.remove(), ...temp.map((p) => rm(p, { recursive: true, force: true }))]);
});

const ready = { phase: 'Compiled', approved: true } as const;

describe('promote', () => {
  it('refuses a version that is not Compiled and Approved, promotes one that is, and records history', async () => {
    await createMiniProgram(ns.name, 'promo');
    await createVersion(ns.name, 'promo', '1.0.0', ready);
    await createVersion(ns.name, 'promo', '1.1.0', {
      phase: 'Compiling',
      message: 'compile Job promo-1.1.0-compile-x is running',
    });

    const refused = await tessera(['promote', 'promo', '1.1.0', ...n()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'refusing to promote promo 1.1.0: not compiled (phase Compiling: compile Job',
    );
    expect(refused.stderr).toContain('--force');

    const missing = await tessera(['promote', 'promo', '9.9.9', ...n()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no version 9.9.9');

    const ok = await tessera(['promote', 'promo', '1.0.0', ...n(), '-o', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok)).toEqual({
      miniProgram: 'promo',
      namespace: ns.name,
      previousStableVersion: null,
      stableVersion: '1.0.0',
    });

    const forced = await tessera(['promote', 'promo', '1.1.0', ...n(), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('miniprogram/promo promoted: stableVersion 1.0.0 -> 1.1.0\n');
    expect(forced.stderr).toContain('warning: promote 1.1.0 with --force');

    const mp = await getObject(ns.name, 'miniprograms', 'promo');
    expect(mp.spec.stableVersion).toBe('1.1.0');
    expect(JSON.parse(mp.metadata.annotations?.['tessera.dev/stable-history'] ?? '[]')).toEqual(['1.0.0']);
    expect(mp.metadata.managedFields?.map((f) => f.manager)).toContain('kubectl-tessera-release');
  });
});

describe('rollback', () => {
  it('returns to the previously released versions in release order, then refuses', async () => {
    await createMiniProgram(ns.name, 'roll');
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await createVersion(ns.name, 'roll', v, ready);
    for (const v of ['1.0.0', '1.2.0', '1.1.0'])
      expect((await tessera(['promote', 'roll', v, ...n()])).code).toBe(0);

    const first = await tessera(['rollback', 'roll', ...n(), '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ previousStableVersion: '1.1.0', stableVersion: '1.2.0' });
    const second = await tessera(['rollback', 'roll', ...n(), '-o', 'json']);
    expect(json(second)).toMatchObject({ previousStableVersion: '1.2.0', stableVersion: '1.0.0' });
    const none = await tessera(['rollback', 'roll', ...n()]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no earlier released version to roll back to; pass --to <version>');

    const to = await tessera(['rollback', 'roll', '--to', '1.2.0', ...n(), '-o', 'yaml']);
    expect(to.code, to.stderr).toBe(0);
    expect(to.stdout).toContain('stableVersion: 1.2.0');
    expect((await getObject(ns.name, 'miniprograms', 'roll')).spec.stableVersion).toBe('1.2.0');
  });

  it('without history falls back to the highest releasable lower version', async () => {
    await createMiniProgram(ns.name, 'gitops', { stableVersion: '1.2.0' });
    await createVersion(ns.name, 'gitops', '1.0.0', ready);
    await createVersion(ns.name, 'gitops', '1.1.0', { phase: 'Failed', message: 'bad wxml' });
    await createVersion(ns.name, 'gitops', '1.2.0', ready);
    const r = await tessera(['rollback', 'gitops', ...n(), '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ previousStableVersion: '1.2.0', stableVersion: '1.0.0' });
  });
});

describe('suspend and resume', () => {
  it('takes a mini-program down and back without touching the stable version', async () => {
    await createMiniProgram(ns.name, 'down');
    await createVersion(ns.name, 'down', '2.0.0', ready);
    const s = await tessera(['suspend', 'down', '--reason', 'incident 42', ...n(), '-o', 'json']);
    expect(s.code, s.stderr).toBe(0);
    expect(json(s)).toMatchObject({ suspended: true, suspendReason: 'incident 42', wasSuspended: false });

    // promote and suspend use separate field managers: a promote must not drop spec.suspended
    expect((await tessera(['promote', 'down', '2.0.0', ...n()])).code).toBe(0);
    let mp = await getObject(ns.name, 'miniprograms', 'down');
    expect(mp.spec).toMatchObject({ suspended: true, suspendReason: 'incident 42', stableVersion: '2.0.0' });

    const r = await tessera(['resume', 'down', ...n()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('miniprogram/down resumed\n');
    mp = await getObject(ns.name, 'miniprograms', 'down');
    expect(mp.spec.suspended).toBe(false);
    expect(mp.spec.suspendReason).toBeUndefined();
    expect(mp.spec.stableVersion).toBe('2.0.0');
  });
});

describe('rollout', () => {
  it('creates a gray rule, widens it keeping its audience, and validates input', async () => {
    await createMiniProgram(ns.name, 'gray');
    await createVersion(ns.name, 'gray', '1.1.0', ready);
    const created = await tessera([
      'rollout',
      'gray',
      '1.1.0',
      '--percent',
      '10',
      '--match',
      'region=In:cn,hk',
      '--match',
      'platform=!Eq/i:ios',
      ...n(),
      '-o',
      'json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(json(created)).toMatchObject({ grayRule: 'gray-1.1.0', created: true, previousPercentage: null });

    const widened = await tessera(['rollout', 'gray', '1.1.0', '--percent', '20', ...n(), '-o', 'json']);
    expect(widened.code, widened.stderr).toBe(0);
    expect(json(widened)).toMatchObject({ created: false, previousPercentage: 10 });
    const rule = await getObject(ns.name, 'grayrules', 'gray-1.1.0');
    expect(rule.spec).toMatchObject({
      miniProgram: 'gray',
      version: '1.1.0',
      rollout: { percentage: 20, stickiness: 'userId' },
      priority: 100,
      match: {
        all: [
          {
            attribute: 'region',
            operator: 'In',
            values: ['cn', 'hk'],
            caseInsensitive: false,
            inverted: false,
          },
          { attribute: 'platform', operator: 'Eq', values: ['ios'], caseInsensitive: true, inverted: true },
        ],
      },
    });

    const bad = await tessera([
      'rollout',
      'gray',
      '1.1.0',
      '--percent',
      '20',
      '--match',
      'region=Like:cn',
      ...n(),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown operator Like');
    const over = await tessera(['rollout', 'gray', '1.1.0', '--percent', '150', ...n()]);
    expect(over.code).toBe(1);
    const missing = await tessera(['rollout', 'gray', '3.0.0', '--percent', '5', ...n()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no version 3.0.0');
  });
});

describe('status', () => {
  it('reports versions, approvals, the stable version and gray rules as JSON, YAML and a table', async () => {
    await createMiniProgram(ns.name, 'stat');
    await createVersion(ns.name, 'stat', '1.0.0', {
      ...ready,
      approvals: [{ role: 'compliance', subject: 'alice', time: '2026-01-01T00:00:00Z' }],
    });
    await createVersion(ns.name, 'stat', '1.1.0', ready);
    await createVersion(ns.name, 'stat', '1.2.0', {
      phase: 'Failed',
      message: 'pages/index/index.wxml:3:7: unclosed <view>',
      errors: [
        { file: 'pages/index/index.wxml', line: 3, column: 7, code: 'E_WXML', message: 'unclosed <view>' },
      ],
    });
    expect((await tessera(['promote', 'stat', '1.0.0', ...n()])).code).toBe(0);
    expect((await tessera(['rollout', 'stat', '1.1.0', '--percent', '25', ...n()])).code).toBe(0);

    const r = await tessera(['status', 'stat', ...n(), '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json<{
      miniProgram: Record<string, unknown>;
      versions: Array<Record<string, unknown>>;
      grayRules: Array<Record<string, unknown>>;
    }>(r);
    expect(doc.miniProgram).toMatchObject({
      name: 'stat',
      namespace: ns.name,
      stableVersion: '1.0.0',
      suspended: false,
    });
    expect(doc.versions.map((v) => [v.version, v.phase, v.compiled, v.approved, v.releasedBy])).toEqual([
      ['1.2.0', 'Failed', 'False', 'False', []],
      ['1.1.0', 'Compiled', 'True', 'True', ['gray:stat-1.1.0']],
      ['1.0.0', 'Compiled', 'True', 'True', ['stable']],
    ]);
    expect(doc.versions[2]?.approvals).toEqual([
      { role: 'compliance', subject: 'alice', time: '2026-01-01T00:00:00Z' },
    ]);
    expect(doc.grayRules).toEqual([
      expect.objectContaining({
        name: 'stat-1.1.0',
        version: '1.1.0',
        percentage: 25,
        priority: 100,
        paused: false,
      }),
    ]);

    const yaml = await tessera(['status', 'stat', ...n(), '-o', 'yaml']);
    expect(yaml.stdout).toContain('stableVersion: 1.0.0');

    const table = await tessera(['status', 'stat', ...n()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^1\.0\.0 +stat-1\.0\.0 +Compiled +True +True +compliance by alice +stable /m,
    );
    expect(table.stdout).toMatch(/^stat-1\.1\.0 +1\.1\.0 +25% +100 +<none> +pending$/m);
    expect(table.stdout).toContain('1.2.0: pages/index/index.wxml:3:7: unclosed <view>');
  });

  it('says which mini-program is missing (exit 2) and when the API server is unreachable (exit 3)', async () => {
    const missing = await tessera(['status', 'nope', ...n()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`MiniProgram nope not found in namespace ${ns.name}`);

    const dead = join(tmpdir(), `tessera-dead-${ns.name}.kubeconfig`);
    temp.push(dead);
    await writeFile(
      dead,
      `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: dead, user: {token: x}}]
contexts: [{name: dead, context: {cluster: dead, user: dead}}]
current-context: dead
`,
    );
    const down = await tessera(['status', 'x', ...n()], { kubeconfig: dead });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach the API server https://127.0.0.1:1');
  });
});

describe('RBAC', () => {
  it("acts with the caller's permissions: a viewer reads status but cannot promote", async () => {
    await createMiniProgram(ns.name, 'rbac');
    await createVersion(ns.name, 'rbac', '1.0.0', { ...ready, compileJob: 'rbac-1-0-0-compile-z' });
    const viewer = await serviceAccountKubeconfig(ns.name, 'viewer', ROLES.viewer);
    temp.push(viewer.dir);
    const status = await tessera(['status', 'rbac', '-o', 'json'], { kubeconfig: viewer.path });
    expect(status.code, status.stderr).toBe(0);
    const promote = await tessera(['promote', 'rbac', '1.0.0'], { kubeconfig: viewer.path });
    expect(promote.code).toBe(3);
    expect(promote.stderr).toContain('forbidden');
    expect(promote.stderr).toContain('ask your tenant admin');
    // logs shows what a viewer may read and says what it may not
    const logs = await tessera(['logs', 'rbac-1.0.0', '-o', 'json'], { kubeconfig: viewer.path });
    expect(logs.code, logs.stderr).toBe(0);
    expect(json<{ phase: string; notes: string[] }>(logs)).toMatchObject({
      phase: 'Compiled',
      notes: [expect.stringContaining('cannot list pods')],
    });
  });
});

describe('logs', () => {
  it("shows the compiler's errors, the compile pod's termination message and the events", async () => {
    await createMiniProgram(ns.name, 'broken');
    const job = 'broken-1-0-0-compile-abc';
    const name = await createVersion(ns.name, 'broken', '1.0.0', {
      phase: 'Failed',
      message: 'pages/index/index.wxml:3:7: unclosed <view>',
      errors: [
        { file: 'pages/index/index.wxml', line: 3, column: 7, code: 'E_WXML', message: 'unclosed <view>' },
      ],
      compileJob: job,
    });
    const pod = `${job}-x1`;
    const created = await kubectl(
      ['create', '-n', ns.name, '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: pod, labels: { 'job-name': job } },
            spec: { containers: [{ name: 'compile', image: 'tessera/compiler:dev' }], nodeName: 'nowhere' },
          },
          {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name: `${name}.compile-failed` },
            involvedObject: {
              kind: 'MiniProgramVersion',
              name,
              namespace: ns.name,
              apiVersion: 'tessera.dev/v1alpha1',
            },
            type: 'Warning',
            reason: 'CompileFailed',
            message: 'pages/index/index.wxml:3:7: unclosed <view>',
            count: 1,
            lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            source: { component: 'tessera-operator' },
          },
        ],
      }),
    );
    expect(created.code, created.stderr).toBe(0);
    // play the pod runner: the compile container exited with the compiler's result as its message
    const patched = await kubectl([
      'patch',
      'pod',
      pod,
      '-n',
      ns.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Failed',
          containerStatuses: [
            {
              name: 'compile',
              image: 'tessera/compiler:dev',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode: 2,
                  reason: 'Error',
                  message: '{"ok":false,"message":"pages/index/index.wxml:3:7: unclosed <view>"}',
                },
              },
            },
          ],
        },
      }),
    ]);
    expect(patched.code, patched.stderr).toBe(0);

    const r = await tessera(['logs', name, ...n(), '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = json<Record<string, unknown>>(r);
    expect(doc).toMatchObject({
      name,
      phase: 'Failed',
      compileJob: job,
      pods: [
        {
          name: `${job}-x1`,
          phase: 'Failed',
          containers: [
            {
              name: 'compile',
              exitCode: 2,
              terminationMessage: '{"ok":false,"message":"pages/index/index.wxml:3:7: unclosed <view>"}',
            },
          ],
        },
      ],
      events: [
        expect.objectContaining({
          type: 'Warning',
          reason: 'CompileFailed',
          object: `miniprogramversion/${name}`,
        }),
      ],
    });

    const table = await tessera(['logs', name, ...n()]);
    expect(table.stdout).toContain(
      'Compiled=False (NotCompiled): pages/index/index.wxml:3:7: unclosed <view>',
    );
    expect(table.stdout).toMatch(/Warning +CompileFailed +miniprogramversion\/broken-1\.0\.0/);
  });
});
