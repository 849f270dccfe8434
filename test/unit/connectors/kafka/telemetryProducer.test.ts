import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { AvroEncodeError } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import {
  type ProduceClock,
  type ProduceProgress,
  produceTelemetry,
  TelemetryProduceError,
  type TelemetryRecord,
  type TelemetrySender,
  type TelemetrySource,
} from '../../../../connectors/kafka/telemetryProducer.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';

const ASSETS = ['pump-001', 'fan-002', 'motor-003'];
const START = Date.UTC(2026, 0, 5);

/** A source of `ASSETS` readings per step, every field derived from the tick. */
class CountingSource implements TelemetrySource {
  tick = 0;

  step(): Telemetry[] {
    this.tick++;
    return ASSETS.map((assetId, i) => ({
      assetId,
      site: 'plant-a',
      line: 'line-1',
      ts: START + this.tick * 30_000,
      seq: this.tick,
      temperatureC: 40 + i + this.tick / 10,
      vibrationMmS: i === 1 ? null : 2.5,
      loadPct: 75,
      pressureBar: null,
      powerKw: 11 + i,
      rpm: 1450,
      runState: 'RUNNING',
      goodUnits: this.tick * 10,
      rejectedUnits: 0,
      loadLimitPct: null,
    }));
  }
}

/** A producer that acknowledges every batch when told to (or at once), recording what it got. */
class RecordingSender implements TelemetrySender {
  readonly records: TelemetryRecord[] = [];
  readonly pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  maxPending = 0;

  constructor(private readonly autoAck = true) {}

  send(record: TelemetryRecord): Promise<unknown> {
    this.records.push(record);
    if (this.autoAck) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.maxPending = Math.max(this.maxPending, this.pending.length);
    });
  }
}

/** A clock that only moves when the producer sleeps: pacing is observable without waiting. */
class FakeClock implements ProduceClock {
  t = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

function serde(): AvroSerde<Telemetry> {
  return new AvroSerde(new LocalSchemaRegistry(), telemetrySchema);
}

describe('produceTelemetry', () => {
  it('publishes every reading Avro-encoded, keyed by asset id, with no record timestamp unless given a timestampOf', async () => {
    const sender = new RecordingSender();
    const codec = serde();
    const report = await produceTelemetry(sender, codec, new CountingSource(), {
      topic: 'telemetry',
      ticks: 4,
    });
    expect(report).toMatchObject({ ticks: 4, events: 12 });

    const expected = new CountingSource();
    const want = [1, 2, 3, 4].flatMap(() => expected.step());
    const messages = sender.records.flatMap((r) => r.messages);
    expect(sender.records.every((r) => r.topic === 'telemetry')).toBe(true);
    expect(messages.map((m) => m.key)).toEqual(want.map((r) => r.assetId));
    // Without timestampOf the broker stamps the send time.
    expect(messages.every((m) => !('timestamp' in m))).toBe(true);
    const decoded = await Promise.all(messages.map(async (m) => (await codec.decode(m.value)).value));
    expect(decoded).toEqual(want);
  });

  it('stamps each record with its timestampOf, the event time (CreateTime), as Kafka takes it', async () => {
    const sender = new RecordingSender();
    await produceTelemetry(sender, serde(), new CountingSource(), {
      topic: 'telemetry',
      ticks: 3,
      timestampOf: (r) => r.ts,
    });
    const messages = sender.records.flatMap((r) => r.messages);
    const expected = new CountingSource();
    const want = [1, 2, 3].flatMap(() => expected.step());
    expect(messages.map((m) => m.timestamp)).toEqual(want.map((r) => String(r.ts)));
  });

  it("publishes any job's readings, keyed by its keyOf", async () => {
    interface Flow {
      readonly exchangerId: string;
      readonly ts: number;
      readonly kgS: number;
    }
    const flowSchema = {
      type: 'record',
      name: 'Flow',
      fields: [
        { name: 'exchangerId', type: 'string' },
        { name: 'ts', type: 'long' },
        { name: 'kgS', type: 'double' },
      ],
    } as const;
    let tick = 0;
    const source = { step: (): Flow[] => [{ exchangerId: 'hx-1', ts: ++tick * 1_000, kgS: 2.5 }] };
    const sender = new RecordingSender();
    const codec = new AvroSerde<Flow>(new LocalSchemaRegistry(), flowSchema);
    await produceTelemetry(sender, codec, source, { topic: 'flows', ticks: 3, keyOf: (f) => f.exchangerId });
    const messages = sender.records.flatMap((r) => r.messages);
    expect(messages.map((m) => m.key)).toEqual(['hx-1', 'hx-1', 'hx-1']);
    expect((await codec.decode(messages[2].value)).value).toEqual({
      exchangerId: 'hx-1',
      ts: 3_000,
      kgS: 2.5,
    });
    // Without keyOf a reading must have an assetId: a silent "undefined" key would put every reading on one partition.
    await expect(
      produceTelemetry(new RecordingSender(), codec, source, { topic: 'flows', ticks: 1 }),
    ).rejects.toThrow('a reading has no string assetId; pass keyOf');
  });

  it('reports progress after every tick, counting the events handed over', async () => {
    const progress: ProduceProgress[] = [];
    await produceTelemetry(new RecordingSender(), serde(), new CountingSource(), {
      topic: 't',
      ticks: 3,
      onProgress: (p) => progress.push(p),
      clock: new FakeClock(),
    });
    expect(progress.map((p) => [p.ticks, p.totalTicks, p.events])).toEqual([
      [1, 3, 3],
      [2, 3, 6],
      [3, 3, 9],
    ]);
  });

  it('paces to the rate: a batch leaves only when its first event is due', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender();
    const sentAt: number[] = [];
    const timed: TelemetrySender = {
      send: (record) => {
        sentAt.push(clock.now());
        return sender.send(record);
      },
    };
    // 40 events/s: batches of at most 2 (50 ms worth), cut at tick ends (3 readings a tick).
    const report = await produceTelemetry(timed, serde(), new CountingSource(), {
      topic: 't',
      ticks: 4,
      rate: 40,
      clock,
    });
    expect(sender.records.map((r) => r.messages.length)).toEqual([2, 1, 2, 1, 2, 1, 2, 1]);
    let before = 0;
    sender.records.forEach((record, i) => {
      expect(sentAt[i]).toBeGreaterThanOrEqual((before * 1000) / 40);
      before += record.messages.length;
    });
    // The last batch left when its first event (the 12th) was due at 40/s: 275 ms in; no sleep after.
    expect(sentAt.at(-1)).toBe(275);
    expect(report.elapsedMs).toBe(275);
  });

  it('sends as fast as acknowledged at rate 0, never sleeping', async () => {
    const clock = new FakeClock();
    await produceTelemetry(new RecordingSender(), serde(), new CountingSource(), {
      topic: 't',
      ticks: 5,
      clock,
    });
    expect(clock.sleeps).toEqual([]);
  });

  it('keeps at most maxInFlight batches unacknowledged, in order', async () => {
    const sender = new RecordingSender(false);
    const run = produceTelemetry(sender, serde(), new CountingSource(), {
      topic: 't',
      ticks: 6,
      maxInFlight: 2,
    });
    // Acknowledge in order whatever is pending until the run completes.
    let done = false;
    run.finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      sender.pending.shift()?.resolve();
    }
    expect(await run).toMatchObject({ ticks: 6, events: 18 });
    expect(sender.maxPending).toBe(2);
  });

