// The per-launch cryptography measured on its own, in CPU microseconds per operation (process
// CPU time, so thread-pool work counts too): what every launch must pay whatever the HTTP
// stack costs, and so the ceiling it puts on launches per second per core. On a machine shared
// with other work the CPU time per operation rises (caches, sibling hyper-threads), so each
// figure is the lowest of several interleaved rounds.

import { createECDH, createHash, createHmac, randomBytes } from 'node:crypto';
import { rewrapDataKeyForDevice } from '@tessera/runtime-sdk/package';
import { rewrapDataKeyForDeviceNode } from '@tessera/runtime-sdk/package/node';

export interface CryptoFloor {
  /** ephemeral key generation + ECDH with the device key: the inherent part of a re-wrap */
  ecdhUs: number;
  /** the store's re-wrap (node:crypto: ECDH + HKDF + AES-GCM) */
  rewrapUs: number;
  /** the portable WebCrypto re-wrap the store used before, for comparison */
  rewrapWebCryptoUs: number;
  /** request signature check: SHA-256 of a launch body + HMAC-SHA256 of the canonical string */
  signatureUs: number;
}

async function cpuUsPerOp(count: number, concurrency: number, op: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, count); i++) await op(i);
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  const used = process.cpuUsage(before);
  return Math.round(((used.user + used.system) / count) * 10) / 10;
}

export async function measureCryptoFloor(count = 2000, rounds = 4): Promise<CryptoFloor> {
  const dataKey = new Uint8Array(randomBytes(32));
  const devices = Array.from({ length: 256 }, () => createECDH('prime256v1').generateKeys());
  const deviceB64 = devices.map((d) => d.toString('base64'));
  const body = Buffer.from(JSON.stringify({ appId: 'app-1', attributes: {}, devicePublicKey: deviceB64[0] }));
  const per = Math.ceil(count / rounds);
  const best: CryptoFloor = {
    ecdhUs: Number.POSITIVE_INFINITY,
    rewrapUs: Number.POSITIVE_INFINITY,
    rewrapWebCryptoUs: Number.POSITIVE_INFINITY,
    signatureUs: Number.POSITIVE_INFINITY,
  };
  for (let round = 0; round < rounds; round++) {
    best.ecdhUs = Math.min(
      best.ecdhUs,
      await cpuUsPerOp(per, 1, (i) => {
        const ephemeral = createECDH('prime256v1');
        ephemeral.generateKeys();
        return ephemeral.computeSecret(devices[i % devices.length] as Buffer);
      }),
    );
    best.rewrapUs = Math.min(
      best.rewrapUs,
      await cpuUsPerOp(per, 1, (i) =>
        rewrapDataKeyForDeviceNode(dataKey, deviceB64[i % devices.length] as string),
      ),
    );
    best.rewrapWebCryptoUs = Math.min(
      best.rewrapWebCryptoUs,
      await cpuUsPerOp(per, 32, (i) =>
        rewrapDataKeyForDevice(dataKey, deviceB64[i % devices.length] as string),
      ),
    );
    best.signatureUs = Math.min(
      best.signatureUs,
      await cpuUsPerOp(per * 10, 1, (i) => {
        const digest = createHash('sha256').update(body).digest('hex');
        return createHmac('sha256', 'bench-secret')
          .update(`POST\n/v1/launch\n${i}\nnonce\n${digest}`)
          .digest('hex');
      }),
    );
  }
  return best;
}
