// Deterministic, monotonic percentage rollout.
//
// Unleash: normalizedHash = murmur3("<groupId>:<id>") % 100 + 1; in when <= percentage.
// Finer steps (extension): a second digit pair floor(h / 100) % 100 splits each 1% bucket into
// 100 sub-buckets, so a user is in at p when bucket < floor(p), or bucket == floor(p) and
// sub < round(frac(p) × 100). For integer p the second clause is never true, so the set of users
// is exactly Unleash's; raising p only ever adds users (monotonic).

import { murmur3 } from './murmur.ts';

export function normalizedHash(groupId: string, id: string): number {
  return (murmur3(`${groupId}:${id}`) % 100) + 1;
}

/** Percentage expressed in basis points of a percent (0–10000), validated elsewhere. */
export function toHundredths(percentage: number): number {
  return Math.round(percentage * 100);
}

export function inRollout(groupId: string, id: string, hundredths: number): boolean {
  if (hundredths >= 10_000) return true;
  if (hundredths <= 0) return false;
  const h = murmur3(`${groupId}:${id}`);
  const bucket = h % 100;
  const whole = Math.floor(hundredths / 100);
  if (bucket < whole) return true;
  if (bucket > whole) return false;
  return Math.floor(h / 100) % 100 < hundredths % 100;
}
