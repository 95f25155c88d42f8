// RFC 9457 problem details, as the store returns them (content type application/problem+json).

import { z } from 'zod';

export const PROBLEM_TYPE_BASE = 'https://tessera.dev/problems/';

export const ProblemSchema = z.looseObject({
  /** stable: `${PROBLEM_TYPE_BASE}<code>` */
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
