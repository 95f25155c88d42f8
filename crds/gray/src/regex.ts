// Regular expressions with RE2 semantics (linear-time matching, no backreferences or
// lookaround), through re2js. Patterns are compiled once, when a release is compiled.

import { RE2JS } from 're2js';

export const MAX_PATTERN_LENGTH = 1024;
/** Upper bound on the compiled program size, so a rule cannot make matching expensive. */
export const MAX_PROGRAM_SIZE = 5000;

export type RegexResult = { ok: true; regex: RE2JS } | { ok: false; message: string };

export function compileRe2(pattern: string, caseInsensitive: boolean): RegexResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      message: `pattern is ${pattern.length} characters; the limit is ${MAX_PATTERN_LENGTH}`,
    };
  }
  try {
    const regex = RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    const size = regex.programSize();
    if (size > MAX_PROGRAM_SIZE) {
      return {
        ok: false,
        message: `pattern compiles to ${size} instructions; the limit is ${MAX_PROGRAM_SIZE}`,
      };
    }
    return { ok: true, regex };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      message: `not a valid RE2 pattern (${detail}); backreferences and lookaround are not supported`,
    };
  }
}
