import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { filter, firstValueFrom, scan, takeWhile, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { writeWireHeader } from '../../../../connectors/avro/wireFormat.js';
import {
  DEAD_LETTER_HEADERS,
  parseDeadLetterSource,
} from '../../../../connectors/kafka/deadLetterHeaders.js';
import { kafkaSource } from '../../../../connectors/kafka/kafkaSource.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import type { StreamElement, StreamRecord } from '../../../../operators/core/element.js';
import { DEFAULT_EVENT_TIME_BOUNDS } from '../../../../operators/time/eventTimeBounds.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import { STACK } from '../../localStackSetup.js';
import { readTopics } from '../../readTopics.js';

/**
 * kafkaSource against the local stack: Avro telemetry in committed and aborted transactions on
 * a 2-partition topic, with three poison messages; read back read_committed with watermarks,
 * poison routed to a dead-letter topic. Fresh topics and group per run.
 */

const BOUND_MS = 1_000;
const START_TS = Date.UTC(2026, 0, 5);
const PER_PARTITION = 12;

function kafka(): KafkaJS.Kafka {
  return new KafkaJS.Kafka({ kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING } });
}

function reading(partition: number, seq: number): Telemetry {
  return {
    assetId: `pump-p${partition}-${seq % 3}`,
    site: 'plant-a',
    line: `line-${partition}`,
    // Slightly out of order within the bound, and partition 1 runs behind partition 0.
    ts: START_TS + seq * 1_000 - (seq % 2) * 400 - partition * 3_000,
    seq,
    temperatureC: 60 + seq,
    vibrationMmS: seq % 4 === 0 ? null : 2.5,
    loadPct: 80,
    pressureBar: 6,
    powerKw: 40,
    rpm: 2950,
    runState: 'RUNNING',
    goodUnits: seq * 10,
    rejectedUnits: 0,
    loadLimitPct: null,
  };
}

interface Produced {
  readonly partition: number;
  readonly value: Telemetry;
}

interface DeadLetter {
  readonly headers: Record<string, string>;
  readonly value: Buffer;
}

/** Reads `count` messages of the dead-letter topic, read_committed, from the beginning. */
async function readDeadLetters(topic: string, count: number): Promise<DeadLetter[]> {
  const seen = await readTopics(kafka(), [topic], (m) => m.length === count);
  return seen.map((m) => ({ headers: m.headers, value: m.value }));
}

/** Creates `topics` (partitions each), one replica. */
async function createTopics(topics: readonly (readonly [string, number])[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes `topics`, best effort: topics left behind have unique names and harm no other test. */
async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // Best effort, as said.
  } finally {
    await admin.disconnect();
  }
}

