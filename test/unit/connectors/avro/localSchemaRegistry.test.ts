import { describe, expect, it } from 'vitest';
import { commandSchema, telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import {
  InvalidSchemaError,
  SchemaIncompatibleError,
  SchemaNotFoundError,
} from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import type { AvroSchemaObject } from '../../../../connectors/avro/schemaRegistry.js';
import { topicNameStrategy } from '../../../../connectors/avro/schemaRegistry.js';

type Field = { name: string; [k: string]: unknown };

function withFields(schema: AvroSchemaObject, edit: (fields: Field[]) => Field[]): AvroSchemaObject {
  const copy = structuredClone(schema) as AvroSchemaObject & { fields: Field[] };
  return { ...copy, fields: edit(copy.fields) };
}

describe('LocalSchemaRegistry', () => {
  it('gives global ids from 1 and versions per subject', async () => {
    const registry = new LocalSchemaRegistry();
    expect(await registry.register('telemetry-value', telemetrySchema)).toBe(1);
    expect(await registry.register('commands-value', commandSchema)).toBe(2);
    const v2 = withFields(telemetrySchema, (f) => [
      ...f,
      { name: 'humidityPct', type: ['null', 'double'], default: null },
    ]);
    expect(await registry.register('telemetry-value', v2)).toBe(3);
    expect(await registry.latest('telemetry-value')).toEqual({
      subject: 'telemetry-value',
      id: 3,
      version: 2,
      schema: v2,
    });
    expect(await registry.latest('unknown-value')).toBeUndefined();
  });

  it('is idempotent for an identical schema, however its keys are ordered', async () => {
    const registry = new LocalSchemaRegistry();
    const id = await registry.register('telemetry-value', telemetrySchema);
    const reordered = Object.fromEntries(Object.entries(structuredClone(telemetrySchema)).reverse());
    expect(await registry.register('telemetry-value', reordered as AvroSchemaObject)).toBe(id);
    expect((await registry.latest('telemetry-value'))?.version).toBe(1);
  });

  it('gives the same global id to the same schema in another subject', async () => {
    const registry = new LocalSchemaRegistry();
    const id = await registry.register('telemetry-value', telemetrySchema);
    expect(await registry.register('telemetry-replay-value', telemetrySchema)).toBe(id);
  });

  it('treats a changed default as a new schema version', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('commands-value', commandSchema);
    const v2 = withFields(commandSchema, (f) =>
      f.map((x) => (x.name === 'horizonHours' ? { ...x, default: 12 } : x)),
    );
    expect(await registry.register('commands-value', v2)).toBe(2);
  });

  it('hands out copies of what it stores', async () => {
    const registry = new LocalSchemaRegistry();
    const id = await registry.register('telemetry-value', telemetrySchema);
    const got = (await registry.getSchema(id)) as AvroSchemaObject & { doc?: string };
    got.doc = 'changed by a caller';
    expect(await registry.getSchema(id)).toEqual(telemetrySchema);
  });

  it('rejects an unknown id with SchemaNotFoundError', async () => {
    const registry = new LocalSchemaRegistry();
    await expect(registry.getSchema(42)).rejects.toThrow(SchemaNotFoundError);
    await expect(registry.getSchema(42)).rejects.toMatchObject({ id: 42, retriable: false });
  });

  it('rejects a schema that is not valid Avro with InvalidSchemaError naming the subject', async () => {
    const registry = new LocalSchemaRegistry();
    const bad = { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] };
    await expect(registry.register('x-value', bad)).rejects.toThrow(InvalidSchemaError);
    await expect(registry.register('x-value', bad)).rejects.toThrow(/x-value/);
  });

  it('rejects a field added without a default, naming subject and field, and keeps the old version', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('telemetry-value', telemetrySchema);
    const v2 = withFields(telemetrySchema, (f) => [...f, { name: 'humidityPct', type: 'double' }]);
    const error = await registry.register('telemetry-value', v2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({ subject: 'telemetry-value', field: 'humidityPct', againstVersion: 1 });
    expect((error as Error).message).toMatch(/telemetry-value.*humidityPct/);
    expect((await registry.latest('telemetry-value'))?.version).toBe(1);
  });

  it('refuses a changed field type, saying what changed and what BACKWARD requires', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('telemetry-value', telemetrySchema);
    const v2 = withFields(telemetrySchema, (f) =>
      f.map((x) => (x.name === 'goodUnits' ? { ...x, type: 'string' } : x)),
    );
    const error = await registry.register('telemetry-value', v2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({ field: 'goodUnits', detail: 'type changed long → string' });
    expect((error as Error).message).toContain(
      'telemetry-value is not BACKWARD compatible with version 1: field goodUnits: type changed long → string; ' +
        'BACKWARD compatibility requires a reader of the new schema to read data written with version 1',
    );
    expect((await registry.latest('telemetry-value'))?.version).toBe(1);
  });

  it('accepts removing a field and adding one with a default (BACKWARD)', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register(topicNameStrategy('telemetry'), telemetrySchema);
    const v2 = withFields(telemetrySchema, (f) => [
      ...f.filter((x) => x.name !== 'pressureBar'),
      { name: 'firmware', type: 'string', default: 'unknown' },
    ]);
    expect(await registry.register(topicNameStrategy('telemetry'), v2)).toBe(2);
  });

  it('checks against the latest version only', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('telemetry-value', telemetrySchema);
    const v2 = withFields(telemetrySchema, (f) => f.filter((x) => x.name !== 'rpm'));
    await registry.register('telemetry-value', v2);
    // Adding rpm back without a default is incompatible with v2 (which has no rpm), though v1 had it.
    const v3 = withFields(v2, (f) => [...f, { name: 'rpm', type: 'double' }]);
    await expect(registry.register('telemetry-value', v3)).rejects.toMatchObject({
      field: 'rpm',
      againstVersion: 2,
    });
  });
});
