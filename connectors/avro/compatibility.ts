import type { Type, types } from 'avsc';
import { SchemaIncompatibleError } from './errors.js';

/**
 * Checks Confluent's BACKWARD compatibility: data written with `writer` (the
 * subject's latest version) must be readable with `reader` (the new schema).
 * avsc decides (its `createResolver` throws when the reader cannot read the
 * writer's data); on failure the schemas are walked field by field to name the
 * first field at fault.
 *
 * @example
 * assertBackwardCompatible('telemetry-value', avro.Type.forSchema(v2), avro.Type.forSchema(v1), 1);
 * // throws SchemaIncompatibleError { subject: 'telemetry-value', field: 'x' } when v2 adds `x` without a default
 */
export function assertBackwardCompatible(
  subject: string,
  reader: Type,
  writer: Type,
  writerVersion: number,
): void {
  try {
    reader.createResolver(writer);
  } catch (error) {
    const fault = findIncompatibleField(reader, writer, '');
    throw new SchemaIncompatibleError(
      subject,
      fault?.field,
      writerVersion,
      fault?.detail ?? (error instanceof Error ? error.message : String(error)),
      { cause: error },
    );
  }
}

interface Fault {
  readonly field: string;
  readonly detail: string;
}

/** The first reader field (depth first) that cannot read its writer counterpart; undefined when no field is at fault (e.g. a renamed record). */
function findIncompatibleField(reader: Type, writer: Type, prefix: string): Fault | undefined {
  if (reader.typeName !== 'record' || writer.typeName !== 'record') return undefined;
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
          detail: `cannot read the previous ${describeType(counterpart.type)} as ${describeType(field.type)} (${error instanceof Error ? error.message : String(error)})`,
        }
      );
    }
  }
  return undefined;
}

function describeType(type: Type): string {
  return type.name === undefined ? type.typeName : `${type.typeName} ${type.name}`;
}
