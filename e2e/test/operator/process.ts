// Runs the real operator entrypoint (operator/src/main.ts) as a child process, for restart and
// leader-election tests. Each process gets its own health/metrics port.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../operator/src/main.ts', import.meta.url));

export interface OperatorProcess {
  child: ChildProcess;
  identity: string;
  port: number;
  output: () => string;
  metric: (name: string) => Promise<number>;
  exited: Promise<number | null>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `env` must include KUBECONFIG. */
export async function spawnOperator(identity: string, env: Record<string, string>): Promise<OperatorProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      POD_NAME: identity,
      TESSERA_STORE_URL: 'http://127.0.0.1:9/store',
      TESSERA_HEALTH_ADDR: `127.0.0.1:${port}`,
      TESSERA_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const metric = async (name: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  };
  return { child, identity, port, output: () => out, metric, exited };
}

export async function kill(p: OperatorProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}
