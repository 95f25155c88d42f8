// A real, throw-away PostgreSQL 15 server for tests and benchmarks: initdb into a temp dir,
// postgres on a random 127.0.0.1 port, trust auth for user `tessera`. PostgreSQL refuses to
// run as root, so when we are root the server runs as the `postgres` OS user.
//
// stop() / start() keep the data directory (failure tests stop the database mid-test);
// destroy() stops it and removes everything.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './ports.ts';

/** TESSERA_PG_BIN, else PostgreSQL 15, else the newest /usr/lib/postgresql/<n>/bin. */
function pgBin(): string {
  if (process.env.TESSERA_PG_BIN) return process.env.TESSERA_PG_BIN;
  if (existsSync('/usr/lib/postgresql/15/bin/postgres')) return '/usr/lib/postgresql/15/bin';
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return `/usr/lib/postgresql/${versions[0] ?? '15'}/bin`;
}
const PG_BIN = pgBin();

export interface PostgresServer {
  /** postgres://tessera@127.0.0.1:<port>/tessera */
  url: string;
  port: number;
  dataDir: string;
  /** stops the server, keeping data */
  stop(): Promise<void>;
  /** (re)starts a stopped server on the same port */
  start(): Promise<void>;
  /** stops and deletes the data directory */
  destroy(): Promise<void>;
}

function runAsIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function startPostgres(options: { database?: string } = {}): Promise<PostgresServer> {
  if (!existsSync(join(PG_BIN, 'postgres'))) {
    throw new Error(
      `PostgreSQL binaries not found in ${PG_BIN}: apt-get install postgresql-15 (or set TESSERA_PG_BIN)`,
    );
  }
  const ids = runAsIds();
  const root = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const dataDir = join(root, 'data');
  if (ids) chownSync(root, ids.uid, ids.gid);
  const spawnOpts = { ...(ids ?? {}), stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  await new Promise<void>((resolve, reject) => {
    const p = spawn(
      join(PG_BIN, 'initdb'),
      ['-D', dataDir, '-U', 'tessera', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
      spawnOpts,
    );
    let err = '';
    p.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`initdb failed (${code}): ${err.slice(-2000)}`)),
    );
  });
  const port = await freePort();
  const database = options.database ?? 'tessera';
  let proc: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    if (proc) return;
    log = '';
    const child = spawn(
      join(PG_BIN, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-h',
        '127.0.0.1',
        '-k',
        root,
        '-c',
        'fsync=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
        '-c',
        'shared_buffers=64MB',
      ],
      spawnOpts,
    );
    proc = child;
    child.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8000);
    });
    child.stdout?.resume();
    child.on('exit', () => {
      if (proc === child) proc = undefined;
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!proc) throw new Error(`postgres exited during start-up: ${log}`);
      try {
        execFileSync(
          join(PG_BIN, 'pg_isready'),
          ['-h', '127.0.0.1', '-p', String(port), '-U', 'tessera', '-q'],
          {
            stdio: 'ignore',
          },
        );
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`postgres did not become ready in 30 s: ${log}`);
        await sleep(100);
      }
    }
  };

  const stop = async () => {
    const child = proc;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGINT'); // fast shutdown: aborts sessions, like a crash from the client's view
    await Promise.race([exited, sleep(15_000)]);
    if (proc === child) {
      child.kill('SIGKILL');
      await exited;
    }
    proc = undefined;
  };

  await start();
  execFileSync(join(PG_BIN, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'tessera', database], {
    stdio: 'pipe',
  });
  return {
    url: `postgres://tessera@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
