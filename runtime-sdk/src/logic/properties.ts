// Component properties: declarations (`name: String` or `{type, optionalTypes, value, observer}`)
// and WeChat-style coercion of values handed down by the parent template.

export type PropType =
  | StringConstructor
  | NumberConstructor
  | BooleanConstructor
  | ObjectConstructor
  | ArrayConstructor
  | null;

export interface PropertyDef {
  type: PropType;
  optionalTypes: PropType[];
  value: unknown;
  observer?: ((this: unknown, newVal: unknown, oldVal: unknown) => void) | string | undefined;
}

export function normalizeProperty(decl: unknown): PropertyDef {
  if (
    decl === null ||
    decl === String ||
    decl === Number ||
    decl === Boolean ||
    decl === Object ||
    decl === Array
  ) {
    const type = decl as PropType;
    return { type, optionalTypes: [], value: defaultFor(type) };
  }
  if (typeof decl === 'object') {
    const d = decl as Record<string, unknown>;
    const type = (d.type ?? null) as PropType;
    const optionalTypes = Array.isArray(d.optionalTypes) ? (d.optionalTypes as PropType[]) : [];
    const value = 'value' in d ? d.value : defaultFor(type);
    const observer = d.observer as PropertyDef['observer'];
    return { type, optionalTypes, value, observer };
  }
  return { type: null, optionalTypes: [], value: null };
}

function defaultFor(type: PropType): unknown {
  switch (type) {
    case String:
      return '';
    case Number:
      return 0;
    case Boolean:
      return false;
    case Object:
      return null;
    case Array:
      return [];
    default:
      return null;
  }
}

function matches(type: PropType, v: unknown): boolean {
  switch (type) {
    case null:
      return true;
    case String:
      return typeof v === 'string';
    case Number:
      return typeof v === 'number';
    case Boolean:
      return typeof v === 'boolean';
    case Array:
      return Array.isArray(v);
    case Object:
      return typeof v === 'object';
    default:
      return false;
  }
}

/** Coerces a value to the declared type the way WeChat does (mismatched objects → default). */
export function coerceProperty(def: PropertyDef, v: unknown): unknown {
  if (matches(def.type, v)) return v;
  for (const t of def.optionalTypes) if (matches(t, v)) return v;
  switch (def.type) {
    case String:
      return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case Number: {
      const n = Number(v);
      return Number.isFinite(n) ? n : 0;
    }
    case Boolean:
      return Boolean(v);
    default:
      return def.value;
  }
}
