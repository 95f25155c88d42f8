// --match attr=Op:v1,v2 → a GrayRule condition. "!" before the operator inverts it and "/i"
// after it compares case-insensitively, e.g. region=!In/i:CN,HK. Exists takes no values.

import { GRAY_OPERATORS, type GrayCondition, GrayConditionSchema } from '@tessera/crds';
import { usageError } from './errors.ts';

const MULTI_VALUE = new Set(['In', 'NotIn']);

export function parseMatch(text: string): GrayCondition {
  const m = /^([^=]+)=(!?)([A-Za-z]+)(\/i)?(?::(.*))?$/s.exec(text);
  if (!m) {
    throw usageError(
      `--match "${text}" must look like attribute=Operator:values, e.g. region=In:cn,hk or beta=Is:true`,
    );
  }
  const [, attribute = '', inverted, operator = '', ci, raw] = m;
  if (!(GRAY_OPERATORS as readonly string[]).includes(operator)) {
    throw usageError(
      `--match "${text}": unknown operator ${operator}; use one of ${GRAY_OPERATORS.join(', ')}`,
    );
  }
  const values = raw === undefined || raw === '' ? [] : MULTI_VALUE.has(operator) ? raw.split(',') : [raw];
  const parsed = GrayConditionSchema.safeParse({
    attribute,
    operator,
    values,
    caseInsensitive: ci !== undefined,
    inverted: inverted === '!',
  });
  if (!parsed.success) {
    throw usageError(`--match "${text}": ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (operator !== 'Exists' && values.length === 0) {
    throw usageError(`--match "${text}": ${operator} needs a value after ":"`);
  }
  return parsed.data;
}
