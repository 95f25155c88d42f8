import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from './bytes.ts';
import { canonicalJson } from './canonical-json.ts';
import {
  DataKeyMismatchError,
  FileAuthenticationError,
  FileNotFoundInPackageError,
  ForeignFileError,
  KeyUnwrapError,
  PackageExpectationError,
  PackageFormatError,
  SignatureInvalidError,
  TruncatedPackageError,
  UnknownSigningKeyError,
  UnsupportedSuiteError,
} from './errors.ts';
import { decodeContainer, encodeContainer } from './format.ts';
import { generateKek, generateSigningKeyPair } from './keys.ts';
import { openPackage, verifyPackageIndex } from './open.ts';
import { signDetached, verifyDetached } from './sign.ts';
import { SUITE_SM4GCM_SM2 } from './suite.ts';
import {
  generateDeviceKeyPair,
  rewrapDataKeyForDevice,
  unwrapDataKey,
  unwrapDataKeyFromStore,
  wrapDataKey,
} from './wrap.ts';
import { writePackage } from './write.ts';

const kek = await generateKek();
const signer = await generateSigningKeyPair();
const other = await generateSigningKeyPair();
const files = {
  'app.js': utf8('App({})'),
  'pages/index/index.wxml.js': utf8('__tesseraDefine("/pages/index/index.wxml", function(){})'),
  'images/logo.png': new Uint8Array([137, 80, 78, 71, 0, 1, 2, 3]),
  'empty.txt': new Uint8Array(0),
};
const opts = {
  kek: kek.rawBase64,
  kekId: kek.keyId,
  signingKey: signer.privateKeyPkcs8,
  signingKeyId: signer.keyId,
  meta: { appId: 'wx-demo', version: '1.0.0' },
};

