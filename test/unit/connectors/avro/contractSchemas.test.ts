import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import {
  ContractSchemaLoadError,
  commandSchema,
  contractSchemaDir,
  findContractSchemaDir,
  telemetrySchema,
  twinStateSchema,
} from '../../../../connectors/avro/contractSchemas.js';
import type { AvroSchema } from '../../../../connectors/avro/schemaRegistry.js';

const contracts = {
  'telemetry.avsc': telemetrySchema,
  'command.avsc': commandSchema,
  'twinState.avsc': twinStateSchema,
};

interface FieldJson {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: unknown;
}

/** Every record field of a schema, nested ones included, with its dotted path. */
function fieldsOf(schema: AvroSchema, prefix = ''): Array<{ path: string; field: FieldJson }> {
  if (typeof schema === 'string') return [];
  if (Array.isArray(schema)) return schema.flatMap((branch) => fieldsOf(branch, prefix));
  const object = schema as { type: AvroSchema; fields?: FieldJson[] };
  if (object.type !== 'record') return typeof object.type === 'string' ? [] : fieldsOf(object.type, prefix);
  return (object.fields ?? []).flatMap((field) => {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
    return [{ path, field }, ...fieldsOf(field.type, path)];
  });
}

const isNullableUnion = (type: AvroSchema) => Array.isArray(type) && type.includes('null');

// Self-describing identifiers, the parts of a Kafka position, an enum whose
// symbols say it all, and a record whose every field is documented: a doc
// would repeat the name, and a default would hide a producer bug.
const undocumentedByDesign = new Set([
  'command.avsc:assetId',
  'command.avsc:action',
  'command.avsc:source.topic',
  'command.avsc:source.partition',
  'twinState.avsc:assetId',
  'twinState.avsc:health',
]);

/** A field is described by its own doc or default, or by the doc of the named type it declares. */
const isDescribed = (field: FieldJson) =>
  field.doc !== undefined || 'default' in field || (field.type as { doc?: string }).doc !== undefined;

describe('contract schemas', () => {
  it('load from schemas/avro and equal the files', () => {
    expect(contractSchemaDir).toMatch(/schemas[/\\]avro[/\\]$/);
    for (const [file, schema] of Object.entries(contracts)) {
      expect(schema).toEqual(JSON.parse(readFileSync(`${contractSchemaDir}${file}`, 'utf8')));
    }
  });

  it('are found from the built layout (dist/connectors/avro/) as well as from source', () => {
    const root = new URL('../../../../', import.meta.url);
    const fromSource = findContractSchemaDir(new URL('connectors/avro/contractSchemas.ts', root).href);
    const fromDist = findContractSchemaDir(new URL('dist/connectors/avro/contractSchemas.js', root).href);
    expect(fromDist).toBe(fromSource);
    expect(() => findContractSchemaDir(pathToFileURL('/nowhere/a/b/c.js').href)).toThrow(
      ContractSchemaLoadError,
    );
  });

  it('are frozen, so no user can change the contract for the rest of the process', () => {
    expect(Object.isFrozen(telemetrySchema)).toBe(true);
    expect(Object.isFrozen((telemetrySchema as unknown as { fields: object[] }).fields[0])).toBe(true);
  });

  it('parse as Avro with the names the registry subjects and resolvers rely on', () => {
    expect(avro.Type.forSchema(telemetrySchema as avro.Schema).name).toBe('twinflow.plant.Telemetry');
    expect(avro.Type.forSchema(commandSchema as avro.Schema).name).toBe('twinflow.control.Command');
    expect(avro.Type.forSchema(twinStateSchema as avro.Schema).name).toBe('twinflow.twin.TwinState');
  });

  it('document every field or give it a default, except self-describing identifiers', () => {
    const bare = Object.entries(contracts).flatMap(([file, schema]) =>
      fieldsOf(schema)
        .filter(({ field }) => !isDescribed(field))
        .map(({ path }) => `${file}:${path}`),
    );
    expect(bare.sort()).toEqual([...undocumentedByDesign].sort());
  });

  it('default every nullable field to null and every enum to a symbol, so the schemas can evolve', () => {
    for (const schema of Object.values(contracts)) {
      for (const { path, field } of fieldsOf(schema)) {
        if (isNullableUnion(field.type)) expect(field.default, path).toBeNull();
        const type = field.type as { type?: string; symbols?: string[]; default?: string };
        if (type.type === 'enum') expect(type.symbols, path).toContain(type.default);
      }
    }
  });

  it('read their own defaults into values of the TS shape (a record of only defaults where all have one)', () => {
    const health = avro.Type.forSchema(
      (twinStateSchema as unknown as { fields: FieldJson[] }).fields.find((f) => f.name === 'health')!
        .type as avro.Schema,
    );
    // Health has a default for every field: data of an empty writer record reads as all defaults.
    const empty = avro.Type.forSchema({ type: 'record', name: 'Health', fields: [] });
    expect({ ...health.fromBuffer(Buffer.alloc(0), health.createResolver(empty)) }).toEqual({
      risk: 0,
      rulHours: null,
      anomalyScore: 0,
      wearEstimate: 0,
      model: 'RULE',
    });
  });
});
