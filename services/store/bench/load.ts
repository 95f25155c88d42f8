// Load generator, run as a separate process by run.ts: autocannon against one URL, every
// launch request freshly signed (new nonce, HMAC-SHA256) so replay protection is exercised.
// Prints one JSON line with the figures.

import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { canonicalRequestString } from '@tessera/runtime-sdk/protocol';
import autocannon from 'autocannon';

interface LoadConfig {
  url: string;
  /**
   * launch-cold: every request from a device/app pair not seen before (ECDH re-wrap each time);
   * launch-warm: a population of devices relaunching their three usual mini-programs
   */
  mode: 'launch-cold' | 'launch-warm' | 'hello';
  devices?: number;
  durationSeconds: number;
  connections: number;
  sdkKey?: string;
  sdkSecret?: string;
  appIds?: number;
  listedUsers?: number;
  /** stop after this many requests instead of after durationSeconds (warm-up passes) */
  amount?: number;
  /** releaseDigest per app index: warm devices already hold the signed release document */
  releaseDigests?: string[];
  /** how many signed requests to prepare; beyond that they repeat (and are refused as replays) */
  prepared?: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as LoadConfig;
let counter = 0;

function rawPublicKey(): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const xy = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  return xy.toString('base64');
}
const devices = Array.from({ length: cfg.mode === 'hello' ? 0 : (cfg.devices ?? 1000) }, rawPublicKey);
const apps = cfg.appIds ?? 1;

// Requests are signed before the clock starts so the generator's own HMAC work does not cap
// the measured rate; every request still carries a unique nonce and a fresh timestamp.
function signedLaunch(n: number) {
  let app: number;
  let device: number;
  if (cfg.mode === 'launch-cold') {
    app = n % apps;
    device = Math.floor(n / apps) % devices.length;
  } else {
    device = n % devices.length;
    app = (device * 7 + (Math.floor(n / devices.length) % 3)) % apps;
  }
  // one in ten users is on an imported 100,000-id list; the rest go through the 20 rules
  const userId = n % 10 === 0 ? `listed-${n % (cfg.listedUsers ?? 1)}` : `user-${n}`;
  const body = JSON.stringify({
    appId: `app-${app}`,
    userId,
    attributes: { region: `region-${n % 40}`, appVersion: n % 2 ? '3.2.0' : '3.0.9', age: n % 90 },
    devicePublicKey: devices[device],
    ...(cfg.mode === 'launch-warm' && cfg.releaseDigests ? { releaseDigest: cfg.releaseDigests[app] } : {}),
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(18).toString('base64url');
  const bodySha256 = createHash('sha256').update(body).digest('hex');
  const signature = createHmac('sha256', cfg.sdkSecret ?? '')
    .update(canonicalRequestString({ method: 'POST', path: '/v1/launch', timestamp, nonce, bodySha256 }))
    .digest('hex');
  return {
    method: 'POST',
    path: '/v1/launch',
    body,
    headers: {
      'content-type': 'application/json',
      'x-tessera-key': cfg.sdkKey ?? '',
      'x-tessera-timestamp': String(timestamp),
      'x-tessera-nonce': nonce,
      'x-tessera-signature': signature,
    },
  };
}

const prepared =
  cfg.mode === 'hello' ? [] : Array.from({ length: cfg.prepared ?? 100_000 }, (_, n) => signedLaunch(n));
function launchRequest(req: Record<string, unknown>) {
  const r = prepared[counter++ % prepared.length];
  return { ...req, ...r };
}

const result = await autocannon({
  url: cfg.url,
  connections: cfg.connections,
  ...(cfg.amount ? { amount: cfg.amount } : { duration: cfg.durationSeconds }),
  requests:
    cfg.mode !== 'hello' ? [{ setupRequest: launchRequest as never }] : [{ method: 'GET', path: '/hello' }],
});
process.stdout.write(
  `${JSON.stringify({
    mode: cfg.mode,
    requestsPerSecond: Math.round(result.requests.average),
    totalRequests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
