// RFC 9457 problem details, as the store returns them (content type application/problem+json).

import * as z from 'zod/mini';
import { count } from './schema-helpers.ts';

export const PROBLEM_TYPE_BASE = 'https://tessera.dev/problems/';

export const ProblemSchema = z.looseObject({
  /** stable: `${PROBLEM_TYPE_BASE}<code>` */
  type: z.string(),
  title: z.string(),
  status: count(),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  code: z.string(),
  requestId: z.optional(z.string()),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
});
export type Problem = z.infer<typeof ProblemSchema>;
