import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ReaderIncompatibleError } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';

const reader = {
  type: 'record',
  name: 'Reading',
  namespace: 'plant',
  fields: [
    { name: 'assetId', type: 'string' },
    { name: 'goodUnits', type: 'long' },
  ],
} as const;

describe('AvroSerde.checkReads', () => {
  it('passes when the subject has no version yet, or its latest is readable (an added field)', async () => {
    const registry = new LocalSchemaRegistry();
    const serde = new AvroSerde(registry, reader as never);
    await expect(serde.checkReads('telemetry')).resolves.toBeUndefined();
    await registry.register('telemetry-value', {
      ...reader,
      fields: [...reader.fields, { name: 'firmware', type: 'string', default: 'unknown' }],
    } as never);
    await expect(serde.checkReads('telemetry')).resolves.toBeUndefined();
  });

  it('refuses a latest schema the reader cannot read, naming topic, subject, version and field', async () => {
    const registry = new LocalSchemaRegistry();
    // The producers dropped goodUnits: the job's reader has no default for it.
    await registry.register('telemetry-value', { ...reader, fields: [reader.fields[0]] } as never);
    const serde = new AvroSerde(registry, reader as never);
    const error = await serde.checkReads('telemetry').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReaderIncompatibleError);
    expect(error).toMatchObject({
      topic: 'telemetry',
      subject: 'telemetry-value',
      version: 1,
      field: 'goodUnits',
      retriable: false,
    });
    expect((error as Error).message).toMatch(
      /^input topic telemetry: its latest schema \(subject telemetry-value, version 1, id \d+\) cannot be read with this job's reader schema: field goodUnits: added without a default/,
    );
  });

  it('names a changed type', async () => {
    const registry = new LocalSchemaRegistry();
    await registry.register('telemetry-value', {
      ...reader,
      fields: [reader.fields[0], { name: 'goodUnits', type: 'string' }],
    } as never);
    const error = await new AvroSerde(registry, reader as never)
      .checkReads('telemetry')
      .catch((e: unknown) => e);
    expect((error as ReaderIncompatibleError).field).toBe('goodUnits');
    expect((error as Error).message).toContain('field goodUnits: type changed string → long');
  });
});
