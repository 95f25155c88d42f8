export * from './grayrule.ts';
export * from './hostapp.ts';
export * from './kinds.ts';
export * from './meta.ts';
export * from './miniprogram.ts';
export * from './miniprogramversion.ts';
export * from './release.ts';
export * from './tenant.ts';
