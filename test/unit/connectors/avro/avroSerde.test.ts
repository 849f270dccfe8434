import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import {
  commandSchema,
  telemetrySchema,
  twinStateSchema,
} from '../../../../connectors/avro/contractSchemas.js';
import { AvroDecodeError, AvroEncodeError } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import type {
  AvroSchema,
  AvroSchemaObject,
  SchemaRegistry,
} from '../../../../connectors/avro/schemaRegistry.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { commandSample, telemetrySample, timerCommandSample, twinStateSample } from './contractSamples.js';

type Field = { name: string; [k: string]: unknown };
const withFields = (schema: AvroSchemaObject, edit: (fields: Field[]) => Field[]): AvroSchemaObject => {
  const copy = structuredClone(schema) as AvroSchemaObject & { fields: Field[] };
  return { ...copy, fields: edit(copy.fields) };
};

const position = { topic: 'telemetry', partition: 3, offset: '1234' };

async function decodeFailure(serde: AvroSerde<unknown>, bytes: Uint8Array): Promise<AvroDecodeError> {
  const error = await serde.decode(bytes, position).catch((e: unknown) => e);
  if (!(error instanceof AvroDecodeError)) throw new Error(`expected AvroDecodeError, got ${String(error)}`);
  return error;
}

describe('AvroSerde', () => {
  it('round-trips Telemetry, Command and TwinState values', async () => {
    const registry = new LocalSchemaRegistry();
    const telemetry = new AvroSerde(registry, telemetrySchema);
    const commands = new AvroSerde(registry, commandSchema);
    const twins = new AvroSerde(registry, twinStateSchema);

    const t = await telemetry.decode(await telemetry.encode('telemetry', telemetrySample));
    expect(t).toEqual({ value: telemetrySample, schemaId: 1 });
    // Typed without a cast: the contract schema carries its TS shape.
    const ts: number = t.value.ts;
    expect(ts).toBe(telemetrySample.ts);

    for (const command of [commandSample, timerCommandSample]) {
      expect((await commands.decode(await commands.encode('commands', command))).value).toEqual(command);
    }
    expect((await twins.decode(await twins.encode('twin-state', twinStateSample))).value).toEqual(
      twinStateSample,
    );
  });

  it('writes magic byte 0, the registered id big-endian, then the plain Avro body', async () => {
    const registry = new LocalSchemaRegistry();
    // Push the telemetry schema to an id with several non-zero bytes.
    for (let i = 0; i < 0x0102 - 1; i++) {
      await registry.register(`filler-${i}-value`, { type: 'record', name: `F${i}`, fields: [] });
    }
    const serde = new AvroSerde(registry, telemetrySchema);
    const bytes = await serde.encode('telemetry', telemetrySample);
    expect((await registry.latest('telemetry-value'))?.id).toBe(0x0102);
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0x01, 0x02]);
    const body = avro.Type.forSchema(telemetrySchema as avro.Schema).toBuffer(telemetrySample);
    expect(bytes.subarray(5).equals(body)).toBe(true);
  });

  it('registers under <topic>-value by default, or under the subject a strategy names', async () => {
    const registry = new LocalSchemaRegistry();
    await new AvroSerde(registry, telemetrySchema).encode('plant.telemetry', telemetrySample);
    expect(await registry.latest('plant.telemetry-value')).toMatchObject({ id: 1, version: 1 });
    const custom = new AvroSerde(registry, commandSchema, { subjectOf: () => 'twinflow.control.Command' });
    await custom.encode('commands', commandSample);
    expect(await registry.latest('twinflow.control.Command')).toMatchObject({ id: 2 });
  });

  it('grows its scratch buffer for a value larger than it', async () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    const big = { ...commandSample, reason: 'x'.repeat(100_000) };
    expect((await serde.decode(await serde.encode('commands', big))).value).toEqual(big);
    expect((await serde.decode(await serde.encode('commands', commandSample))).value).toEqual(commandSample);
  });

  it('decodes a Uint8Array that views part of a larger buffer', async () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), telemetrySchema);
    const bytes = await serde.encode('telemetry', telemetrySample);
    const backing = new Uint8Array(bytes.length + 10);
    backing.set(bytes, 7);
    const view = new Uint8Array(backing.buffer, 7, bytes.length);
    expect((await serde.decode(view)).value).toEqual(telemetrySample);
  });

  describe('schema evolution', () => {
    const v2Schema = withFields(telemetrySchema, (f) => [
      ...f,
      { name: 'firmware', type: 'string', default: 'unknown', doc: 'Controller firmware version.' },
    ]);
    const v2Sample = { ...telemetrySample, firmware: '4.2.1' };

    it('a v1 reader decodes v2 data (added field with default) and drops the new field', async () => {
      const registry = new LocalSchemaRegistry();
      const v1 = new AvroSerde(registry, telemetrySchema);
      const v2 = new AvroSerde<typeof v2Sample>(registry, v2Schema);
      await v1.encode('telemetry', telemetrySample);
      const bytes = await v2.encode('telemetry', v2Sample);
      const decoded = await v1.decode(bytes);
      expect(decoded).toEqual({ value: telemetrySample, schemaId: 2 });
      expect(decoded.value).not.toHaveProperty('firmware');
    });

    it('a v2 reader decodes v1 data, filling the added field with its default', async () => {
      const registry = new LocalSchemaRegistry();
      const v1 = new AvroSerde(registry, telemetrySchema);
      const v2 = new AvroSerde<typeof v2Sample>(registry, v2Schema);
      const old = await v1.encode('telemetry', telemetrySample);
      await v2.encode('telemetry', v2Sample);
      expect(await v2.decode(old)).toEqual({
        value: { ...telemetrySample, firmware: 'unknown' },
        schemaId: 1,
      });
    });

    it('rejects an incompatible producer schema at its first encode, and retries registration later', async () => {
      const registry = new LocalSchemaRegistry();
      await new AvroSerde(registry, telemetrySchema).encode('telemetry', telemetrySample);
      const bad = withFields(telemetrySchema, (f) => [...f, { name: 'firmware', type: 'string' }]);
      const serde = new AvroSerde<typeof v2Sample>(registry, bad);
      await expect(serde.encode('telemetry', v2Sample)).rejects.toMatchObject({
        name: 'SchemaIncompatibleError',
        subject: 'telemetry-value',
        field: 'firmware',
      });
      await expect(serde.encode('telemetry', v2Sample)).rejects.toMatchObject({ field: 'firmware' });
    });

    it('gives incompatible-schema when the writer schema cannot be read into the reader schema', async () => {
      const registry = new LocalSchemaRegistry();
      const other = new AvroSerde(registry, commandSchema);
      const bytes = await other.encode('commands', commandSample);
      const e = await decodeFailure(new AvroSerde(registry, telemetrySchema), bytes);
      expect(e).toMatchObject({ reason: 'incompatible-schema', schemaId: 1, retriable: false });
    });

    it('names the field when a writer schema under another subject has a field the reader cannot read', async () => {
      const registry = new LocalSchemaRegistry();
      const reader = new AvroSerde(registry, telemetrySchema);
      await reader.encode('telemetry', telemetrySample);
      // Same record name, goodUnits as a string: registrable under its own subject, unreadable as Telemetry.
      const rogueSchema = withFields(telemetrySchema, (f) =>
        f.map((x) => (x.name === 'goodUnits' ? { ...x, type: 'string' } : x)),
      );
      const rogue = new AvroSerde<unknown>(registry, rogueSchema);
      const bytes = await rogue.encode('rogue', { ...telemetrySample, goodUnits: 'twelve hundred' });
      const e = await decodeFailure(reader, bytes);
      expect(e).toMatchObject({ reason: 'incompatible-schema', schemaId: 2, field: 'goodUnits' });
      expect(e.message).toContain('field goodUnits: type changed string → long');
      // The reader stays usable: its own data still decodes.
      const good = await reader.encode('telemetry', telemetrySample);
      expect((await reader.decode(good, position)).value).toEqual(telemetrySample);
    });
  });

  describe('encode errors', () => {
    it('names the field path and value of a field the schema does not accept', async () => {
      const serde = new AvroSerde(new LocalSchemaRegistry(), telemetrySchema);
      const bad = { ...telemetrySample, loadPct: '82%' } as unknown as Telemetry;
      const e = await serde.encode('telemetry', bad).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AvroEncodeError);
      expect(e).toMatchObject({ subject: 'telemetry-value', path: 'loadPct', retriable: false });
      expect((e as Error).message).toContain('field loadPct = "82%" is not a valid double');
    });

    it('names nested paths and every offending field', async () => {
      const serde = new AvroSerde(new LocalSchemaRegistry(), twinStateSchema);
      const bad = {
        ...twinStateSample,
        mode: 'ASLEEP',
        reported: { ...twinStateSample.reported, temperatureC: 'hot' },
      } as unknown as typeof twinStateSample;
      const e = (await serde.encode('twin-state', bad).catch((x: unknown) => x)) as AvroEncodeError;
      expect(e.fields.map((f) => [f.path, f.value])).toEqual([
        ['mode', 'ASLEEP'],
        ['reported.temperatureC', 'hot'],
      ]);
      expect(e.message).toContain('field mode');
    });

    it('names a missing required field and a long beyond 2^53', async () => {
      const serde = new AvroSerde(new LocalSchemaRegistry(), telemetrySchema);
      const { site: _site, ...noSite } = telemetrySample;
      await expect(serde.encode('telemetry', noSite as Telemetry)).rejects.toMatchObject({ path: 'site' });
      await expect(serde.encode('telemetry', { ...telemetrySample, seq: 2 ** 60 })).rejects.toMatchObject({
        path: 'seq',
      });
    });
  });

  describe('decode errors', () => {
    it('names the reason, schema id and position', async () => {
      const registry = new LocalSchemaRegistry();
      const serde = new AvroSerde(registry, telemetrySchema);
      const good = await serde.encode('telemetry', telemetrySample);

      const unknown = Buffer.from(good);
      unknown.writeUInt32BE(77, 1);
      const e = await decodeFailure(serde, unknown);
      expect(e).toMatchObject({ reason: 'unknown-schema-id', schemaId: 77, position, retriable: false });
      expect(e.message).toContain('telemetry[3]@1234');
      expect(e.message).toContain('schema id 77');

      expect(await decodeFailure(serde, good.subarray(0, good.length - 1))).toMatchObject({
        reason: 'too-short',
        schemaId: 1,
      });
      expect(await decodeFailure(serde, Buffer.concat([good, Buffer.from([0])]))).toMatchObject({
        reason: 'corrupt-body',
        schemaId: 1,
      });
      const badEnum = Buffer.from(good);
      // runState is the enum right after rpm; find it by re-encoding with a different symbol.
      const stopped = await serde.encode('telemetry', { ...telemetrySample, runState: 'STOPPED' });
      const at = good.findIndex((b, i) => b !== stopped[i]);
      badEnum[at] = 0x7e; // enum index 63: out of range
      expect(await decodeFailure(serde, badEnum)).toMatchObject({ reason: 'corrupt-body', schemaId: 1 });
    });

    it('lets a registry outage through unchanged, so the caller can retry', async () => {
      const outage = Object.assign(new Error('registry unreachable'), { retriable: true });
      const down: SchemaRegistry = {
        register: async () => 1,
        getSchema: async (): Promise<AvroSchema> => {
          throw outage;
        },
        latest: async () => undefined,
      };
      const serde = new AvroSerde(down, telemetrySchema);
      const bytes = await serde.encode('telemetry', telemetrySample);
      await expect(serde.decode(bytes)).rejects.toBe(outage);
    });

    it('looks a schema id up once, however many messages arrive at once', async () => {
      const registry = new LocalSchemaRegistry();
      let lookups = 0;
      const counting: SchemaRegistry = {
        register: (s, schema) => registry.register(s, schema),
        getSchema: (id) => {
          lookups++;
          return registry.getSchema(id);
        },
        latest: (s) => registry.latest(s),
      };
      const serde = new AvroSerde(counting, telemetrySchema);
      const bytes = await serde.encode('telemetry', telemetrySample);
      await Promise.all(Array.from({ length: 20 }, () => serde.decode(bytes)));
      await serde.decode(bytes);
      expect(lookups).toBe(1);
    });
  });
});
