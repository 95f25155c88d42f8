// setData key paths with WeChat semantics: `a.b[0].c`, `list[3]`, backslash escapes (`a\.b` is
// the single key "a.b"), missing containers created on write (array for an index, else object).

export type PathSegment = string | number;

export class DataPathError extends Error {
  readonly code = 'DATA_PATH_INVALID';
  constructor(path: string, reason: string) {
    super(`setData path "${path.slice(0, 200)}" is invalid: ${reason}`);
    this.name = 'DataPathError';
  }
}

const MAX_PATH_LENGTH = 1024;
const MAX_INDEX = 10_000_000;

export function parsePath(path: string): PathSegment[] {
  if (path.length === 0) throw new DataPathError(path, 'it is empty');
  if (path.length > MAX_PATH_LENGTH)
    throw new DataPathError(path, `it is longer than ${MAX_PATH_LENGTH} characters`);
  const out: PathSegment[] = [];
  let cur = '';
  let haveCur = false;
  let i = 0;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '\\') {
      const next = path[i + 1];
      if (next === undefined) throw new DataPathError(path, 'it ends with a lone backslash');
      cur += next;
      haveCur = true;
      i += 2;
    } else if (ch === '.') {
      if (!haveCur && out.length === 0) throw new DataPathError(path, 'it starts with "."');
      if (haveCur) out.push(cur);
      else if (path[i - 1] !== ']') throw new DataPathError(path, 'it contains an empty segment');
      cur = '';
      haveCur = false;
      i++;
    } else if (ch === '[') {
      if (haveCur) out.push(cur);
      else if (out.length === 0) throw new DataPathError(path, 'it starts with "["');
      cur = '';
      haveCur = false;
      const close = path.indexOf(']', i);
      if (close < 0) throw new DataPathError(path, 'a "[" is not closed');
      const digits = path.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) throw new DataPathError(path, `"[${digits}]" is not an array index`);
      const n = Number(digits);
      if (n > MAX_INDEX) throw new DataPathError(path, `index ${n} is larger than ${MAX_INDEX}`);
      out.push(n);
      i = close + 1;
      if (i < path.length && path[i] !== '.' && path[i] !== '[')
        throw new DataPathError(path, 'expected "." or "[" after "]"');
    } else {
      cur += ch;
      haveCur = true;
      i++;
    }
  }
  if (haveCur) out.push(cur);
  else if (path.endsWith('.')) throw new DataPathError(path, 'it ends with "."');
  if (out.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype'))
    throw new DataPathError(path, 'it names a prototype key');
  return out;
}

export function formatPath(path: readonly PathSegment[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += (s ? '.' : '') + seg.replace(/[\\.[\]]/g, (c) => `\\${c}`);
  }
  return s;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** Writes `value` at `path` inside `root`, creating missing containers. Returns the root. */
export function setAtPath(root: Record<string, unknown>, path: readonly PathSegment[], value: unknown): void {
  let node: Container = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const nextSeg = path[i + 1]!;
    const child: unknown = (node as Record<string | number, unknown>)[seg];
    if (isContainer(child)) {
      node = child;
    } else {
      const created: Container = typeof nextSeg === 'number' ? [] : {};
      (node as Record<string | number, unknown>)[seg] = created;
      node = created;
    }
  }
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

export function getAtPath(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** True when `a` is a prefix of (or equal to) `b`. */
export function isPrefix(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Copies a setData value the way it crosses to the view: plain data only. Functions and
 * symbols are dropped, cycles are rejected, Dates become ISO strings.
 */
export function cloneData(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    if (typeof value === 'bigint') return value.toString();
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) throw new TypeError('setData value contains a circular reference');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => {
      const c = cloneData(v, seen);
      return c === undefined ? null : c;
    });
  } else {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const c = cloneData(v, seen);
      if (c !== undefined) o[k] = c;
    }
    out = o;
  }
  seen.delete(value);
  return out;
}