  it('rejects with TelemetryProduceError naming topic and tick, retriable as its cause', async () => {
    const codec = serde();
    const failing: TelemetrySender = {
      send: async (record) => {
        if (
          record.messages[0].value.length > 0 &&
          (await codec.decode(record.messages[0].value)).value.ts === START + 2 * 30_000
        ) {
          throw Object.assign(new Error('broker down'), { retriable: true });
        }
      },
    };
    const error = await produceTelemetry(failing, codec, new CountingSource(), {
      topic: 'telemetry',
      ticks: 5,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelemetryProduceError);
    expect(error).toMatchObject({ topic: 'telemetry', tick: 2, step: 'send', retriable: true });
    expect((error as Error).message).toContain('tick 2 for topic telemetry: broker down');
  });

  it('reports a reading the schema refuses as an encode failure with the AvroEncodeError as cause', async () => {
    const bad: TelemetrySource = {
      step: () => [
        { ...new CountingSource().step()[0], loadPct: Number.NaN as number, runState: 'BROKEN' as 'IDLE' },
      ],
    };
    const error = await produceTelemetry(new RecordingSender(), serde(), bad, { topic: 't', ticks: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ step: 'encode', tick: 1, retriable: false });
    expect((error as Error).cause).toBeInstanceOf(AvroEncodeError);
  });

  it('stops after the tick in progress when aborted, everything sent acknowledged', async () => {
    const stop = new AbortController();
    const sender = new RecordingSender();
    const report = await produceTelemetry(sender, serde(), new CountingSource(), {
      topic: 't',
      ticks: 100,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.ticks === 3) stop.abort();
      },
    });
    expect(report).toMatchObject({ ticks: 3, events: 9 });
    expect(sender.records.flatMap((r) => r.messages)).toHaveLength(9);
  });
});
