import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { customResourceDefinition } from './crd.ts';
import { renderManifests } from './generate.ts';
import { KINDS } from './kinds.ts';
import { type JsonSchema, toStructuralSchema, undocumentedFields } from './openapi.ts';

describe('generated CRDs', () => {
  for (const kind of KINDS) {
    it(`${kind.kind}: every field has a description`, () => {
      const crd = customResourceDefinition(kind) as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema } }> };
      };
      const root = crd.spec.versions[0]!.schema.openAPIV3Schema;
      const { metadata: _metadata, ...props } = root.properties as Record<string, JsonSchema>;
      expect(undocumentedFields({ properties: props })).toEqual([]);
    });
  }

  it('declares the status subresource, short names and the tessera category', () => {
    for (const kind of KINDS) {
      const crd = customResourceDefinition(kind) as {
        spec: {
          names: { shortNames: string[]; categories: string[] };
          versions: Array<{ subresources: unknown }>;
        };
      };
      expect(crd.spec.names.shortNames).toEqual([kind.shortName]);
      expect(crd.spec.names.categories).toEqual(['tessera']);
      expect(crd.spec.versions[0]!.subresources).toEqual({ status: {} });
    }
  });

  it('matches the committed manifests (run `make crds` after changing a schema)', async () => {
    const dir = join(import.meta.dirname, '..', 'manifests');
    for (const [name, content] of renderManifests()) {
      expect(await readFile(join(dir, name), 'utf8'), name).toBe(content);
    }
  });
});

describe('toStructuralSchema', () => {
  it('drops what the structural dialect forbids and keeps CEL rules', () => {
    const schema = z
      .object({ n: z.int().min(1), m: z.record(z.string(), z.string()) })
      .meta({ description: 'x', 'x-kubernetes-validations': [{ rule: 'self.n > 0', message: 'n' }] });
    const out = toStructuralSchema(schema);
    expect(out).toMatchObject({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.n > 0' }] });
    expect(out.additionalProperties).toBeUndefined();
    expect((out.properties as Record<string, JsonSchema>).n).toEqual({ type: 'integer', minimum: 1 });
    expect((out.properties as Record<string, JsonSchema>).m).toEqual({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
  });

  it('refuses unions, which the API server cannot prune', () => {
    expect(() => toStructuralSchema(z.object({ u: z.union([z.string(), z.number()]) }))).toThrow(
      /\$\.u: anyOf is not structural/,
    );
  });
});