async function fresh() {
  return writePackage(files, opts);
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

describe('package round trip', () => {
  it('opens with the KEK and returns every file byte for byte', async () => {
    const pkg = await fresh();
    const opened = await openPackage(pkg.bytes, { publicKeys: [signer.publicKeySpki], kek: kek.rawBase64 });
    const all = await opened.readAll();
    expect([...all.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [path, bytes] of Object.entries(files)) expect(all.get(path)).toEqual(bytes);
    expect(opened.index.meta).toEqual(opts.meta);
  });

  it('has a deterministic plaintext digest but fresh ciphertext every time', async () => {
    const a = await fresh();
    const b = await writePackage(
      Object.fromEntries(Object.entries(files).reverse()) as Record<string, Uint8Array>,
      opts,
    );
    expect(a.digests.plaintext).toBe(b.digests.plaintext);
    expect(a.digests.ciphertext).not.toBe(b.digests.ciphertext);
    expect(a.index.files.map((f) => f.path)).toEqual(b.index.files.map((f) => f.path));
  });

  it('decrypts with a data key re-wrapped for a device (ECDH → HKDF → AES-GCM)', async () => {
    const pkg = await fresh();
    const raw = await unwrapDataKey(pkg.wrappedDataKey, kek.rawBase64);
    const device = await generateDeviceKeyPair();
    const wrapped = await rewrapDataKeyForDevice(raw, device.publicKeyRaw);
    expect(wrapped.ciphertext).not.toContain(toBase64(raw));
    const key = await unwrapDataKeyFromStore(wrapped, device.privateKey);
    expect(key.extractable).toBe(false);
    const opened = await openPackage(pkg.bytes, { publicKeys: [signer.publicKeySpki], dataKey: key });
    expect(await opened.read('app.js')).toEqual(files['app.js']);
  });

  it('device re-wrap accepts a JWK and rejects another device', async () => {
    const device = await generateDeviceKeyPair();
    const jwk = await crypto.subtle.exportKey('jwk', device.publicKey);
    const raw = new Uint8Array(32).fill(7);
    const wrapped = await rewrapDataKeyForDevice(raw, jwk);
    const intruder = await generateDeviceKeyPair();
    await expect(unwrapDataKeyFromStore(wrapped, intruder.privateKey)).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(rewrapDataKeyForDevice(raw, 'AAAA')).rejects.toBeInstanceOf(KeyUnwrapError);
  });

  it('rejects unsafe paths when writing', async () => {
    for (const bad of ['../x', '/abs', 'a//b', 'a/./b', 'a\\b', '']) {
      await expect(writePackage({ [bad]: new Uint8Array(1) }, opts)).rejects.toThrow(TypeError);
    }
  });
});

describe('tampering is rejected with a specific error', () => {
  const pub = { publicKeys: [signer.publicKeySpki], kek: kek.rawBase64 };

  it('a flipped byte in the index → SignatureInvalidError', async () => {
    const pkg = await fresh();
    const at = 9 + pkg.indexBytes.indexOf('"size"'.charCodeAt(0)) + 40;
    await expect(openPackage(flip(pkg.bytes, at), pub)).rejects.toSatisfy(
      (e) => e instanceof SignatureInvalidError || e instanceof PackageFormatError,
    );
  });

  it('an edited index re-encoded as valid JSON → SignatureInvalidError', async () => {
    const pkg = await fresh();
    const parts = decodeContainer(pkg.bytes);
    const edited = { ...pkg.index, meta: { appId: 'evil', version: '1.0.0' } };
    const bytes = encodeContainer({ ...parts, indexBytes: utf8(canonicalJson(edited)) });
    await expect(openPackage(bytes, pub)).rejects.toBeInstanceOf(SignatureInvalidError);
  });

  it('a flipped byte in the signature → SignatureInvalidError', async () => {
    const pkg = await fresh();
    await expect(openPackage(flip(pkg.bytes, 9 + pkg.indexBytes.length + 2 + 5), pub)).rejects.toBeInstanceOf(
      SignatureInvalidError,
    );
  });

  it('a package signed by an untrusted key → UnknownSigningKeyError', async () => {
    const pkg = await fresh();
    await expect(
      openPackage(pkg.bytes, { ...pub, publicKeys: [other.publicKeySpki] }),
    ).rejects.toBeInstanceOf(UnknownSigningKeyError);
  });

  it('a flipped byte in the wrapped key → KeyUnwrapError', async () => {
    const pkg = await fresh();
    const wrapped = pkg.wrappedDataKey;
    const blob = fromBase64(wrapped.slice(17));
    blob[20] = (blob[20] ?? 0) ^ 1;
    await expect(
      openPackage(pkg.bytes, { ...pub, wrappedDataKey: `${wrapped.slice(0, 17)}${toBase64(blob)}` }),
    ).rejects.toBeInstanceOf(KeyUnwrapError);
    await expect(openPackage(pkg.bytes, { ...pub, wrappedDataKey: 'garbage' })).rejects.toBeInstanceOf(
      KeyUnwrapError,
    );
  });

  it('the wrapped key of another package → DataKeyMismatchError', async () => {
    const a = await fresh();
    const b = await fresh();
    await expect(openPackage(a.bytes, { ...pub, wrappedDataKey: b.wrappedDataKey })).rejects.toBeInstanceOf(
      DataKeyMismatchError,
    );
  });

  it('a wrong KEK → KeyUnwrapError', async () => {
    const pkg = await fresh();
    const wrong = await generateKek();
    await expect(openPackage(pkg.bytes, { ...pub, kek: wrong.rawBase64 })).rejects.toBeInstanceOf(
      KeyUnwrapError,
    );
  });

  it('a flipped byte in every file → FileAuthenticationError for that file only', async () => {
    const pkg = await fresh();
    const dataStart = pkg.bytes.length - pkg.index.files.reduce((n, f) => n + f.length, 0);
    for (const f of pkg.index.files) {
      const opened = await openPackage(
        flip(pkg.bytes, dataStart + f.offset + 16 + Math.floor(f.size / 2)),
        pub,
      );
      await expect(opened.read(f.path)).rejects.toBeInstanceOf(FileAuthenticationError);
      const untouched = pkg.index.files.find((g) => g.path !== f.path);
      if (untouched) await expect(opened.read(untouched.path)).resolves.toBeInstanceOf(Uint8Array);
    }
  });

  it('verifyAll: a flipped byte in any file refuses the whole package at open; reads come from memory', async () => {
    const pkg = await fresh();
    const dataStart = pkg.bytes.length - pkg.index.files.reduce((n, f) => n + f.length, 0);
    for (const f of pkg.index.files) {
      const tampered = flip(pkg.bytes, dataStart + f.offset + 16 + Math.floor(f.size / 2));
      await expect(openPackage(tampered, { ...pub, verifyAll: true })).rejects.toBeInstanceOf(
        FileAuthenticationError,
      );
    }
    const opened = await openPackage(pkg.bytes, { ...pub, verifyAll: true });
    const first = await opened.read('app.js');
    first[0] = 0;
    // a caller scribbling on what it read does not change the next read
    expect(new TextDecoder().decode(await opened.read('app.js'))).toBe('App({})');
    await expect(opened.read('missing.js')).rejects.toBeInstanceOf(FileNotFoundInPackageError);
  });

  it('a truncated container → TruncatedPackageError', async () => {
    const pkg = await fresh();
    const opened = await openPackage(pkg.bytes.subarray(0, pkg.bytes.length - 3), pub);
    const last = pkg.index.files.at(-1);
    expect(last).toBeDefined();
    await expect(opened.read(last?.path ?? '')).rejects.toBeInstanceOf(TruncatedPackageError);
    await expect(opened.readAll()).rejects.toBeInstanceOf(TruncatedPackageError);
  });

  it('a file blob swapped in from another package → ForeignFileError (or auth error if relabelled)', async () => {
    const a = await fresh();
    const b = await writePackage(files, {
      ...opts,
      dataKey: await unwrapDataKey(a.wrappedDataKey, kek.rawBase64),
    });
    const startA = a.bytes.length - a.index.files.reduce((n, f) => n + f.length, 0);
    const startB = b.bytes.length - b.index.files.reduce((n, f) => n + f.length, 0);
    const fa = a.index.files.find((f) => f.path === 'app.js');
    const fb = b.index.files.find((f) => f.path === 'app.js');
    if (!fa || !fb) throw new Error('fixture missing');
    const swapped = a.bytes.slice();
    swapped.set(b.bytes.subarray(startB + fb.offset, startB + fb.offset + fb.length), startA + fa.offset);
    const opened = await openPackage(swapped, pub);
    await expect(opened.read('app.js')).rejects.toBeInstanceOf(ForeignFileError);
    // Relabel the blob with A's package id: the AAD and nonce still do not match.
    swapped.set(a.bytes.subarray(startA + fa.offset, startA + fa.offset + 16), startA + fa.offset);
    const reopened = await openPackage(swapped, pub);
    await expect(reopened.read('app.js')).rejects.toBeInstanceOf(FileAuthenticationError);
  });

  it('malformed containers → PackageFormatError', async () => {
    const pkg = await fresh();
    await expect(openPackage(new Uint8Array(0), pub)).rejects.toBeInstanceOf(PackageFormatError);
    await expect(openPackage(utf8('PK\u0003\u0004 not ours'), pub)).rejects.toBeInstanceOf(
      PackageFormatError,
    );
    await expect(openPackage(pkg.bytes.subarray(0, 40), pub)).rejects.toBeInstanceOf(PackageFormatError);
    const huge = pkg.bytes.slice();
    new DataView(huge.buffer).setUint32(5, 0xffffffff);
    await expect(openPackage(huge, pub)).rejects.toBeInstanceOf(PackageFormatError);
    const badVersion = pkg.bytes.slice();
    badVersion[4] = 9;
    await expect(openPackage(badVersion, pub)).rejects.toThrow(/container version/);
  });

  it('pins expectations from a release document', async () => {
    const pkg = await fresh();
    await expect(
      openPackage(pkg.bytes, { ...pub, expect: { meta: { appId: 'someone-else' } } }),
    ).rejects.toBeInstanceOf(PackageExpectationError);
    await expect(
      openPackage(pkg.bytes, { ...pub, expect: { plaintextDigest: '0'.repeat(64) } }),
    ).rejects.toBeInstanceOf(PackageExpectationError);
    const ok = await openPackage(pkg.bytes, { ...pub, expect: { packageId: pkg.index.packageId } });
    await expect(ok.read('nope')).rejects.toBeInstanceOf(FileNotFoundInPackageError);
  });

  it('the reserved SM suite slot is recognised but not implemented', async () => {
    await expect(writePackage(files, { ...opts, suite: SUITE_SM4GCM_SM2 })).rejects.toBeInstanceOf(
      UnsupportedSuiteError,
    );
    const pkg = await fresh();
    const parts = decodeContainer(pkg.bytes);
    const sm = utf8(canonicalJson({ ...pkg.index, suite: SUITE_SM4GCM_SM2 }));
    const sig = await signDetached(sm, { keyId: signer.keyId, key: signer.privateKeyPkcs8 });
    const bytes = encodeContainer({ ...parts, indexBytes: sm, signature: fromBase64(sig.signature) });
    await expect(verifyPackageIndex(bytes, [signer.publicKeySpki])).rejects.toBeInstanceOf(
      UnsupportedSuiteError,
    );
  });
});

describe('detached signatures and canonical JSON', () => {
  it('verifies with the right key id and rejects modified data', async () => {
    const doc = utf8(canonicalJson({ b: 1, a: [true, null, 'x'] }));
    const sig = await signDetached(doc, { keyId: signer.keyId, key: signer.privateKeyPkcs8 });
    expect(await verifyDetached(doc, sig.signature, [other.publicKeySpki, signer.publicKeySpki])).toBe(
      signer.keyId,
    );
    expect(await verifyDetached(doc, sig.signature, [signer.publicKeySpki], signer.keyId)).toBe(signer.keyId);
    await expect(verifyDetached(flip(doc, 3), sig.signature, [signer.publicKeySpki])).rejects.toBeInstanceOf(
      SignatureInvalidError,
    );
    await expect(verifyDetached(doc, '!!!', [signer.publicKeySpki])).rejects.toBeInstanceOf(
      SignatureInvalidError,
    );
    await expect(verifyDetached(doc, sig.signature, [signer.publicKeySpki], 'nope')).rejects.toBeInstanceOf(
      UnknownSigningKeyError,
    );
  });

  it('canonicalJson sorts keys, drops undefined members and refuses non-JSON', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: 'é' } })).toBe('{"a":{"c":"é"},"b":1}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson(new Date())).toThrow(/plain objects/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
  });

  it('wrapDataKey is bound to its KEK id', async () => {
    const raw = new Uint8Array(32).fill(1);
    const wrapped = await wrapDataKey(raw, kek.rawBase64, kek.keyId);
    expect(await unwrapDataKey(wrapped, kek.rawBase64)).toEqual(raw);
    const relabelled = `${'0'.repeat(16)}${wrapped.slice(16)}`;
    await expect(unwrapDataKey(relabelled, kek.rawBase64)).rejects.toBeInstanceOf(KeyUnwrapError);
  });
});
