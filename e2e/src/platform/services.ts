import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/paths.ts';
import { killPidsNow, sleep, startProcess, stopPids } from '../harness/processes.ts';

/** A platform component running as its own Node process, as it would in a pod. */
export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts `node <entry>` (relative to the repo) with the given environment; output goes to a log file. */
export function startNodeService(
  name: string,
  entry: string,
  env: Record<string, string>,
  logDir: string,
): ServiceProcess {
  const logFile = join(logDir, `${name}.log`);
  const child = startProcess(process.execPath, [join(REPO_ROOT, entry)], logFile, false, {
    ...process.env,
    ...env,
  });
  // a parent that exits before stop() (a deadline, a crash) takes the service with it
  const onExit = () => child.pid && killPidsNow([child.pid]);
  process.on('exit', onExit);
  return {
    name,
    child,
    logFile,
    stop: async () => {
      if (child.pid) await stopPids([child.pid], 10_000);
      process.off('exit', onExit);
    },
  };
}

/** Waits until GET url answers 200, failing early (with the log tail) if the process exits. */
export async function waitForHttpOk(service: ServiceProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(
        `${service.name} exited with code ${service.child.exitCode}:\n${await logTail(service)}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${await res.text().catch(() => '')}`.slice(0, 300);
      if (res.ok) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(150);
  }
  throw new Error(
    `${service.name} not ready at ${url} after ${timeoutMs} ms (last: ${last}):\n${await logTail(service)}`,
  );
}

export async function logTail(service: ServiceProcess, lines = 30): Promise<string> {
  const text = await readFile(service.logFile, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}
