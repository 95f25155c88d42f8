// Load generator, run as a separate process by launch.ts so that its CPU is not the server's:
// it signs every launch request up front (fresh nonce, HMAC-SHA256, a fresh device ECDH key
// per launch, X25519 unless `curve` is P-256, and the fields runtime-sdk's launcher sends; `wantRelease` models a client that
// also asks for the signed release document, `heldFrom` one that holds the resolved artifact,
// `heldShare` a mix of both), writes them as raw HTTP to a temporary file, and drives them
// with wrk (C; one thread, so it takes at most one of the machine's cores). GET modes send one
// path (the baselines) with the same wrk settings. Prints one JSON line with the figures,
// including the CPU time wrk itself used.

import { spawn } from 'node:child_process';
import { createECDH, createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MiniProgramRelease } from '@tessera/crds';
import { canonicalRequestString } from '@tessera/runtime-sdk/protocol';
import type { Fixture } from './fixture.ts';

export interface LoadConfig {
  url: string;
  /** launch: signed POST /v1/launch as the SDK sends it; get: GET `path` (baselines) */
  mode: 'launch' | 'get';
  path?: string;
  connections: number;
  /** measured run length (wrk) */
  durationSeconds?: number;
  /** instead of a measured run: a warm-up pass of this many launches, sent from Node */
  amount?: number;
  sdkKey?: string;
  sdkSecret?: string;
  appIds?: number;
  listedUsers?: number;
  /** how many signed requests to prepare; beyond that they repeat (and are refused as replays) */
  prepared?: number;
  /** launch: ask for the signed release document (a verifying client; the SDK does not) */
  wantRelease?: boolean;
  /**
   * launch: the device holds the artifact the store resolves (an update check or relaunch of
   * the version held): cachedDigests carries it, read from this fixture file (bench/fixture.ts)
   */
  heldFrom?: string;
  /** with heldFrom: the share of launches that hold the version (the rest are first launches) */
  heldShare?: number;
  /**
   * launch: the device key agreement (default X25519, what the SDK negotiates where the engine
   * has it; P-256: the fallback for older engines)
   */
  curve?: 'X25519' | 'P-256';
}

export interface LoadResult {
  requestsPerSecond: number;
  totalRequests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  wrkThreads: number;
  /** CPU seconds wrk used during the run (user + system), from the shell's `times` */
  wrkCpuSeconds: number;
  seconds: number;
  /** warm-up pass only: answers with `cached: true` (no key wrapped) */
  cachedAnswers?: number;
}

export const WRK_THREADS = 1;
const here = dirname(fileURLToPath(import.meta.url));

interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * The artifact digest of each bench mini-program (app-<i>), from the fixture's signed release
 * documents: stable and candidate share one artifact there, so it is the one any user resolves.
 */
async function heldDigests(fixtureFile: string): Promise<string[]> {
  const f = JSON.parse(await readFile(fixtureFile, 'utf8')) as Fixture;
  const digests: string[] = [];
  for (const cm of f.configMaps) {
    const doc = JSON.parse(cm.data?.['release.json'] ?? '{}') as MiniProgramRelease;
    const n = Number(doc.appId.slice('app-'.length));
    digests[n] = doc.stable?.artifact.digest.replace(/^sha256:/, '') ?? '';
  }
  return digests;
}

/** whether launch n holds the version: spread evenly, e.g. share 0.8 → 4 of every 5 */
const holds = (cfg: LoadConfig, n: number) =>
  Math.floor((n + 1) * (cfg.heldShare ?? 1)) > Math.floor(n * (cfg.heldShare ?? 1));

function signedLaunch(cfg: LoadConfig, n: number, held?: string[]): SignedRequest {
  const apps = cfg.appIds ?? 1;
  const app = (n * 7919) % apps;
  // a fresh device key pair per launch on the negotiated curve, as runtime-sdk's launcher
  // generates one (negotiateDeviceKeyPair / deviceKeyFields)
  const deviceKey =
    cfg.curve === 'P-256'
      ? { devicePublicKey: createECDH('prime256v1').generateKeys('base64') }
      : {
          devicePublicKey: generateKeyPairSync('x25519')
            .publicKey.export({ format: 'raw-public' })
            .toString('base64'),
          deviceKeyCurve: 'X25519',
        };
  // one in ten users is on the imported 100,000-id list; the rest go through the 20 rules
  const userId = n % 10 === 0 ? `listed-${n % (cfg.listedUsers ?? 1)}` : `user-${n}`;
  const body = JSON.stringify({
    appId: `app-${app}`,
    userId,
    attributes: { region: `region-${n % 40}`, appVersion: n % 2 ? '3.2.0' : '3.0.9', age: n % 90 },
    ...deviceKey,
    sdkVersion: '0.1.0',
    platform: 'web',
    ...(held && holds(cfg, n)
      ? { cachedVersions: ['1.0.0'], cachedDigests: [held[app]] }
      : { cachedVersions: [] }),
    ...(cfg.wantRelease ? { wantRelease: true } : {}),
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(18).toString('base64url');
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const signature = createHmac('sha256', cfg.sdkSecret ?? '')
    .update(canonicalRequestString({ method: 'POST', path: '/v1/launch', timestamp, nonce, bodySha256 }))
    .digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-tessera-key': cfg.sdkKey ?? '',
      'x-tessera-timestamp': String(timestamp),
      'x-tessera-nonce': nonce,
      'x-tessera-signature': signature,
    },
  };
}

