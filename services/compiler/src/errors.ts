// Compile errors (the source must change) and compatibility entries (a feature we do not
// support or ignore: reported, never silently miscompiled).

export interface SourcePosition {
  line: number;
  column: number;
}

export type CompileErrorCode =
  | 'WXML_SYNTAX'
  | 'WXML_EXPRESSION'
  | 'WXML_DIRECTIVE'
  | 'WXML_RESOLVE'
  | 'WXSS_SYNTAX'
  | 'WXSS_RESOLVE'
  | 'WXS_SYNTAX'
  | 'JS_SYNTAX'
  | 'NPM_RESOLVE'
  | 'JSON_SYNTAX'
  | 'APP_CONFIG'
  | 'MISSING_FILE';

export class CompileError extends Error {
  readonly code: CompileErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint: string;
  /** The page or component (path without extension) the error is about, when not `file`'s own. */
  readonly owner: string | undefined;
  constructor(
    code: CompileErrorCode,
    file: string,
    pos: SourcePosition,
    message: string,
    hint = '',
    owner?: string,
  ) {
    super(`${file}:${pos.line}:${pos.column}: ${message}${hint ? ` — ${hint}` : ''}`);
    this.name = 'CompileError';
    this.code = code;
    this.file = file;
    this.line = pos.line;
    this.column = pos.column;
    this.hint = hint;
    this.owner = owner;
  }

  toJSON(): CompileErrorJson {
    return {
      code: this.code,
      file: this.file,
      line: this.line,
      column: this.column,
      message: this.message,
    };
  }
}

export interface CompileErrorJson {
  code: CompileErrorCode;
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface CompatEntry {
  file: string;
  line: number;
  column: number;
  feature: string;
  /** What happens and what to do about it. */
  message: string;
}

export class CompatReporter {
  readonly entries: CompatEntry[] = [];
  add(file: string, pos: SourcePosition, feature: string, message: string): void {
    this.entries.push({ file, line: pos.line, column: pos.column, feature, message });
  }
  sorted(): CompatEntry[] {
    return [...this.entries].sort(
      (a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.feature, b.feature),
    );
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
