// Package-relative path resolution ("/x" is the package root; everything else is relative to
// the referencing file's directory). Never escapes the root.

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Returns the normalized package path (no leading "/"), or null if it escapes the root. */
export function resolvePackagePath(fromFile: string, spec: string): string | null {
  const base = spec.startsWith('/') ? [] : dirname(fromFile).split('/').filter(Boolean);
  const out = [...base];
  for (const seg of spec.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(seg);
    }
  }
  return out.length === 0 ? null : out.join('/');
}
