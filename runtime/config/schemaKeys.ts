import type { z } from 'zod';

/**
 * Reads the config schema's own structure, so environment overrides and
 * "unknown setting" messages know the settings a file can have without a
 * second list that could drift from the schema. Uses zod 4's `_zod.def`,
 * the introspection surface zod documents for library authors.
 */

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: readonly z.ZodType[];
  readonly element?: z.ZodType;
  /** A record's value schema. */
  readonly valueType?: z.ZodType;
}

const def = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/prefault wrappers and transforms down to the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.innerType !== undefined) s = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) s = d.in;
    else return s;
  }
}

/**
 * The keys an object schema takes, each with its schema; for a union of
 * objects (a secret reference) the keys of every option. `undefined` for a
 * schema that is not an object.
 *
 * @example
 * [...settingKeys(jobConfigSchema)!.keys()]; // ['job', 'kafka', 'schemaRegistry', …]
 */
export function settingKeys(schema: z.ZodType): ReadonlyMap<string, z.ZodType> | undefined {
  const d = def(unwrap(schema));
  if (d.type === 'object' && d.shape !== undefined) return new Map(Object.entries(d.shape));
  if (d.type === 'union' && d.options !== undefined) {
    const keys = new Map<string, z.ZodType>();
    for (const option of d.options) for (const [k, v] of settingKeys(option) ?? []) keys.set(k, v);
    return keys.size > 0 ? keys : undefined;
  }
  return undefined;
}

/**
 * The schema of every value of a record setting (a mapping whose keys are
 * names the user chooses, such as outputs by name), or `undefined` for a
 * schema that is not a record.
 *
 * @example
 * recordValues(settingAt(jobConfigSchema, ['topics', 'outputs'])!); // the topic-name schema
 */
export function recordValues(schema: z.ZodType): z.ZodType | undefined {
  const d = def(unwrap(schema));
  return d.type === 'record' ? d.valueType : undefined;
}

/**
 * The schema of the setting at `path` (list indices step into the list's
 * element), or `undefined` when the schema has no such setting.
 *
 * @example
 * settingAt(jobConfigSchema, ['kafka', 'sasl']); // the sasl object schema
 */
export function settingAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (typeof segment === 'number') {
      node = def(unwrap(node)).element;
    } else {
      node = settingKeys(node)?.get(String(segment));
    }
  }
  return node;
}

/**
 * How a text value (from an environment variable) maps onto a setting:
 * taken as it is for strings and enums, split on commas for lists of
 * strings, parsed as YAML for the rest.
 *
 * @example
 * valueKind(settingAt(jobConfigSchema, ['kafka', 'brokers'])!); // 'string[]'
 */
export function valueKind(schema: z.ZodType): 'string' | 'string[]' | 'yaml' {
  const d = def(unwrap(schema));
  if (d.type === 'string' || d.type === 'enum') return 'string';
  if (d.type === 'array' && d.element !== undefined && def(unwrap(d.element)).type === 'string') {
    return 'string[]';
  }
  return 'yaml';
}
