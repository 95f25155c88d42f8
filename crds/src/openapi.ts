import { z } from 'zod';

/** A JSON-schema node as the Kubernetes structural-schema dialect (OpenAPI v3 subset) accepts it. */
export type JsonSchema = { [key: string]: unknown };

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/**
 * Converts a zod schema to a Kubernetes structural schema: OpenAPI 3.0 from
 * zod's own generator, then the rewrites the API server requires.
 */
export function toStructuralSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' });
  return normalize(raw as JsonSchema, '$');
}

function normalize(node: JsonSchema, path: string): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case 'id':
      case 'propertyNames':
        break; // not part of the structural dialect
      case 'additionalProperties':
        // `false` is the default for structural schemas (unknown fields are pruned
        // or, under strict field validation, rejected); a schema maps a record.
        if (value !== false) out[key] = normalize(value as JsonSchema, `${path}.*`);
        break;
      case 'properties': {
        const props: JsonSchema = {};
        for (const [name, sub] of Object.entries(value as Record<string, JsonSchema>)) {
          props[name] = normalize(sub, `${path}.${name}`);
        }
        out[key] = props;
        break;
      }
      case 'items':
        out[key] = normalize(value as JsonSchema, `${path}[]`);
        break;
      case 'minimum':
      case 'maximum':
        if (Math.abs(value as number) < SAFE_INT) out[key] = value;
        break;
      case 'pattern':
        // zod's date-time pattern duplicates what format: date-time already checks.
        if (node.format !== 'date-time') out[key] = value;
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        throw new Error(
          `${path}: ${key} is not structural; model alternatives as optional fields plus a CEL rule`,
        );
      default:
        out[key] = value;
    }
  }
  if (out.type === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new Error(`${path}: every node of a structural schema needs a type`);
  }
  return out;
}

/** Paths of object properties that lack a description (kubectl explain would be empty there). */
export function undocumentedFields(schema: JsonSchema, path = ''): string[] {
  const missing: string[] = [];
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [name, sub] of Object.entries(props ?? {})) {
    const p = path ? `${path}.${name}` : name;
    if (typeof sub.description !== 'string' || sub.description.length === 0) missing.push(p);
    missing.push(...undocumentedFields(sub, p));
  }
  const items = schema.items as JsonSchema | undefined;
  if (items) missing.push(...undocumentedFields(items, `${path}[]`));
  const additional = schema.additionalProperties as JsonSchema | undefined;
  if (additional && typeof additional === 'object')
    missing.push(...undocumentedFields(additional, `${path}.*`));
  return missing;
}
