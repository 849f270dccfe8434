import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde, type DecodedMessage } from '../../../../connectors/avro/avroSerde.js';
import {
  commandSchema,
  telemetrySchema,
  twinStateSchema,
} from '../../../../connectors/avro/contractSchemas.js';
import { AvroDecodeError, type AvroDecodeReason } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import type { RunState, Telemetry } from '../../../../operators/control/contracts.js';
import { commandSample, twinStateSample } from './contractSamples.js';

const registry = new LocalSchemaRegistry();
const telemetry = new AvroSerde(registry, telemetrySchema);
const commands = new AvroSerde(registry, commandSchema);
const twins = new AvroSerde(registry, twinStateSchema);
const serdes: ReadonlyArray<AvroSerde<unknown>> = [telemetry, commands, twins];
const registered = new Set<number>();
let validMessages: Buffer[] = [];

beforeAll(async () => {
  // Ids 1..3 are known (telemetry, commands, twin-state): a random or flipped header often names a real schema.
  registered.add(await registry.register('telemetry-value', telemetrySchema));
  validMessages = [
    await commands.encode('commands', commandSample),
    await twins.encode('twin-state', twinStateSample),
  ];
  for (const topic of ['commands', 'twin-state'])
    registered.add((await registry.latest(`${topic}-value`))!.id);
  expect([...registered].sort()).toEqual([1, 2, 3]);
});

const nullable = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: null });
// avsc's long is exact up to 2^53 - 2 (it rejects MAX_SAFE_INTEGER itself).
const counter = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const telemetryArb: fc.Arbitrary<Telemetry> = fc.record({
  assetId: fc.string({ unit: 'grapheme', maxLength: 20 }),
  site: fc.string({ maxLength: 8 }),
  line: fc.string({ maxLength: 8 }),
  ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  seq: counter,
  temperatureC: nullable(finite),
  vibrationMmS: nullable(finite),
  loadPct: finite,
  pressureBar: nullable(finite),
  powerKw: finite,
  rpm: finite,
  runState: fc.constantFrom<RunState>('RUNNING', 'IDLE', 'FAILED', 'MAINTENANCE', 'STOPPED'),
  goodUnits: counter,
  rejectedUnits: counter,
  loadLimitPct: nullable(finite),
});

type Outcome = { ok: DecodedMessage<unknown> } | { error: AvroDecodeError };

/** Decodes, failing the property on anything thrown that is not an AvroDecodeError. */
async function outcome(serde: AvroSerde<unknown>, bytes: Uint8Array): Promise<Outcome> {
  try {
    return { ok: await serde.decode(bytes, 'fuzz') };
  } catch (error) {
    if (error instanceof AvroDecodeError) return { error };
    throw new Error(`decode threw ${String(error)} instead of AvroDecodeError`, { cause: error });
  }
}

/** What the header alone determines: the reason when it is unreadable, else the schema id. */
function expectedFromHeader(bytes: Uint8Array): { reason: AvroDecodeReason } | { schemaId: number } {
  if (bytes.length === 0) return { reason: 'too-short' };
  if (bytes[0] !== 0) return { reason: 'bad-magic-byte' };
  if (bytes.length < 5) return { reason: 'too-short' };
  return { schemaId: Buffer.from(bytes).readUInt32BE(1) };
}

function checkOutcome(result: Outcome, bytes: Uint8Array): void {
  const expected = expectedFromHeader(bytes);
  if ('reason' in expected) {
    expect('error' in result && result.error.reason).toBe(expected.reason);
    expect('error' in result && result.error.schemaId).toBeUndefined();
    return;
  }
  if ('ok' in result) {
    expect(result.ok.schemaId).toBe(expected.schemaId);
    return;
  }
  expect(result.error.schemaId).toBe(expected.schemaId);
  if (!registered.has(expected.schemaId)) expect(result.error.reason).toBe('unknown-schema-id');
  else expect(['too-short', 'corrupt-body', 'incompatible-schema']).toContain(result.error.reason);
  expect(result.error.retriable).toBe(false);
  expect(result.error.message).toContain('fuzz');
}

const framed = fc
  .tuple(fc.constantFrom(1, 2, 3, 4, 0x01000001), fc.uint8Array({ maxLength: 120 }))
  .map(([id, body]) => {
    const bytes = Buffer.alloc(5 + body.length);
    bytes.writeUInt32BE(id, 1);
    bytes.set(body, 5);
    return bytes;
  });

describe('AvroSerde.decode on bad input', () => {
  it('random bytes give a value or an AvroDecodeError with the reason and id of the header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 16 }), framed),
        fc.nat(2),
        async (bytes, which) => {
          checkOutcome(await outcome(serdes[which], bytes), bytes);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('a truncated message is always too-short, with the schema id once the header is whole', async () => {
    await fc.assert(
      fc.asyncProperty(telemetryArb, fc.double({ min: 0, max: 1, maxExcluded: true }), async (value, cut) => {
        const bytes = await telemetry.encode('telemetry', value);
        const truncated = bytes.subarray(0, Math.floor(cut * bytes.length));
        const result = await outcome(telemetry, truncated);
        expect('error' in result && result.error.reason).toBe('too-short');
        expect('error' in result && result.error.schemaId).toBe(truncated.length >= 5 ? 1 : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('a bit-flipped message decodes or fails with the reason and id its header implies', async () => {
    const messageArb = fc.oneof(
      telemetryArb.map((value) => ({ value })),
      fc.nat(1).map((index) => ({ index })),
    );
    await fc.assert(
      fc.asyncProperty(messageArb, fc.nat(), fc.nat(7), async (message, at, bit) => {
        const bytes = Buffer.from(
          'value' in message
            ? await telemetry.encode('telemetry', message.value)
            : validMessages[message.index],
        );
        const byte = at % bytes.length;
        bytes[byte] ^= 1 << bit;
        const serde = 'value' in message ? telemetry : message.index === 0 ? commands : twins;
        const result = await outcome(serde, bytes);
        checkOutcome(result, bytes);
        // A flip in the body keeps the id and can only ever make the body unreadable.
        if (byte >= 5 && 'error' in result)
          expect(['too-short', 'corrupt-body']).toContain(result.error.reason);
      }),
      { numRuns: 600 },
    );
  });

  it('round-trips any valid Telemetry value', async () => {
    await fc.assert(
      fc.asyncProperty(telemetryArb, async (value) => {
        const { value: decoded } = await telemetry.decode(await telemetry.encode('telemetry', value));
        expect({ ...decoded }).toEqual(value);
      }),
      { numRuns: 200 },
    );
  });
});
