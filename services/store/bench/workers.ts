// Runs a benchmark server as `count` node:cluster workers sharing one port (see
// store-worker.ts), so a launch figure and its baseline are measured with the same shape.
// BENCH_CPU_PROFILE_DIR=<dir>: every worker writes a CPU profile there when it stops.

import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface Workers {
  url: string;
  pids: number[];
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) the processes have used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    // the command name (field 2) may contain spaces: count fields after its closing parenthesis
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

export async function startWorkers(count: number, env: Record<string, string>): Promise<Workers> {
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  cluster.setupPrimary({
    exec: join(here, 'store-worker.ts'),
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const workers: Worker[] = [];
  const urls = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve, reject) => {
          const w = cluster.fork(env);
          workers.push(w);
          w.once('message', (m: { url: string }) => resolve(m.url));
          w.once('exit', (code) => reject(new Error(`benchmark worker exited with ${code}`)));
        }),
    ),
  );
  return {
    url: urls[0] ?? '',
    pids: workers.map((w) => w.process.pid ?? 0),
    stop: async () => {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.isDead()) return resolve();
              w.removeAllListeners('exit');
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
