// Semantic comparisons used to skip writes that would change nothing.

/** Deep equality for JSON values; key order does not matter, undefined equals absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * True when every field set in `desired` has the same value in `live` (extra fields in `live`,
 * such as server defaults, are ignored). Arrays must have the same length and match element-wise.
 * This is what "applying `desired` would change nothing" means for our own field manager.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (desired === null || typeof desired !== 'object') return desired === live;
  if (live === null || typeof live !== 'object') return false;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((v, i) => isSubset(v, live[i]));
  }
  if (Array.isArray(live)) return false;
  const lo = live as Record<string, unknown>;
  for (const [k, v] of Object.entries(desired as Record<string, unknown>))
    if (!isSubset(v, lo[k])) return false;
  return true;
}
