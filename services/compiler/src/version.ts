/** Part of every compile result (provenance) and of the deterministic output. Keep in sync with package.json. */
export const COMPILER_VERSION = '0.1.0';
