// Search tokens that work with PostgreSQL's built-in 'simple' text-search configuration (stock
// PostgreSQL 15 and PGlite, no zhparser/pg_jieba): Latin-script words are lower-cased words;
// runs of CJK characters become overlapping bigrams (a single character stays a unigram), so
// 小程序 matches queries 小程, 程序 and 小程序 without a dictionary.

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const SEGMENT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
const MAX_TOKENS = 2000;

export function searchTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.normalize('NFKC').matchAll(SEGMENT)) {
    const seg = m[0];
    if (CJK.test(seg)) {
      const chars = [...seg];
      if (chars.length === 1) out.push(chars[0] as string);
      for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
    } else {
      out.push(seg.toLowerCase());
    }
    if (out.length >= MAX_TOKENS) break;
  }
  return out;
}

/** Escapes a token as a tsquery lexeme ('…' with quotes doubled). */
export function lexeme(token: string): string {
  return `'${token.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;
}

/** tsvector text for the catalog row. */
export function toTsvectorText(tokens: readonly string[]): string {
  return [...new Set(tokens)].map(lexeme).join(' ');
}

/**
 * tsquery text for a user query: every token must match; the last Latin word also matches as a
 * prefix (search-as-you-type). Null when the query has no searchable token.
 */
export function toTsqueryText(query: string): string | null {
  const tokens = searchTokens(query.slice(0, 200));
  if (tokens.length === 0) return null;
  const last = tokens.length - 1;
  return tokens
    .slice(0, 32)
    .map((t, i) => (i === last && !CJK.test(t) ? `${lexeme(t)}:*` : lexeme(t)))
    .join(' & ');
}