describe('kafkaSource (real Kafka and registry)', () => {
  const topic = `it-kafka-source-${randomUUID()}`;
  const dlqTopic = `${topic}-dlq`;
  const serde = new AvroSerde(new ConfluentSchemaRegistry({ host: STACK.registryUrl }), telemetrySchema);
  const committed: Produced[] = [];
  const poison: { partition: number; value: Buffer; reason: string; schemaId?: number }[] = [];

  beforeAll(async () => {
    await createTopics([
      [topic, 2],
      [dlqTopic, 1],
    ]);

    const goodBytes = await serde.encode(topic, reading(0, 0));
    const schemaId = goodBytes.readUInt32BE(1);
    const badMagic = Buffer.from(goodBytes);
    badMagic[0] = 7;
    const unknownId = Buffer.from(goodBytes);
    writeWireHeader(unknownId, 2_000_000_000);
    const truncated = goodBytes.subarray(0, goodBytes.length - 10);
    poison.push(
      { partition: 0, value: badMagic, reason: 'bad-magic-byte' },
      { partition: 1, value: unknownId, reason: 'unknown-schema-id', schemaId: 2_000_000_000 },
      { partition: 0, value: truncated, reason: 'too-short', schemaId },
    );

    const producer = kafka().producer({
      kafkaJS: {
        transactionalId: `it-kafka-source-${randomUUID()}`,
        idempotent: true,
        maxInFlightRequests: 1,
      },
    });
    await producer.connect();
    try {
      const send = async (batch: Produced[], poisonToo: boolean, outcome: 'commit' | 'abort') => {
        const tx = await producer.transaction();
        const messages = [];
        for (const { partition, value } of batch) {
          messages.push({
            partition,
            key: value.assetId,
            value: await serde.encode(topic, value),
            timestamp: String(value.ts),
          });
        }
        if (poisonToo) {
          for (const p of poison) messages.push({ partition: p.partition, key: 'poison', value: p.value });
        }
        await tx.send({ topic, messages });
        if (outcome === 'commit') {
          await tx.commit();
          committed.push(...batch);
        } else {
          await tx.abort();
        }
      };
      const half = PER_PARTITION / 2;
      const batch = (from: number, to: number): Produced[] =>
        [0, 1].flatMap((partition) =>
          Array.from({ length: to - from }, (_, i) => ({ partition, value: reading(partition, from + i) })),
        );
      await send(batch(0, half), true, 'commit');
      await send(
        [0, 1].map((partition) => ({ partition, value: { ...reading(partition, 99), assetId: 'aborted' } })),
        false,
        'abort',
      );
      await send(batch(half, PER_PARTITION), false, 'commit');
    } finally {
      await producer.disconnect();
    }
  });

  afterAll(() => deleteTopics([topic, dlqTopic]));

  it('hands over every committed record once with its position, watermarks behind every partition, poison to the DLQ', {
    timeout: 25_000,
  }, async () => {
    let handedOver = 0;
    const source = kafkaSource<Telemetry>({
      kafka: { brokers: [STACK.kafkaBroker], clientId: 'it-kafka-source' },
      groupId: `it-kafka-source-${randomUUID()}`,
      topics: [topic],
      serde,
      tsOf: (t) => t.ts,
      watermarks: boundedOutOfOrderness(BOUND_MS),
      fromBeginning: true,
      deadLetter: { topic: dlqTopic },
      // Every fifth message the downstream is "busy" for a moment: the consumer pauses and resumes.
      pressure: () =>
        ++handedOver % 5 === 0 ? new Promise((resolve) => setTimeout(resolve, 10)) : undefined,
    });

    let elements: StreamElement<Telemetry>[];
    try {
      elements = await firstValueFrom(
        source.elements$.pipe(
          scan((acc, e) => ({ e, records: acc.records + (e.kind === 'record' ? 1 : 0) }), {
            e: undefined as StreamElement<Telemetry> | undefined,
            records: 0,
          }),
          // Up to and including the last record; the watermark that follows it is checked via metrics below.
          takeWhile((s) => s.records < committed.length, true),
          filter((s) => s.e !== undefined),
          toArray(),
        ),
      ).then((states) => states.map((s) => s.e!));
    } finally {
      await source.close();
    }

    const records = elements.filter((e): e is StreamRecord<Telemetry> => e.kind === 'record');
    expect(records).toHaveLength(committed.length);
    expect(records.some((r) => r.value.assetId === 'aborted')).toBe(false);
    for (const partition of [0, 1]) {
      const got = records.filter((r) => r.pos?.partition === partition);
      // Partition order, values as produced, key = asset id, ts = event time.
      expect(got.map((r) => r.value)).toEqual(
        committed.filter((c) => c.partition === partition).map((c) => c.value),
      );
      expect(
        got.every((r) => r.key === r.value.assetId && r.ts === r.value.ts && r.pos?.topic === topic),
      ).toBe(true);
      const offsets = got.map((r) => BigInt(r.pos!.offset));
      expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1])).toBe(true);
    }

    // Watermarks: strictly increasing, never ahead of any partition's max ts − bound − 1.
    const maxTs = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    let last = Number.NEGATIVE_INFINITY;
    let watermarks = 0;
    for (const e of elements) {
      if (e.kind === 'record') {
        const p = e.pos!.partition;
        maxTs[p] = Math.max(maxTs[p], e.ts);
      } else if (e.kind === 'watermark') {
        watermarks++;
        expect(e.ts).toBeGreaterThan(last);
        expect(e.ts).toBeLessThanOrEqual(Math.min(maxTs[0], maxTs[1]) - BOUND_MS - 1);
        last = e.ts;
      }
    }
    expect(watermarks).toBeGreaterThan(0);

    const metrics = source.metrics();
    expect(metrics.records).toBe(committed.length);
    expect(metrics.deadLetters).toBe(3);
    expect(metrics.pauses).toBeGreaterThan(0);
    expect(metrics.positions.map((p) => [p.topic, p.partition])).toEqual([
      [topic, 0],
      [topic, 1],
    ]);
    for (const p of metrics.positions) {
      expect(p.offset).toBe(records.filter((r) => r.pos?.partition === p.partition).at(-1)?.pos?.offset);
    }

    const deadLetters = await readDeadLetters(dlqTopic, 3);
    const byReason = new Map(
      deadLetters.map((d) => [d.headers[DEAD_LETTER_HEADERS.error].split(':')[0], d] as const),
    );
    expect([...byReason.keys()].sort()).toEqual(poison.map((p) => p.reason).sort());
    for (const p of poison) {
      const d = byReason.get(p.reason)!;
      expect(Buffer.compare(d.value, p.value)).toBe(0);
      expect(d.headers[DEAD_LETTER_HEADERS.schemaId]).toBe(
        p.schemaId === undefined ? undefined : String(p.schemaId),
      );
      const source = parseDeadLetterSource(d.headers[DEAD_LETTER_HEADERS.source]);
      expect(source).toMatchObject({ topic, partition: p.partition });
      // The position is the poison message's own: before the records of the second transaction.
      const later = records.filter((r) => r.pos?.partition === p.partition).at(-1)!;
      expect(BigInt(source!.offset) < BigInt(later.pos!.offset)).toBe(true);
    }
  });
});

