// Reading request bodies with a hard size limit (413 before buffering more than the limit).

import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpProblem, problems, zodProblem } from './problem.ts';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw problems.tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw problems.tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

export function parseJson<S extends z.ZodType>(raw: Buffer, schema: S, where = 'request body'): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'malformed-json', `${where} is not valid JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodProblem(parsed.error, where);
  return parsed.data;
}
