/**
 * The README's commands, executed exactly as written, so they cannot rot: the quick start
 * (`make demo`, until its page answers, then Ctrl-C) and the control-plane walkthrough.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/harness/paths.ts';
import { freePort } from '../../src/harness/processes.ts';

/** The first ```sh block after a README heading. */
async function readmeBlock(heading: string): Promise<string> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README.md has no section "## ${heading}"`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block?.[1]) throw new Error(`README.md section "${heading}" has no sh block`);
  return block[1];
}

function runBash(script: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('README', () => {
  it('quick start: make demo serves the page, and Ctrl-C stops everything it started', async () => {
    const script = await readmeBlock('Quick start');
    expect(script.trim()).toBe('make demo');
    const port = await freePort();
    const { child, output } = runBash(script, { TESSERA_DEMO_PORT: String(port) });
    try {
      const deadline = Date.now() + 400_000;
      while (!output().includes('demo page ready') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(output(), output()).toContain(`demo page ready: http://127.0.0.1:${port}/`);
      // The lines the README shows, in the same order.
      for (const line of [
        'CRDs established',
        'tenant ready',
        'pushed transfer 1.0.0',
        'pushed branches 2.1.0',
        'approved all versions',
      ]) {
        expect(output()).toContain(line);
      }
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Example Bank Mobile');
      const config = (await (await fetch(`http://127.0.0.1:${port}/config.json`)).json()) as {
        appIds: string[];
      };
      expect(config.appIds).toEqual(['bank-transfer', 'bank-branches']);
    } finally {
      // Ctrl-C reaches make and the demo (same process group).
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    }
    const interrupted = Date.now();
    await exited(child);
    expect(output()).toContain('stopping everything the demo started');
    // how long the stop took, as the demo measured it (printed; tests assert no wall-clock time)
    expect(output()).toMatch(/stopped in \d+\.\d s|killing what is left/);
    console.log(`make demo stopped ${((Date.now() - interrupted) / 1000).toFixed(1)} s after Ctrl-C`);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  }, 600_000);

  it('control plane walkthrough: runs as written', async () => {
    const script = await readmeBlock('A real control plane on your laptop');
    // Its own state directory: a cluster the developer started with make cluster-up is neither
    // reused nor stopped by this test.
    const stateDir = await mkdtemp(join(tmpdir(), 'tessera-readme-'));
    const { child, output } = runBash(script, { TESSERA_STATE_DIR: stateDir });
    const code = await exited(child);
    expect(code, output()).toBe(0);
    expect(output()).toMatch(/miniprogramversion\.tessera\.dev\/transfer-1\.1\.0\s+transfer\s+1\.1\.0/);
    expect(output()).toContain('exactly one of upload, url or configMap');
    expect(output()).toMatch(/Mini-program:\s+transfer/);
    expect(output()).toMatch(/stopped 1 cluster/);
    await rm(stateDir, { recursive: true, force: true });
  }, 300_000);
});
