import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import {
  ConfluentSchemaRegistry,
  SchemaRegistryRequestError,
} from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import {
  AvroDecodeError,
  SchemaIncompatibleError,
  SchemaNotFoundError,
} from '../../../../connectors/avro/errors.js';
import type { AvroSchemaObject } from '../../../../connectors/avro/schemaRegistry.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { STACK } from '../../localStackSetup.js';

/**
 * ConfluentSchemaRegistry against the real registry of the local stack (Apicurio's
 * Confluent-compatible API). Every test uses its own subject (topic), so runs never collide.
 */

const reading: Telemetry = {
  assetId: 'pump-001',
  site: 'plant-a',
  line: 'line-1',
  ts: Date.UTC(2026, 0, 5, 8),
  seq: 17,
  temperatureC: 61.25,
  vibrationMmS: null,
  loadPct: 82.5,
  pressureBar: 4.1,
  powerKw: 37.9,
  rpm: 1480,
  runState: 'RUNNING',
  goodUnits: 1200,
  rejectedUnits: 3,
  loadLimitPct: null,
};

/** A 127.0.0.1 port nothing listens on: bound once (ephemeral), then closed, so connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

function freshTopic(): string {
  return `it-registry-${randomUUID()}`;
}

function registry(): ConfluentSchemaRegistry {
  return new ConfluentSchemaRegistry({ host: STACK.registryUrl });
}

type Field = { readonly name: string; readonly type: unknown; readonly default?: unknown };

/** The telemetry contract with its fields changed by `edit`. */
function telemetryWith(edit: (fields: Field[]) => Field[]): AvroSchemaObject {
  const fields = [...(telemetrySchema.fields as Field[])];
  return { ...telemetrySchema, fields: edit(fields) };
}

describe('ConfluentSchemaRegistry (Apicurio ccompat)', () => {
  it('registers the telemetry contract idempotently: the same schema gets the same id', async () => {
    const subject = `${freshTopic()}-value`;
    const first = await registry().register(subject, telemetrySchema);
    const again = await registry().register(subject, telemetrySchema);
    expect(again).toBe(first);

    const latest = await registry().latest(subject);
    expect(latest).toMatchObject({ subject, id: first, version: 1 });
    // The schema comes back as registered, logical type and docs included.
    expect(latest?.schema).toEqual(JSON.parse(JSON.stringify(telemetrySchema)));
    expect(await registry().getSchema(first)).toEqual(latest?.schema);
  });

  it('sets the subject to BACKWARD compatibility before registering', async () => {
    const subject = `${freshTopic()}-value`;
    await registry().register(subject, telemetrySchema);
    const answer = await fetch(`${STACK.registryUrl}/config/${subject}`);
    expect(await answer.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
  });

  it('encodes with one serde and decodes with a fresh serde and registry to the same value', async () => {
    const topic = freshTopic();
    const bytes = await new AvroSerde(registry(), telemetrySchema).encode(topic, reading);
    const decoded = await new AvroSerde(registry(), telemetrySchema).decode(bytes, `${topic}@0`);
    expect(decoded.value).toEqual(reading);
    expect(decoded.schemaId).toBe(bytes.readUInt32BE(1));
  });

  it('accepts a v2 with an added defaulted field, and a v1 reader decodes v2 data', async () => {
    const topic = freshTopic();
    const v1 = new AvroSerde(registry(), telemetrySchema);
    const v1Id = (await v1.encode(topic, reading)).readUInt32BE(1);

    const v2Schema = telemetryWith((fields) => [
      ...fields,
      { name: 'firmware', type: 'string', default: 'unknown' },
    ]);
    const v2 = new AvroSerde<Telemetry & { firmware: string }>(registry(), v2Schema);
    const v2Bytes = await v2.encode(topic, { ...reading, firmware: '2.4.1' });
    const v2Id = v2Bytes.readUInt32BE(1);
    expect(v2Id).not.toBe(v1Id);
    expect(await registry().latest(`${topic}-value`)).toMatchObject({ id: v2Id, version: 2 });

    const read = await new AvroSerde(registry(), telemetrySchema).decode(v2Bytes, `${topic}@1`);
    expect(read).toEqual({ value: reading, schemaId: v2Id });
  });

  it('rejects a new field without a default with SchemaIncompatibleError naming subject and field', async () => {
    const subject = `${freshTopic()}-value`;
    await registry().register(subject, telemetrySchema);
    const v2 = telemetryWith((fields) => [...fields, { name: 'firmware', type: 'string' }]);
    const error = await registry()
      .register(subject, v2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({ subject, field: 'firmware', againstVersion: 1, retriable: false });
    expect((error as Error).message).toContain(subject);
  });

  it('rejects a changed field type with SchemaIncompatibleError naming the field', async () => {
    const subject = `${freshTopic()}-value`;
    await registry().register(subject, telemetrySchema);
    const v2 = telemetryWith((fields) =>
      fields.map((f) => (f.name === 'loadPct' ? { ...f, type: 'string' } : f)),
    );
    const error = await registry()
      .register(subject, v2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({ subject, field: 'loadPct' });
    // The rejected schema is not a version of the subject.
    expect(await registry().latest(subject)).toMatchObject({ version: 1 });
  });

  it('rejects an unknown id with SchemaNotFoundError, and the serde with unknown-schema-id', async () => {
    const unknownId = 2_000_000_000;
    await expect(registry().getSchema(unknownId)).rejects.toBeInstanceOf(SchemaNotFoundError);
    const framed = Buffer.from([0, 0x77, 0x35, 0x94, 0x00, 0x02]);
    await expect(new AvroSerde(registry(), telemetrySchema).decode(framed, 'framed')).rejects.toMatchObject({
      constructor: AvroDecodeError,
      reason: 'unknown-schema-id',
    });
    expect(await registry().latest(`${freshTopic()}-value`)).toBeUndefined();
  });

  it('reports an unreachable registry as a retriable SchemaRegistryRequestError', async () => {
    const down = new ConfluentSchemaRegistry({
      host: `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`,
      retries: 0,
    });
    for (const call of [() => down.getSchema(1), () => down.register('x-value', telemetrySchema)]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaRegistryRequestError);
      expect(error).toMatchObject({ retriable: true, status: undefined });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    }
  });
});
