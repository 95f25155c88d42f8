// Data observers (`observers: {'a, b.c, list[1], x.**, **': fn}`) with WeChat trigger rules:
// a field fires when setData writes it, one of its ancestors, or (for `.**`) a descendant.
import { getAtPath, isPrefix, type PathSegment, parsePath } from './path.ts';

interface Field {
  path: PathSegment[];
  deep: boolean;
}

export interface CompiledObserver {
  source: string;
  fields: Field[];
  fn: (...values: unknown[]) => void;
}

export function compileObserver(source: string, fn: (...values: unknown[]) => void): CompiledObserver {
  const fields = source.split(',').map((raw): Field => {
    const s = raw.trim();
    if (s === '**') return { path: [], deep: true };
    if (s.endsWith('.**')) return { path: parsePath(s.slice(0, -3)), deep: true };
    return { path: parsePath(s), deep: false };
  });
  return { source, fields, fn };
}

export function observerTriggered(obs: CompiledObserver, written: readonly PathSegment[][]): boolean {
  for (const w of written) {
    for (const f of obs.fields) {
      if (isPrefix(w, f.path)) return true;
      if (f.deep && isPrefix(f.path, w)) return true;
    }
  }
  return false;
}

export function observerArgs(obs: CompiledObserver, data: Record<string, unknown>): unknown[] {
  return obs.fields.map((f) => (f.path.length === 0 ? data : getAtPath(data, f.path)));
}
