import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { assertBackwardCompatible } from '../../../../connectors/avro/compatibility.js';
import { twinStateSchema } from '../../../../connectors/avro/contractSchemas.js';
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
    expect(incompatibility(reader, writer).field).toBe('e');
  });

  it('reports a renamed record without a field', () => {
    const e = incompatibility(
      record('S', [{ name: 'a', type: 'int' }]),
      record('R', [{ name: 'a', type: 'int' }]),
    );
    expect(e.field).toBeUndefined();
    expect(e.message).toContain('s-value');
  });
});
