// Plain aligned tables in the style of kubectl get: upper-case headers, columns separated by
// three spaces, no trailing whitespace, "<none>" for empty cells.

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) =>
    headers.map((_, i) => (r[i] === undefined || r[i] === '' ? '<none>' : (r[i] ?? ''))),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n');
}

/** "key: value" lines with the values aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length + 1));
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${v === '' ? '<none>' : v}`).join('\n');
}

/** "5m", "3h", "2d" like kubectl's AGE column. */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (Number.isNaN(seconds)) return '';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
