import type { Type, types } from 'avsc';
import { SchemaIncompatibleError } from './errors.js';

/**
 * Why data written with one schema cannot be read with another: the first
 * field at fault (dotted path from the record root; undefined when the whole
 * type is at fault, e.g. a renamed record) and what changed there, in words.
 */
export interface Incompatibility {
  readonly field: string | undefined;
  /** What changed, old (writer) first: `type changed long → string`, `added without a default, …`. */
  readonly detail: string;
}

/**
 * Explains, field by field, why `reader` cannot read data written with
 * `writer`; undefined when it can. avsc decides (its `createResolver` throws
 * exactly when it cannot read); the schemas are then walked with avsc's
 * matching rules (names and aliases) to name the first field at fault,
 * because avsc's own message does not (`cannot read "long" as "string"`).
 * The one explanation behind both a refused registration (the old version
 * against the new schema) and a dead-lettered message (its writer schema
 * against the job's reader schema).
 *
 * @example
 * explainIncompatibility(avro.Type.forSchema(v2), avro.Type.forSchema(v1));
 * // { field: 'goodUnits', detail: 'type changed long → string' }
 */
export function explainIncompatibility(reader: Type, writer: Type): Incompatibility | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return (
      findIncompatibleField(reader, writer, '') ?? {
        field: undefined,
        detail: typeChange(reader, writer, error),
      }
    );
  }
}

/**
 * Checks Confluent's BACKWARD compatibility: data written with `writer` (the
 * subject's latest version) must be readable with `reader` (the new schema).
 * On failure throws SchemaIncompatibleError naming the subject, the version
 * and the field at fault with what changed there (explainIncompatibility).
 *
 * @example
 * assertBackwardCompatible('telemetry-value', avro.Type.forSchema(v2), avro.Type.forSchema(v1), 1);
 * // throws SchemaIncompatibleError { subject: 'telemetry-value', field: 'goodUnits', detail: 'type changed long → string' }
 */
export function assertBackwardCompatible(
  subject: string,
  reader: Type,
  writer: Type,
  writerVersion: number,
): void {
  const fault = explainIncompatibility(reader, writer);
  if (fault !== undefined) {
    throw new SchemaIncompatibleError(subject, fault.field, writerVersion, fault.detail);
  }
}

/** The first reader field (depth first) that cannot read its writer counterpart; undefined when no field is at fault. */
function findIncompatibleField(reader: Type, writer: Type, prefix: string): Incompatibility | undefined {
  if (reader.typeName !== 'record' || writer.typeName !== 'record') return undefined;
  // avsc checks the record's name before its fields: a renamed record is at fault as a whole.
  if (!sameNamedType(reader, writer)) return undefined;
  const writerFields = (writer as types.RecordType).fields;
  for (const field of (reader as types.RecordType).fields) {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
    // Same matching rule as avsc's resolver: by name, or by one of the reader field's aliases.
    const counterpart = writerFields.find((w) => w.name === field.name || field.aliases.includes(w.name));
    if (counterpart === undefined) {
      if (field.defaultValue() === undefined) {
        return { field: path, detail: 'added without a default, so data written before it cannot be read' };
      }
      continue;
    }
    try {
      field.type.createResolver(counterpart.type);
    } catch (error) {
      return (
        findIncompatibleField(field.type, counterpart.type, path) ?? {
          field: path,
          detail: typeChange(field.type, counterpart.type, error),
        }
      );
    }
  }
  return undefined;
}

/** What changed between a writer type and the reader type that cannot read it, in words. */
function typeChange(reader: Type, writer: Type, error: unknown): string {
  if (reader.name !== undefined && writer.typeName === reader.typeName && !sameNamedType(reader, writer)) {
    return `${reader.typeName} renamed ${writer.name} → ${reader.name} without an alias for the old name`;
  }
  if (reader.typeName === 'enum' && writer.typeName === 'enum') {
    const kept = new Set((reader as types.EnumType).symbols);
    const lost = (writer as types.EnumType).symbols.filter((s) => !kept.has(s));
    if (lost.length > 0) {
      return `enum ${reader.name} lost symbol(s) ${lost.join(', ')} and has no default to read them as`;
    }
  }
  const change = `type changed ${describeType(writer)} → ${describeType(reader)}`;
  // avsc's reason adds something only when it is not the bare "cannot read X as Y".
  const reason = error instanceof Error ? error.message : String(error);
  return reason.startsWith('cannot read ') ? change : `${change} (${reason})`;
}

/** Whether avsc takes `writer` for `reader`'s named type: the same full name, or one of the reader's aliases. */
function sameNamedType(reader: Type, writer: Type): boolean {
  if (reader.name === undefined || writer.name === undefined) return true;
  return reader.name === writer.name || (reader.aliases ?? []).includes(writer.name);
}

function describeType(type: Type): string {
  if (type.typeName.startsWith('union')) {
    return `union [${(type as types.UnwrappedUnionType).types.map(describeType).join(', ')}]`;
  }
  switch (type.typeName) {
    case 'array':
      return `array of ${describeType((type as types.ArrayType).itemsType)}`;
    case 'map':
      return `map of ${describeType((type as types.MapType).valuesType as Type)}`;
    default:
      return type.name === undefined ? type.typeName : `${type.typeName} ${type.name}`;
  }
}
