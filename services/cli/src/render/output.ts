// Machine-readable output: the same document as JSON or YAML, on stdout, nothing else.

import { stringify } from 'yaml';
import type { OutputFormat } from '../args.ts';

export function formatDocument(doc: unknown, format: Exclude<OutputFormat, 'table' | 'wide'>): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc);
}
