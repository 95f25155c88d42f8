import { describe, expect, it } from 'vitest';
import { customResourceDefinition } from './crd.ts';
import { KINDS } from './kinds.ts';
import type { JsonSchema } from './openapi.ts';

// Every list, map and string of these kinds has a size bound: the API server needs them to
// cost CEL rules, and an unbounded field lets one object grow to the request size limit.
// (Tenant and HostApp join the list once their schemas are bounded.)
const BOUNDED = ['GrayRule', 'HostApp', 'MiniProgram', 'MiniProgramVersion', 'Tenant'];

function unbounded(node: JsonSchema, path: string): string[] {
  const out: string[] = [];
  if (node.type === 'array' && node.maxItems === undefined) out.push(`${path}: list without maxItems`);
  if (node.type === 'object' && node.additionalProperties !== undefined && node.maxProperties === undefined) {
    out.push(`${path}: map without maxProperties`);
  }
  if (node.type === 'string' && node.maxLength === undefined && node.enum === undefined) {
    out.push(`${path}: string without maxLength`);
  }
  for (const [name, sub] of Object.entries((node.properties as Record<string, JsonSchema>) ?? {})) {
    out.push(...unbounded(sub, `${path}.${name}`));
  }
  if (node.items) out.push(...unbounded(node.items as JsonSchema, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    out.push(...unbounded(node.additionalProperties as JsonSchema, `${path}.*`));
  }
  return out;
}

describe('size bounds', () => {
  for (const kind of KINDS.filter((k) => BOUNDED.includes(k.kind))) {
    it(`${kind.kind}: every list, map and string is bounded`, () => {
      const crd = customResourceDefinition(kind) as {
        spec: { versions: Array<{ schema: { openAPIV3Schema: JsonSchema } }> };
      };
      const props = crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Record<string, JsonSchema>;
      expect([
        ...unbounded(props.spec as JsonSchema, 'spec'),
        ...unbounded(props.status as JsonSchema, 'status'),
      ]).toEqual([]);
    });
  }
});
