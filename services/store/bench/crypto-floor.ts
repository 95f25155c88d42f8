// The per-launch cryptography measured on its own, in CPU microseconds per operation (process
// CPU time, so thread-pool work counts too): what every launch must pay whatever the HTTP
// stack costs, and so the ceiling it puts on launches per second per core. Measured for both
// device key agreements the launch negotiates: X25519 (what the SDK sends where the engine has
// WebCrypto X25519) and P-256 (the fallback). On a machine shared with other work the CPU time
// per operation rises (caches, sibling hyper-threads), so each figure is the lowest of several
// interleaved rounds, and the two curves are measured in the same rounds, so their ratio holds
// even when the absolute figures move.

import { createECDH, createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type DeviceKeyCurve, rewrapDataKeyForDevice } from '@tessera/runtime-sdk/package';
import { DeviceKeyWrapper, rewrapDataKeyForDeviceNode } from '@tessera/runtime-sdk/package/node';

export interface CurveFloor {
  /** what a launch pays: DeviceKeyWrapper.forDevice (device key decoded and checked, one ECDH) + one wrap (HKDF + AES-GCM) */
  launchWrapUs: number;
  /** each further data key of the same launch (a subpackage): HKDF + AES-GCM */
  extraWrapUs: number;
  /** the re-wrap with a fresh store key per wrap (the store's earlier form): + keygen */
  rewrapFreshKeyUs: number;
  /** the portable WebCrypto re-wrap, for comparison */
  rewrapWebCryptoUs: number;
}

export interface CryptoFloor {
  /** P-256 ECDH of the device key with an existing store key (createECDH.computeSecret), the bare operation */
  ecdhUs: number;
  X25519: CurveFloor;
  'P-256': CurveFloor;
  /** X25519 launch re-wrap ÷ P-256 launch re-wrap, from the same rounds */
  x25519ToP256: number;
  /** request signature check: SHA-256 of a launch body + HMAC-SHA256 of the canonical string */
  signatureUs: number;
}

export const CURVES: readonly DeviceKeyCurve[] = ['X25519', 'P-256'];

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

/** 256 raw device public keys on `curve`, base64, as the SDK sends them. */
function deviceKeys(curve: DeviceKeyCurve): string[] {
  return Array.from({ length: 256 }, () =>
    curve === 'X25519'
      ? generateKeyPairSync('x25519').publicKey.export({ format: 'raw-public' }).toString('base64')
      : createECDH('prime256v1').generateKeys('base64'),
  );
}

const unmeasured = (): CurveFloor => ({
  launchWrapUs: Number.POSITIVE_INFINITY,
  extraWrapUs: Number.POSITIVE_INFINITY,
  rewrapFreshKeyUs: Number.POSITIVE_INFINITY,
  rewrapWebCryptoUs: Number.POSITIVE_INFINITY,
});

export async function measureCryptoFloor(count = 2000, rounds = 4): Promise<CryptoFloor> {
  const dataKey = new Uint8Array(randomBytes(32));
  const keys = { X25519: deviceKeys('X25519'), 'P-256': deviceKeys('P-256') };
  const p256Points = keys['P-256'].map((k) => Buffer.from(k, 'base64'));
  const body = Buffer.from(
    JSON.stringify({
      appId: 'app-1',
      attributes: {},
      devicePublicKey: keys.X25519[0],
      deviceKeyCurve: 'X25519',
    }),
  );
  const per = Math.ceil(count / rounds);
  const store = createECDH('prime256v1');
  store.generateKeys();
  const wrapper = new DeviceKeyWrapper();
  const best = { ecdhUs: Number.POSITIVE_INFINITY, signatureUs: Number.POSITIVE_INFINITY };
  const curves = { X25519: unmeasured(), 'P-256': unmeasured() };
  const lowest = (into: Record<string, number>, field: string, us: number) => {
    into[field] = Math.min(into[field] ?? Number.POSITIVE_INFINITY, us);
  };
  for (let round = 0; round < rounds; round++) {
    lowest(
      best,
      'ecdhUs',
      await cpuUsPerOp(per, 1, (i) => store.computeSecret(p256Points[i % 256] as Buffer)),
    );
    for (const curve of CURVES) {
      const devices = keys[curve];
      const into = curves[curve] as unknown as Record<string, number>;
      const session = wrapper.forDevice(devices[0] as string, curve);
      lowest(
        into,
        'launchWrapUs',
        await cpuUsPerOp(per, 1, (i) => wrapper.wrap(dataKey, devices[i % 256] as string, curve)),
      );
      lowest(into, 'extraWrapUs', await cpuUsPerOp(per, 1, () => session.wrap(dataKey)));
      lowest(
        into,
        'rewrapFreshKeyUs',
        await cpuUsPerOp(per, 1, (i) =>
          rewrapDataKeyForDeviceNode(dataKey, devices[i % 256] as string, curve),
        ),
      );
      lowest(
        into,
        'rewrapWebCryptoUs',
        await cpuUsPerOp(per, 32, (i) => rewrapDataKeyForDevice(dataKey, devices[i % 256] as string, curve)),
      );
    }
    lowest(
      best,
      'signatureUs',
      await cpuUsPerOp(per * 10, 1, (i) => {
        const digest = createHash('sha256').update(body).digest('hex');
        return createHmac('sha256', 'bench-secret')
          .update(`POST\n/v1/launch\n${i}\nnonce\n${digest}`)
          .digest('hex');
      }),
    );
  }
  return {
    ecdhUs: best.ecdhUs,
    X25519: curves.X25519,
    'P-256': curves['P-256'],
    x25519ToP256: Math.round((curves.X25519.launchWrapUs / curves['P-256'].launchWrapUs) * 100) / 100,
    signatureUs: best.signatureUs,
  };
}

/** The crypto floor as the bench prints it: per curve, with the ceilings and the X25519 : P-256 ratio. */
export function describeCryptoFloor(floor: CryptoFloor, cores: number): string[] {
  const ceiling = (us: number) => Math.round((cores * 1e6) / us);
  const lines = CURVES.map((curve) => {
    const f = floor[curve];
    return `  ${curve.padEnd(6)}: launch re-wrap (semi-static store key: ECDH + HKDF + AES-GCM) ${f.launchWrapUs}, each further data key ${f.extraWrapUs}; fresh store key per wrap ${f.rewrapFreshKeyUs}, WebCrypto ${f.rewrapWebCryptoUs} => ceiling ${ceiling(f.launchWrapUs)} launches/s on ${cores} cores with nothing else running`;
  });
  return [
    `per-launch crypto (CPU µs/op, same rounds for both curves): signature check ${floor.signatureUs}; bare P-256 ECDH ${floor.ecdhUs}`,
    ...lines,
    `  X25519 / P-256 launch re-wrap: ${floor.x25519ToP256} (X25519 ceiling ${Math.round((1 / floor.x25519ToP256) * 100) / 100}× P-256's)`,
  ];
}
