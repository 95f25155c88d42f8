import { describe, expect, it } from 'vitest';
import { runMain } from './test-io.ts';

describe('main', () => {
  it('documents every command and the exit codes in --help', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'push',
      'approve',
      'reject',
      'promote',
      'rollout',
      'rollback',
      'suspend',
      'resume',
      'status',
      'logs',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    }
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toMatch(/^ {2}4 {2}timed out waiting/m);
  });

  it('prints per-command help with its flags', async () => {
    const r = await runMain(['push', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Usage: kubectl tessera push <dir> --mini-program <name> --version <semver> [flags]',
    );
    expect(r.stdout).toContain('--no-wait');
  });

  it('exits 1 with a hint on usage errors, before touching any kubeconfig', async () => {
    const r = await runMain(['promote', 'hello', '--kubeconfig', '/nonexistent']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('promote takes <mini-program> <version>; got hello');
    expect(r.stderr).toContain('run "kubectl tessera --help" for usage');
  });

  it('exits 2 for an unreadable kubeconfig', async () => {
    const r = await runMain(['status', 'hello', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the kubeconfig file /nonexistent/kubeconfig does not exist');
  });

  it('prints its version', async () => {
    const r = await runMain(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: 'kubectl-tessera 0.1.0\n' });
  });
});
