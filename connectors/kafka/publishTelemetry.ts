import { AvroSerde } from '../avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../avro/confluentSchemaRegistry.js';
import type { AvroSchema, TypedAvroSchema } from '../avro/schemaRegistry.js';
import { newKafka } from './kafkaClient.js';
import {
  type ProduceProgress,
  type ProduceReport,
  produceTelemetry,
  type TelemetrySource,
} from './telemetryProducer.js';
import { type EnsuredTopics, ensureTopics } from './topicAdmin.js';

/**
 * The Kafka cluster could not be reached (bootstrap failed). Names the
 * brokers tried; `retriable` is the client error's own flag.
 *
 * @example
 * catch (e) { if (e instanceof ProduceConnectError) console.error(e.brokers); }
 */
export class ProduceConnectError extends Error {
  override readonly name = 'ProduceConnectError';
  readonly retriable: boolean;

  constructor(
    readonly brokers: readonly string[],
    readonly client: 'admin' | 'producer',
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(
      `cannot connect the Kafka ${client} to ${brokers.join(',')}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.retriable = (cause as { retriable?: unknown } | undefined)?.retriable === true;
  }
}

export interface PublishTelemetryOptions<T> {
  readonly brokers: readonly string[];
  /** The schema registry's URL (Confluent API). */
  readonly registry: string;
  readonly topic: string;
  /** Partitions of the topic when it has to be created. */
  readonly partitions: number;
  /** The contract of the topic's values, registered under `<topic>-value` (BACKWARD). */
  readonly schema: TypedAvroSchema<T> | AvroSchema;
  readonly source: TelemetrySource<T>;
  readonly ticks: number;
  /** Events per second; 0 (the default) is as fast as the producer takes them. */
  readonly rate?: number;
  /** The message key of a reading (default its `assetId`). */
  readonly keyOf?: (reading: T) => string;
  /** The record timestamp of a reading, its event time (default: none, the send time); see ProduceTelemetryOptions. */
  readonly timestampOf?: (reading: T) => number;
  readonly onProgress?: (progress: ProduceProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * What a publish run did: the producer's report plus what it found on the broker.
 *
 * @example
 * const { events, topics } = await publishTelemetry(options);
 */
export interface PublishReport extends ProduceReport {
  readonly topic: string;
  readonly topics: EnsuredTopics;
}

/**
 * Publishes a simulated input to Kafka, the same for every job: ensures
 * the topic, registers the contract, and sends `ticks` steps of the source
 * through an idempotent producer (acks=all, so a retried batch is written
 * once and one key's readings keep their order), paced to `rate` events/s.
 *
 * @example
 * await publishTelemetry({ brokers: ['127.0.0.1:19092'], registry, topic: 'hx-telemetry', partitions: 4,
 *   schema: hxTelemetrySchema, source: site, ticks: 144, keyOf: (t) => t.exchangerId });
 */
export async function publishTelemetry<T>(options: PublishTelemetryOptions<T>): Promise<PublishReport> {
  const { brokers, topic } = options;
  const kafka = newKafka({ brokers: [...brokers], clientId: 'twinflow-produce' });
  const admin = kafka.admin();
  await admin.connect().catch((error: unknown) => {
    throw new ProduceConnectError(brokers, 'admin', { cause: error });
  });
  let topics: EnsuredTopics;
  try {
    topics = await ensureTopics(admin, [{ topic, partitions: options.partitions }]);
  } finally {
    await admin.disconnect();
  }
  const serde = new AvroSerde<T>(new ConfluentSchemaRegistry({ host: options.registry }), options.schema);
  const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 }, 'linger.ms': 5 });
  await producer.connect().catch((error: unknown) => {
    throw new ProduceConnectError(brokers, 'producer', { cause: error });
  });
  try {
    const report = await produceTelemetry(producer, serde, options.source, {
      topic,
      ticks: options.ticks,
      rate: options.rate,
      keyOf: options.keyOf,
      timestampOf: options.timestampOf,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return { ...report, topic, topics };
  } finally {
    await producer.disconnect();
  }
}
