import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KINDS } from './kinds.ts';
import { MiniProgramVersionSchema } from './miniprogramversion.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'bank');

describe('zod schemas', () => {
  it('accept every example (the same objects the API server accepts)', async () => {
    for (const file of await readdir(examples)) {
      for (const doc of parseAllDocuments(await readFile(join(examples, file), 'utf8'))) {
        const obj = doc.toJSON() as { kind: string };
        const kind = KINDS.find((k) => k.kind === obj.kind);
        expect(kind, obj.kind).toBeDefined();
        const result = kind!.schema.safeParse(obj);
        expect(result.error?.issues ?? [], `${file}: ${obj.kind}`).toEqual([]);
      }
    }
  });

  it('reject a version with two sources, with a message naming the fields', () => {
    const result = MiniProgramVersionSchema.safeParse({
      apiVersion: 'tessera.dev/v1alpha1',
      kind: 'MiniProgramVersion',
      metadata: { name: 'x' },
      spec: {
        miniProgram: 'transfer',
        version: '1.0.0',
        source: { configMap: { name: 'a' }, upload: { digest: `sha256:${'0'.repeat(64)}` } },
      },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/exactly one of spec\.source\.upload/);
  });

  it('reject an invalid semantic version with an example of a valid one', () => {
    const result = MiniProgramVersionSchema.shape.spec.safeParse({
      miniProgram: 'transfer',
      version: '01.2',
      source: { configMap: { name: 'a' } },
    });
    expect(result.error?.issues[0]?.message).toMatch(/semantic version such as 1\.4\.0/);
  });
});
