// Reading request bodies with a hard size limit (413 before buffering more than the limit).

import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpProblem, problems, zodProblem } from './problem.ts';

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(problems.tooLarge(limit));
  // listeners rather than an async iterator: this runs on every device request
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: unknown, body?: Buffer) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', settle);
      req.off('close', onClose);
      if (body) resolve(body);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        settle(problems.tooLarge(limit));
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(null, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    const onClose = () => settle(new Error('the client closed the connection before sending the whole body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', settle);
    req.on('close', onClose);
  });
}

export function parseJson<S extends z.core.$ZodType>(
  raw: Buffer,
  schema: S,
  where = 'request body',
): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'malformed-json', `${where} is not valid JSON`);
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw zodProblem(parsed.error, where);
  return parsed.data;
}
