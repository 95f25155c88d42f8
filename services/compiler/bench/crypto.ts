// Package crypto benchmark: writePackage/openPackage throughput (MB/s) with WebCrypto, against a
// baseline in the same run: raw AES-256-GCM over the same bytes without the package format.
// Also package size vs plaintext size. Bounded: fixed sizes, 3 rounds each.
import { generateKek, generateSigningKeyPair, openPackage, writePackage } from '@tessera/runtime-sdk/package';

const kek = await generateKek();
const signer = await generateSigningKeyPair();
const FILES = 200;
const FILE_BYTES = 64 * 1024;
const files = Array.from({ length: FILES }, (_, i) => {
  const b = new Uint8Array(FILE_BYTES);
  crypto.getRandomValues(b.subarray(0, 65536));
  return { path: `pages/p${i}/index.js`, bytes: b };
});
const total = FILES * FILE_BYTES;
const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(0);
const best = (xs: number[]) => Math.min(...xs);

const writes: number[] = [];
const reads: number[] = [];
let size = 0;
for (let r = 0; r < 3; r++) {
  let t0 = performance.now();
  const pkg = await writePackage(files, {
    kek: kek.rawBase64,
    kekId: kek.keyId,
    signingKey: signer.privateKeyPkcs8,
    signingKeyId: signer.keyId,
  });
  writes.push(performance.now() - t0);
  size = pkg.bytes.length;
  t0 = performance.now();
  const opened = await openPackage(pkg.bytes, { publicKeys: [signer.publicKeySpki], kek: kek.rawBase64 });
  await opened.readAll();
  reads.push(performance.now() - t0);
}

const key = await crypto.subtle.importKey(
  'raw',
  crypto.getRandomValues(new Uint8Array(32)),
  'AES-GCM',
  false,
  ['encrypt', 'decrypt'],
);
const rawEnc: number[] = [];
const rawDec: number[] = [];
for (let r = 0; r < 3; r++) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  let t0 = performance.now();
  const cts = await Promise.all(
    files.map((f) => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, f.bytes)),
  );
  rawEnc.push(performance.now() - t0);
  t0 = performance.now();
  for (const ct of cts) await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, ct);
  rawDec.push(performance.now() - t0);
}

console.log(
  `package crypto benchmark: ${FILES} files × ${FILE_BYTES / 1024} KiB = ${(total / 1e6).toFixed(1)} MB (best of 3)`,
);
console.log(`  writePackage (encrypt+hash+sign)   ${mbps(total, best(writes))} MB/s`);
console.log(`  openPackage+readAll (verify+decrypt+hash) ${mbps(total, best(reads))} MB/s`);
console.log(`  baseline raw AES-256-GCM encrypt    ${mbps(total, best(rawEnc))} MB/s`);
console.log(`  baseline raw AES-256-GCM decrypt    ${mbps(total, best(rawDec))} MB/s`);
console.log(
  `  container size / plaintext          ${(size / total).toFixed(4)} (+${size - total} bytes overhead)`,
);