async function writeRequests(cfg: LoadConfig, file: string): Promise<void> {
  const host = new URL(cfg.url).host;
  const held = cfg.heldFrom ? await heldDigests(cfg.heldFrom) : undefined;
  const out = createWriteStream(file);
  const count = cfg.prepared ?? 100_000;
  for (let n = 0; n < count; n++) {
    const r = signedLaunch(cfg, n, held);
    const head = Object.entries(r.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    if (!out.write(`POST /v1/launch HTTP/1.1\r\nhost: ${host}\r\n${head}\r\n${r.body}\0`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Warm-up pass (not measured): `amount` signed launches over `connections` keep-alive sockets. */
async function warmUp(cfg: LoadConfig, amount: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections });
  let next = 0;
  let ok = 0;
  let failed = 0;
  let cached = 0;
  const held = cfg.heldFrom ? await heldDigests(cfg.heldFrom) : undefined;
  const started = performance.now();
  const send = (r: SignedRequest) =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${cfg.url}/v1/launch`, { method: 'POST', agent, headers: r.headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          if (res.statusCode === 200 && (JSON.parse(body) as { cached?: boolean }).cached) cached++;
          resolve();
        });
      });
      req.on('error', reject);
      req.end(r.body);
    });
  await Promise.all(
    Array.from({ length: cfg.connections }, async () => {
      while (next < amount) await send(signedLaunch(cfg, 1_000_000_000 + next++, held));
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: Math.round(amount / seconds),
    totalRequests: ok + failed,
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    non2xx: failed,
    socketErrors: 0,
    timeouts: 0,
    wrkThreads: 0,
    wrkCpuSeconds: 0,
    seconds,
    cachedAnswers: cached,
  };
}

/** "0m1.230000s" (the shell's `times` format) → seconds */
const shellSeconds = (t: string) => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
};

function runWrk(cfg: LoadConfig, requestsFile: string | undefined): Promise<LoadResult> {
  const args = [
    `-t${WRK_THREADS}`,
    `-c${cfg.connections}`,
    `-d${cfg.durationSeconds ?? 10}s`,
    '--timeout',
    '5s',
    '-s',
    join(here, 'cycle-requests.lua'),
    `${cfg.url}${cfg.path ?? '/'}`,
  ];
  return new Promise((resolve, reject) => {
    // `times` after wrk: the CPU the shell's children (wrk) used
    const wrk = spawn('sh', ['-c', 'wrk "$@"; code=$?; times; exit $code', 'wrk', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WRK_REQUESTS: requestsFile ?? '' },
    });
    let out = '';
    wrk.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    wrk.on('exit', (code) => {
      const lines = out.trim().split('\n');
      const line = lines.find((l) => l.startsWith('{'));
      if (code === 127) {
        return reject(new Error('cannot run wrk; install the Debian package wrk (make system-deps)'));
      }
      if (code !== 0 || !line) return reject(new Error(`wrk exited with ${code}: ${out}`));
      const r = JSON.parse(line) as Record<string, number>;
      const children = (lines[lines.length - 1] ?? '').trim().split(/\s+/);
      const ms = (us: number | undefined) => Math.round((us ?? 0) / 10) / 100;
      const seconds = (r.durationUs ?? 1) / 1e6;
      resolve({
        requestsPerSecond: Math.round((r.requests ?? 0) / seconds),
        totalRequests: r.requests ?? 0,
        p50Ms: ms(r.p50Us),
        p99Ms: ms(r.p99Us),
        maxMs: ms(r.maxUs),
        non2xx: r.non2xx ?? 0,
        socketErrors: r.socketErrors ?? 0,
        timeouts: r.timeouts ?? 0,
        wrkThreads: WRK_THREADS,
        wrkCpuSeconds:
          Math.round((shellSeconds(children[0] ?? '') + shellSeconds(children[1] ?? '')) * 100) / 100,
        seconds,
      });
    });
  });
}

export async function generateLoad(cfg: LoadConfig): Promise<LoadResult> {
  if (cfg.mode === 'get') return runWrk(cfg, undefined);
  if (cfg.amount) return warmUp(cfg, cfg.amount);
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  try {
    const file = join(dir, 'requests');
    await writeRequests(cfg, file);
    // the timestamps were signed while preparing: the run must start within the 5-minute window
    return await runWrk(cfg, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await generateLoad(JSON.parse(process.argv[2] ?? '{}') as LoadConfig);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