describe('kafkaSource event-time bounds (real Kafka and registry)', () => {
  const topic = `it-kafka-source-clock-${randomUUID()}`;
  const dlqTopic = `${topic}-dlq`;
  const serde = new AvroSerde(new ConfluentSchemaRegistry({ host: STACK.registryUrl }), telemetrySchema);
  const base = Date.now() - 10 * 60_000;
  const at = (seq: number): Telemetry => ({ ...reading(0, seq), ts: base + seq * 1_000 });
  const farAhead = { ...at(100), ts: Date.UTC(2100, 0, 1) };
  const farBehind = { ...at(101), ts: base - 2 * 86_400_000 };

  afterAll(() => deleteTopics([topic, dlqTopic]));

  it('a reading stamped 2100 and one two days behind its partition are dead-lettered with their reason, and move no watermark', {
    timeout: 25_000,
  }, async () => {
    await createTopics([
      [topic, 1],
      [dlqTopic, 1],
    ]);
    const producer = kafka().producer({ kafkaJS: { idempotent: true, acks: -1 } });
    await producer.connect();
    const message = async (value: Telemetry, timestamp: number) => ({
      partition: 0,
      key: value.assetId,
      value: await serde.encode(topic, value),
      timestamp: String(timestamp),
    });
    try {
      // The broker itself refuses a record whose CreateTime is 2100 (Kafka 4's
      // log.message.timestamp.after.max.ms is one hour): a producer that stamps event time
      // cannot get it in. A gateway that stamps the send time can; that is the case for the job.
      await expect(
        producer.send({ topic, messages: [await message(farAhead, farAhead.ts)] }),
      ).rejects.toThrow(/Invalid timestamp/);
      const messages = [];
      for (let seq = 0; seq < 10; seq++) messages.push(await message(at(seq), at(seq).ts));
      messages.push(await message(farAhead, Date.now()));
      for (let seq = 10; seq < 20; seq++) messages.push(await message(at(seq), at(seq).ts));
      messages.push(await message(farBehind, Date.now()));
      for (let seq = 20; seq < 30; seq++) messages.push(await message(at(seq), at(seq).ts));
      await producer.send({ topic, messages });
    } finally {
      await producer.disconnect();
    }

    const source = kafkaSource<Telemetry>({
      kafka: { brokers: [STACK.kafkaBroker], clientId: 'it-kafka-source-clock' },
      groupId: `it-kafka-source-clock-${randomUUID()}`,
      topics: [topic],
      serde,
      tsOf: (t) => t.ts,
      watermarks: boundedOutOfOrderness(BOUND_MS),
      fromBeginning: true,
      deadLetter: { topic: dlqTopic },
      eventTimeBounds: DEFAULT_EVENT_TIME_BOUNDS,
    });
    let elements: StreamElement<Telemetry>[];
    try {
      elements = await firstValueFrom(
        source.elements$.pipe(
          scan((acc, e) => ({ e, records: acc.records + (e.kind === 'record' ? 1 : 0) }), {
            e: undefined as StreamElement<Telemetry> | undefined,
            records: 0,
          }),
          takeWhile((s) => s.records < 30, true),
          filter((s) => s.e !== undefined),
          toArray(),
        ),
      ).then((states) => states.map((s) => s.e!));
      expect(source.metrics().eventTimeRefused).toEqual({ ahead: 1, behind: 1 });
    } finally {
      await source.close();
    }
    const records = elements.filter((e): e is StreamRecord<Telemetry> => e.kind === 'record');
    expect(records.map((r) => r.value.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // The watermark followed the good readings only: never past the last one's event time.
    const watermarks = elements.filter((e) => e.kind === 'watermark').map((e) => e.ts);
    expect(watermarks.length).toBeGreaterThan(0);
    expect(Math.max(...watermarks)).toBeLessThan(at(29).ts);
    const deadLetters = await readDeadLetters(dlqTopic, 2);
    const errors = deadLetters.map((d) => d.headers[DEAD_LETTER_HEADERS.error]);
    expect(errors[0]).toMatch(
      /^event-time-out-of-bounds: event time 2100-01-01T00:00:00.000Z is 73 years ahead of processing time .* \(at most 1 h\)$/,
    );
    expect(errors[1]).toMatch(
      /^event-time-out-of-bounds: event time .* is 2 days behind its partition's watermark/,
    );
  });
});
