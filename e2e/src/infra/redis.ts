// A real, throw-away redis-server for tests and benchmarks, on a random 127.0.0.1 port,
// no persistence. stop() / start() keep the port (failure tests stop Redis mid-test).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort, sleep } from './ports.ts';

const REDIS_SERVER = process.env.TESSERA_REDIS_SERVER ?? '/usr/bin/redis-server';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `redis-server not found at ${REDIS_SERVER}: apt-get install redis-server (or set TESSERA_REDIS_SERVER)`,
    );
  }
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    if (proc) return;
    const child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = child;
    const collect = (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('exit', () => {
      if (proc === child) proc = undefined;
    });
    const deadline = Date.now() + 15_000;
    while (!(await ping(port))) {
      if (!proc) throw new Error(`redis-server exited during start-up: ${log}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING in 15 s: ${log}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const child = proc;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (proc === child) {
      child.kill('SIGKILL');
      await exited;
    }
    proc = undefined;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start, destroy: stop };
}
