// @tessera/runtime-sdk/core — platform-free parts of the SDK.

export * from './analytics.ts';
export * from './bridge.ts';
export * from './consent.ts';
export * from './launcher.ts';
export * from './package-files.ts';
export * from './permissions.ts';
export * from './revocation.ts';
export * from './session.ts';
export * from './storage.ts';
export * from './store-client.ts';
