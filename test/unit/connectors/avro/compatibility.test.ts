import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  assertBackwardCompatible,
  explainIncompatibility,
} from '../../../../connectors/avro/compatibility.js';
import { telemetrySchema, twinStateSchema } from '../../../../connectors/avro/contractSchemas.js';
import { SchemaIncompatibleError } from '../../../../connectors/avro/errors.js';

const record = (name: string, fields: unknown[]) =>
  avro.Type.forSchema({ type: 'record', name, fields } as avro.Schema);

function incompatibility(reader: avro.Type, writer: avro.Type): SchemaIncompatibleError {
  try {
    assertBackwardCompatible('s-value', reader, writer, 4);
  } catch (error) {
    if (error instanceof SchemaIncompatibleError) return error;
    throw error;
  }
  throw new Error('expected SchemaIncompatibleError');
}

describe('assertBackwardCompatible', () => {
  it('accepts a reader that widens int to long and adds a defaulted field', () => {
    const writer = record('R', [{ name: 'a', type: 'int' }]);
    const reader = record('R', [
      { name: 'a', type: 'long' },
      { name: 'b', type: 'string', default: '' },
    ]);
    expect(() => assertBackwardCompatible('s-value', reader, writer, 1)).not.toThrow();
  });

  it('names a field whose type the reader cannot read', () => {
    const writer = record('R', [{ name: 'a', type: 'string' }]);
    const reader = record('R', [{ name: 'a', type: 'int' }]);
    const e = incompatibility(reader, writer);
    expect(e).toMatchObject({ subject: 's-value', field: 'a', againstVersion: 4, retriable: false });
    expect(e.message).toContain('field a');
  });

  it('says what changed, old first, and what BACKWARD requires', () => {
    const writer = avro.Type.forSchema(telemetrySchema as avro.Schema);
    const changed = structuredClone(telemetrySchema) as unknown as {
      fields: Array<{ name: string; type: unknown }>;
    };
    changed.fields.find((f) => f.name === 'goodUnits')!.type = 'string';
    const e = incompatibility(avro.Type.forSchema(changed as avro.Schema), writer);
    expect(e).toMatchObject({ field: 'goodUnits', detail: 'type changed long → string' });
    expect(e.message).toBe(
      'schema for subject s-value is not BACKWARD compatible with version 4: field goodUnits: type changed long → string; ' +
        'BACKWARD compatibility requires a reader of the new schema to read data written with version 4',
    );
  });

  it('describes a union that lost the branch old data was written with', () => {
    const writer = record('R', [{ name: 'v', type: ['null', 'double'], default: null }]);
    const reader = record('R', [{ name: 'v', type: ['null', 'string'], default: null }]);
    expect(explainIncompatibility(reader, writer)).toEqual({
      field: 'v',
      detail: 'type changed union [null, double] → union [null, string]',
    });
  });

  it('names a nested field by its dotted path', () => {
    const writer = avro.Type.forSchema(twinStateSchema as avro.Schema);
    const changed = structuredClone(twinStateSchema) as unknown as {
      fields: Array<{ name: string; type: { fields: Array<{ name: string; type: unknown }> } }>;
    };
    const reported = changed.fields.find((f) => f.name === 'reported')!;
    reported.type.fields.find((f) => f.name === 'runState')!.type = ['null', 'int'];
    expect(incompatibility(avro.Type.forSchema(changed as avro.Schema), writer).field).toBe(
      'reported.runState',
    );
  });

  it('names an enum that lost a symbol without a default', () => {
    const writer = record('R', [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }]);
    const reader = record('R', [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] } }]);
    const e = incompatibility(reader, writer);
    expect(e.field).toBe('e');
    expect(e.detail).toBe('enum E lost symbol(s) B and has no default to read them as');
  });

  it('names a nested record renamed without an alias at its field', () => {
    const inner = (name: string) => ({ type: 'record', name, fields: [{ name: 'x', type: 'int' }] });
    const e = explainIncompatibility(
      record('R', [{ name: 'p', type: inner('Q') }]),
      record('R', [{ name: 'p', type: inner('P') }]),
    );
    expect(e).toEqual({ field: 'p', detail: 'record renamed P → Q without an alias for the old name' });
  });

  it('explains nothing for schemas that resolve', () => {
    const writer = record('R', [{ name: 'a', type: 'int' }]);
    expect(explainIncompatibility(record('R', [{ name: 'a', type: 'long' }]), writer)).toBeUndefined();
  });

  it('reports a renamed record without a field', () => {
    const e = incompatibility(
      record('S', [{ name: 'a', type: 'int' }]),
      record('R', [{ name: 'a', type: 'int' }]),
    );
    expect(e.field).toBeUndefined();
    expect(e.detail).toBe('record renamed R → S without an alias for the old name');
    expect(e.message).toContain('s-value');
  });
});
