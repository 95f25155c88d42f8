// STORE_WORKERS > 1: the store runs as that many worker processes sharing one listening port
// (node:cluster). Each worker is a complete replica (own informer, pools, caches), so this is the
// same "any number of replicas" shape as several pods, only inside one pod: it lets one pod use
// more than one core. Shared state stays where it is for replicas: PostgreSQL and Redis.

import cluster from 'node:cluster';

export interface WorkerSupervisor {
  stop(): Promise<void>;
}

/** Restarts a worker that exits unexpectedly, at most this often. */
const RESTART_DELAY_MS = 1000;

/**
 * In the primary: forks `workers` processes running the same entrypoint and restarts those that
 * die. Returns null in a worker (the caller then starts the store itself).
 */
export function superviseWorkers(
  workers: number,
  log: (message: string, fields: Record<string, unknown>) => void,
): WorkerSupervisor | null {
  if (!cluster.isPrimary) return null;
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log('store worker exited; starting another', { pid: worker.process.pid, code, signal });
    setTimeout(fork, RESTART_DELAY_MS).unref();
  });
  for (let i = 0; i < workers; i++) fork();
  return {
    stop: async () => {
      stopping = true;
      const running = Object.values(cluster.workers ?? {});
      await Promise.all(
        running.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (!w || w.isDead()) return resolve();
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
