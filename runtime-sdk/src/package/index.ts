// @tessera/runtime-sdk/package — package format, envelope encryption and signatures.
// WebCrypto only (globalThis.crypto.subtle); no node: imports, so it runs in browsers too.
export {
  concatBytes,
  fromBase64,
  fromUtf8,
  sha256Hex,
  toBase64,
  toHex,
  utf8,
} from './bytes.ts';
export { canonicalJson, type JsonValue } from './canonical-json.ts';
export { type PlaintextEntry, plaintextDigest } from './digest.ts';
export * from './errors.ts';
export {
  CONTAINER_VERSION,
  decodeContainer,
  type IndexFile,
  isSafePackagePath,
  type PackageIndex,
  PackageIndexSchema,
  parseIndex,
} from './format.ts';
export {
  generateKek,
  generateSigningKeyPair,
  importKek,
  importSigningKey,
  importVerifyKey,
  type KeyBytesInput,
  keyIdOf,
  type PublicKeyInput,
  type SigningKeyInput,
  type SigningKeyPair,
  type TenantKek,
} from './keys.ts';
export * from './manifest.ts';
export { type OpenedPackage, type OpenPackageOptions, openPackage, verifyPackageIndex } from './open.ts';
export { type DetachedSignature, signDetached, verifyDetached } from './sign.ts';
export * from './suite.ts';
export {
  curveOfKey,
  type DeviceKeyCurve,
  type DeviceKeyPair,
  type DevicePublicKeyInput,
  type DeviceWrappedKey,
  dataKeyCheck,
  deviceKeyFields,
  generateDataKey,
  generateDeviceKeyPair,
  negotiateDeviceKeyPair,
  rewrapDataKeyForDevice,
  unwrapDataKey,
  unwrapDataKeyFromStore,
  wrapDataKey,
  wrappedKeyId,
} from './wrap.ts';
export { type PackageFiles, type WritePackageOptions, type WrittenPackage, writePackage } from './write.ts';
