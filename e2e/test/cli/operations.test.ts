// kubectl-tessera's operations commands against the real API server, run as the real binary:
// abort / retry of a gray rollout, status --watch following live changes, -o wide, and shell
// completion through bash and through kubectl's own plugin completion.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tool } from '../../src/harness/paths.ts';
import { createTestNamespace, kubeconfigPath } from '../../src/harness/testing.ts';
import { CLI, createMiniProgram, createVersion, getObject, json, tessera } from './helpers.ts';

const run = promisify(execFile);
let ns: { name: string; remove: () => Promise<void> };
const n = () => ['-n', ns.name];
const ready = { phase: 'Compiled', approved: true } as const;

beforeAll(async () => {
  ns = await createTestNamespace('cli-ops');
  await createMiniProgram(ns.name, 'transfer', { stableVersion: '1.0.0' });
  await createVersion(ns.name, 'transfer', '1.0.0', ready);
  await createVersion(ns.name, 'transfer', '1.1.0', ready);
});
afterAll(async () => ns?.remove());

describe('abort and retry', () => {
  it('pauses the running rollout with a reason, then resumes it where it stopped', async () => {
    const created = await tessera(['rollout', 'transfer', '1.1.0', '--percent', '30', ...n()]);
    expect(created.code, created.stderr).toBe(0);

    const aborted = await tessera(['abort', 'transfer', '--reason', 'crash rate', ...n(), '-o', 'json']);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(json(aborted)).toMatchObject({
      aborted: [{ grayRule: 'transfer-1.1.0', paused: true }],
      reason: 'crash rate',
    });
    const rule = await getObject(ns.name, 'grayrules', 'transfer-1.1.0');
    expect(rule.spec).toMatchObject({ paused: true, rollout: { percentage: 30 } });
    expect(rule.metadata.annotations?.['tessera.dev/aborted']).toBe('crash rate');

    const shown = await tessera(['status', 'transfer', ...n()]);
    expect(shown.stdout).toMatch(/transfer-1\.1\.0\s+1\.1\.0\s+30%.*aborted \(crash rate\)/);
    const again = await tessera(['abort', 'transfer', ...n()]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('has no running gray rule to abort');

    const retried = await tessera(['retry', 'transfer', ...n(), '-o', 'json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(json(retried)).toMatchObject({ retried: [{ grayRule: 'transfer-1.1.0', changed: true }] });
    const resumed = await getObject(ns.name, 'grayrules', 'transfer-1.1.0');
    expect(resumed.spec).toMatchObject({ paused: false, rollout: { percentage: 30 } });
    expect(resumed.metadata.annotations?.['tessera.dev/aborted']).toBeUndefined();
    // the rollout command still owns (and can change) the rest of the rule
    const widened = await tessera(['rollout', 'transfer', '1.1.0', '--percent', '60', ...n()]);
    expect(widened.code, widened.stderr).toBe(0);

    const unknown = await tessera(['retry', 'transfer', '--rule', 'nope', ...n()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('GrayRule nope does not belong to MiniProgram transfer');
  });
});

describe('status', () => {
  it('-o wide adds digests, sizes, stickiness and user counts', async () => {
    const wide = await tessera(['status', 'transfer', ...n(), '-o', 'wide']);
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/DIGEST\s+SIZE/);
    expect(wide.stdout).toContain('sha256:cccccccccccc');
    expect(wide.stdout).toMatch(/STICKINESS\s+USERS\s+SCHEDULE/);
    const narrow = await tessera(['status', 'transfer', ...n()]);
    expect(narrow.stdout).not.toContain('DIGEST');
  });

  it('--watch shows the status again when the MiniProgram or its rules change, until interrupted', async () => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'status', 'transfer', '--watch', ...n()], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath() },
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!ok()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until('first status', () => out.includes('Stable version:'));
      const frames = () => out.split(/^--- /m).length - 1;
      const before = frames();
      expect(await tessera(['promote', 'transfer', '1.1.0', ...n()])).toMatchObject({ code: 0 });
      await until('redraw after promote', () => frames() > before && /Stable version:\s+1\.1\.0/.test(out));
      const mid = frames();
      expect(await tessera(['abort', 'transfer', '--reason', 'watch test', ...n()])).toMatchObject({
        code: 0,
      });
      await until('redraw after abort', () => frames() > mid && out.includes('aborted (watch test)'));
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  });
});

describe('completion', () => {
  it('prints scripts for bash, zsh and fish and refuses other shells', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await tessera(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('kubectl-tessera __complete');
    }
    const bad = await tessera(['completion', 'tcsh']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('completion supports bash, zsh, fish');
  });

  it('completes commands, flags and live object names in bash', async () => {
    const script = (await tessera(['completion', 'bash'])).stdout;
    const bin = join(REPO_ROOT, 'node_modules', '.bin');
    const complete = async (line: string) => {
      const words = line.split(' ');
      const { stdout } = await run(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kubectl_tessera; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: kubeconfigPath() } },
      );
      return stdout.split('\n').filter(Boolean);
    };
    expect(await complete('kubectl-tessera pro')).toEqual(['promote']);
    expect(await complete('kubectl-tessera status --wa')).toEqual(['--watch']);
    expect(await complete('kubectl-tessera -o w')).toEqual(['wide']);
    expect(await complete(`kubectl-tessera status -n ${ns.name} tr`)).toEqual(['transfer']);
    expect(await complete(`kubectl-tessera promote -n ${ns.name} transfer 1.`)).toEqual(['1.0.0', '1.1.0']);
  });

  it("answers kubectl's plugin completion (kubectl_complete-tessera on PATH)", async () => {
    const bin = join(REPO_ROOT, 'node_modules', '.bin');
    const { stdout } = await run(tool('kubectl'), ['__complete', 'tessera', 'status', '-n', ns.name, ''], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: kubeconfigPath() },
    });
    expect(stdout.split('\n')).toEqual(expect.arrayContaining(['transfer', ':4']));
    // and kubectl runs the plugin itself, as the README's PATH line sets it up
    const plugin = await run(tool('kubectl'), ['tessera', 'status', 'transfer', '-n', ns.name], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: kubeconfigPath() },
    });
    expect(plugin.stdout).toMatch(/Mini-program:\s+transfer/);
  });
});
