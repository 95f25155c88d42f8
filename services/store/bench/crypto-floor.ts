// The per-launch cryptography measured on its own, in CPU microseconds per operation (process
// CPU time, so thread-pool work counts too): what every launch must pay whatever the HTTP
// stack costs, and so the ceiling it puts on launches per second per core. On a machine shared
// with other work the CPU time per operation rises (caches, sibling hyper-threads), so each
// figure is the lowest of several interleaved rounds.

import { createECDH, createHash, createHmac, randomBytes } from 'node:crypto';
import { rewrapDataKeyForDevice } from '@tessera/runtime-sdk/package';
import { DeviceKeyWrapper, rewrapDataKeyForDeviceNode } from '@tessera/runtime-sdk/package/node';

export interface CryptoFloor {
  /** ECDH of the device key with an existing store key: the inherent per-launch part */
  ecdhUs: number;
  /** what a launch pays: DeviceKeyWrapper.forDevice (one ECDH) + one wrap (HKDF + AES-GCM) */
  launchWrapUs: number;
  /** each further data key of the same launch (a subpackage): HKDF + AES-GCM */
  extraWrapUs: number;
  /** the re-wrap with a fresh store key per wrap (the store's earlier form): + P-256 keygen */
  rewrapFreshKeyUs: number;
  /** the portable WebCrypto re-wrap, for comparison */
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
  const store = createECDH('prime256v1');
  store.generateKeys();
  const wrapper = new DeviceKeyWrapper();
  const session = wrapper.forDevice(deviceB64[0] as string);
  const best: CryptoFloor = {
    ecdhUs: Number.POSITIVE_INFINITY,
    launchWrapUs: Number.POSITIVE_INFINITY,
    extraWrapUs: Number.POSITIVE_INFINITY,
    rewrapFreshKeyUs: Number.POSITIVE_INFINITY,
    rewrapWebCryptoUs: Number.POSITIVE_INFINITY,
    signatureUs: Number.POSITIVE_INFINITY,
  };
  const lowest = (field: keyof CryptoFloor, us: number) => {
    best[field] = Math.min(best[field], us);
  };
  for (let round = 0; round < rounds; round++) {
    lowest(
      'ecdhUs',
      await cpuUsPerOp(per, 1, (i) => store.computeSecret(devices[i % devices.length] as Buffer)),
    );
    lowest(
      'launchWrapUs',
      await cpuUsPerOp(per, 1, (i) => wrapper.wrap(dataKey, deviceB64[i % devices.length] as string)),
    );
    lowest('extraWrapUs', await cpuUsPerOp(per, 1, () => session.wrap(dataKey)));
    lowest(
      'rewrapFreshKeyUs',
      await cpuUsPerOp(per, 1, (i) =>
        rewrapDataKeyForDeviceNode(dataKey, deviceB64[i % devices.length] as string),
      ),
    );
    lowest(
      'rewrapWebCryptoUs',
      await cpuUsPerOp(per, 32, (i) =>
        rewrapDataKeyForDevice(dataKey, deviceB64[i % devices.length] as string),
      ),
    );
    lowest(
      'signatureUs',
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
