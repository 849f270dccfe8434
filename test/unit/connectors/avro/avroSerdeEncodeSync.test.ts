import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { commandSchema, telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { AvroEncodeError } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import type { AvroSchema, SchemaRegistry } from '../../../../connectors/avro/schemaRegistry.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { commandSample, telemetrySample } from './contractSamples.js';

/** A registry whose next `failures` registrations fail, as a remote one in an outage would. */
class FlakyRegistry implements SchemaRegistry {
  readonly inner = new LocalSchemaRegistry();
  registrations = 0;
  constructor(private failures: number) {}
  async register(subject: string, schema: AvroSchema): Promise<number> {
    this.registrations++;
    if (this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('registry unavailable'), { retriable: true });
    }
    return this.inner.register(subject, schema);
  }
  getSchema(id: number): Promise<AvroSchema> {
    return this.inner.getSchema(id);
  }
  latest(subject: string) {
    return this.inner.latest(subject);
  }
}

describe('AvroSerde.prepare / encodeSync', () => {
  it('refuses a topic that was not prepared, naming it', () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    expect(() => serde.encodeSync('commands', commandSample)).toThrow(
      'AvroSerde.encodeSync: topic commands was not prepared (await serde.prepare(topic) first)',
    );
  });

  it("registers the schema under the topic's subject and resolves to its id", async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('other-value', telemetrySchema); // id 1
    const serde = new AvroSerde(registry, commandSchema);
    expect(await serde.prepare('commands')).toBe(2);
    expect(await registry.latest('commands-value')).toMatchObject({ id: 2, version: 1 });
  });

  it('frames the same bytes as encode, which decode reads back', async () => {
    const registry = new LocalSchemaRegistry();
    const serde = new AvroSerde(registry, commandSchema);
    await serde.prepare('commands');
    const sync = serde.encodeSync('commands', commandSample);
    expect(sync.equals(await serde.encode('commands', commandSample))).toBe(true);
    expect(await serde.decode(sync)).toEqual({ value: commandSample, schemaId: 1 });
  });

  it('registers once however often a topic is prepared or encoded', async () => {
    const registry = new FlakyRegistry(0);
    const serde = new AvroSerde(registry, commandSchema);
    const ids = await Promise.all([serde.prepare('commands'), serde.prepare('commands')]);
    await serde.encode('commands', commandSample);
    expect(await serde.prepare('commands')).toBe(ids[0]);
    expect(ids).toEqual([1, 1]);
    expect(registry.registrations).toBe(1);
  });

  it('can encode synchronously for a topic an async encode has registered', async () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    await serde.encode('commands', commandSample);
    expect((await serde.decode(serde.encodeSync('commands', commandSample))).value).toEqual(commandSample);
  });

  it('prepares one topic only', async () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    await serde.prepare('commands');
    expect(() => serde.encodeSync('commands-eu', commandSample)).toThrow(
      /topic commands-eu was not prepared/,
    );
  });

  it('uses the subject strategy of the serde', async () => {
    const registry = new LocalSchemaRegistry();
    const serde = new AvroSerde(registry, commandSchema, { subjectOf: () => 'twinflow.control.Command' });
    const id = await serde.prepare('commands');
    expect(await registry.latest('twinflow.control.Command')).toMatchObject({ id });
    expect(await registry.latest('commands-value')).toBeUndefined();
    expect(serde.encodeSync('commands', commandSample).readUInt32BE(1)).toBe(id);
  });

  it('throws AvroEncodeError naming the field for a value the schema does not accept', async () => {
    const serde = new AvroSerde<Telemetry>(new LocalSchemaRegistry(), telemetrySchema);
    await serde.prepare('telemetry');
    const bad = { ...telemetrySample, loadPct: '82%' } as unknown as Telemetry;
    let error: unknown;
    try {
      serde.encodeSync('telemetry', bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AvroEncodeError);
    expect(error).toMatchObject({ subject: 'telemetry-value', path: 'loadPct', retriable: false });
    // A failed encode leaves the serde usable.
    expect((await serde.decode(serde.encodeSync('telemetry', telemetrySample))).value).toEqual(
      telemetrySample,
    );
  });

  it('grows its buffer for a value larger than it, then encodes small values as before', async () => {
    const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    await serde.prepare('commands');
    const big = { ...commandSample, reason: 'x'.repeat(100_000) };
    expect((await serde.decode(serde.encodeSync('commands', big))).value).toEqual(big);
    const small = serde.encodeSync('commands', commandSample);
    expect((await serde.decode(small)).value).toEqual(commandSample);
    expect(small.equals(await serde.encode('commands', commandSample))).toBe(true);
  });

  it('passes a failed registration through, stays unprepared, and registers on the next prepare', async () => {
    const registry = new FlakyRegistry(1);
    const serde = new AvroSerde(registry, commandSchema);
    await expect(serde.prepare('commands')).rejects.toMatchObject({
      message: 'registry unavailable',
      retriable: true,
    });
    expect(() => serde.encodeSync('commands', commandSample)).toThrow(/was not prepared/);
    expect(await serde.prepare('commands')).toBe(1);
    expect(registry.registrations).toBe(2);
    expect((await serde.decode(serde.encodeSync('commands', commandSample))).value).toEqual(commandSample);
  });
});
