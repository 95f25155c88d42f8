// Splits text or an attribute value into static strings and `{{ expression }}` parts.
import { CompileError, type SourcePosition } from '../errors.ts';
import { findExpressionEnd } from './scan.ts';

export type Part = { kind: 'static'; text: string } | { kind: 'expr'; source: string; offset: number };

export function splitInterpolation(value: string, file: string, pos: SourcePosition): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('{{', i);
    if (open < 0) {
      parts.push({ kind: 'static', text: value.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'static', text: value.slice(i, open) });
    const close = findExpressionEnd(value, open + 2);
    const end = close < 0 ? -1 : close - 2;
    if (end < 0) {
      throw new CompileError(
        'WXML_EXPRESSION',
        file,
        offsetPos(value, open, pos),
        'unterminated "{{"',
        'close it with "}}"',
      );
    }
    parts.push({ kind: 'expr', source: value.slice(open + 2, end), offset: open + 2 });
    i = end + 2;
  }
  return parts;
}

export function offsetPos(value: string, offset: number, base: SourcePosition): SourcePosition {
  let line = base.line;
  let column = base.column;
  for (let k = 0; k < offset && k < value.length; k++) {
    if (value.charCodeAt(k) === 10) {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

export function isPureExpression(parts: Part[]): parts is [{ kind: 'expr'; source: string; offset: number }] {
  return parts.length === 1 && parts[0]?.kind === 'expr';
}
