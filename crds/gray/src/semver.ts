// Semantic Versioning 2.0.0 parsing and precedence (build metadata ignored). The grammar is
// the GrayRule schema's (no leading "v"): a value the API server accepts always parses here.

import { SEMVER_PATTERN } from '@tessera/crds';

const SEMVER = new RegExp(SEMVER_PATTERN);

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  pre: readonly (string | number)[];
}

// Request attributes repeat the same few app and SDK versions, and every Semver condition of
// every rule reads them: parsed results are kept (bounded; cleared when full). SemVer objects
// are never mutated, so sharing them is safe.
const PARSED_LIMIT = 4096;
const parsed = new Map<string, SemVer | null>();

export function parseSemver(text: string): SemVer | null {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit;
  const result = parseUncached(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, result);
  return result;
}

function parseUncached(text: string): SemVer | null {
  if (text.length > 256) return null;
  const m = SEMVER.exec(text);
  if (!m) return null;
  const nums = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  if (!nums.every(Number.isSafeInteger)) return null;
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return Object.freeze({ major: nums[0], minor: nums[1], patch: nums[2], pre: Object.freeze(pre) });
}

export function compareSemver(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  // a release sorts after its pre-releases
  if (a.pre.length === 0 || b.pre.length === 0) {
    if (a.pre.length === b.pre.length) return 0;
    return a.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Precedence of two version strings, for sorting: unparseable strings sort after every semantic
 * version, by their text.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  if (pa && pb) return compareSemver(pa, pb);
  if (pa || pb) return pa ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
