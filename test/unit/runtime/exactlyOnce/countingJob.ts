import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import type { TypedAvroSchema } from '../../../../connectors/avro/schemaRegistry.js';
import { processKeyed } from '../../../../operators/state/processKeyed.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import type { ExactlyOnceJobOptions } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import type { FakeKafka } from './fakeKafka.js';

/** One input reading: keyed by `id` (the message key), numbered by `n`. */
export interface Reading {
  readonly id: string;
  readonly ts: number;
  readonly n: number;
}

/** What the job writes per reading: the number of readings of its id so far (its keyed state). */
export interface Count {
  readonly id: string;
  readonly count: number;
  readonly n: number;
}

export const readingSchema: TypedAvroSchema<Reading> = {
  type: 'record',
  name: 'Reading',
  namespace: 'twinflow.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'n', type: 'int' },
  ],
};

export const INPUT = 'readings';
export const OUTPUT = 'counts';
export const CHANGELOG = 'counting-state';
export const GROUP = 'counting';

/**
 * A small stateful job on a FakeKafka: per id, a count kept by processKeyed
 * (so in the changelog) and one output message per reading.
 *
 * @example
 * const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 3 } });
 * await produce(0, 'a', 1);
 */
export function countingJob(
  kafka: FakeKafka,
  overrides: Partial<ExactlyOnceJobOptions<Reading, Count>> = {},
): {
  options: ExactlyOnceJobOptions<Reading, Count>;
  produce: (partition: number, id: string, n: number) => Promise<void>;
  /** As produce, with an event time of its own (a bad clock). */
  produceAt: (partition: number, id: string, n: number, ts: number) => Promise<void>;
  /** The registry the job's serde reads writer schemas from (to register a producer's schema of its own). */
  registry: LocalSchemaRegistry;
} {
  const registry = new LocalSchemaRegistry();
  const serde = new AvroSerde(registry, readingSchema);
  const options: ExactlyOnceJobOptions<Reading, Count> = {
    kafka: { brokers: ['fake:9092'] },
    groupId: GROUP,
    instanceId: 'counting-0',
    source: {
      topics: [INPUT],
      serde,
      tsOf: (r) => r.ts,
      watermarks: boundedOutOfOrderness(1_000),
      // One message per handler call: the fake then serves the partitions in turn, message by
      // message, which the epoch boundaries these tests expect are written for. Batched delivery
      // (the default) has a test of its own.
      maxBatch: 1,
    },
    changelogTopic: CHANGELOG,
    epochs: { intervalMs: 60_000, maxRecords: 1_000 },
    graph: (input$, snapshots) =>
      input$.pipe(
        processKeyed<Reading, { count: number }, Count>(
          {
            init: () => ({ count: 0 }),
            onRecord(reading, ctx) {
              ctx.state = { count: ctx.state.count + 1 };
              ctx.emit({ id: ctx.key, count: ctx.state.count, n: reading.n });
            },
          },
          { id: 'count', snapshots },
        ),
      ),
    route: (r) => [{ topic: OUTPUT, key: r.value.id, value: Buffer.from(JSON.stringify(r.value)) }],
    clients: kafka.clients(),
    log: kafka.log,
    ...overrides,
  };
  const produce = async (partition: number, id: string, n: number): Promise<void> => {
    kafka.produce(INPUT, partition, id, await serde.encode(INPUT, { id, ts: 1_000 * n, n }));
  };
  const produceAt = async (partition: number, id: string, n: number, ts: number): Promise<void> => {
    kafka.produce(INPUT, partition, id, await serde.encode(INPUT, { id, ts, n }));
  };
  return { options, produce, produceAt, registry };
}

/** The committed outputs, as `id:count`, in log order. */
export function committedCounts(kafka: FakeKafka): string[] {
  return kafka.messages(OUTPUT).map((m) => {
    const count = JSON.parse(m.value!.toString()) as Count;
    return `${count.id}:${count.count}`;
  });
}
