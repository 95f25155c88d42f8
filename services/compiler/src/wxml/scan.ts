/**
 * Index just past the "}}" closing a "{{" whose content starts at `from`, or -1. Quotes (with
 * backslash escapes) and nested braces are skipped, so `{{ {a: {b: 1}} }}` and
 * `{{ 'it\'s' }}` close where a reader expects.
 */
export function findExpressionEnd(src: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < src.length && src[i] !== c) i += src[i] === '\\' ? 2 : 1;
      if (i >= src.length) return -1;
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0 && src[i + 1] === '}') return i + 2;
      if (depth > 0) depth--;
    }
    i++;
  }
  return -1;
}
