import type { ClickHouseClient } from '@clickhouse/client';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../connectors/avro/confluentSchemaRegistry.js';
import { ClickHouseOutputs } from '../../connectors/clickhouse/clickhouseOutputs.js';
import { migrate } from '../../connectors/clickhouse/migrations.js';
import type { ClickHouseSinkObserver } from '../../connectors/clickhouse/sinkObserver.js';
import { newKafka } from '../../connectors/kafka/kafkaClient.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { changelogTopicSpec, ensureTopics, type TopicSpec } from '../../connectors/kafka/topicAdmin.js';
import type { SinkMessage } from '../../connectors/kafka/transactionalSink.js';
import type { StreamRecord } from '../../operators/core/element.js';
import { throughSinks } from '../../operators/core/throughSinks.js';
import type { EventTimeBounds } from '../../operators/time/eventTimeBounds.js';
import { type ClickHouseConnection, openClickHouse } from '../cli/clickhouseConnection.js';
import type { KafkaOutput, StreamingJob } from '../job/streamingJob.js';
import { ExactlyOnceJob, type ExactlyOnceJobOptions, type JobEvent } from './exactlyOnceJob.js';

/**
 * Where a job runs on Kafka: the cluster and registry, its group and
 * instance, the topics of its input, state and dead letters, ClickHouse for
 * its tables, and the epochs' size.
 *
 * @example
 * const placement: KafkaPlacement<Output> = {
 *   kafka: { brokers: ['127.0.0.1:19092'] }, registry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' },
 *   groupId: 'pumps', instanceId: 'pumps-0',
 *   topics: { input: 'pump-telemetry', changelog: 'pumps-state', deadLetter: 'pump-telemetry-dlq', partitions: 6 },
 *   clickhouse: { url: 'http://127.0.0.1:18123', database: 'pumps' },
 *   epochs: { intervalMs: 1_000, maxRecords: 5_000 },
 * };
 */
export interface KafkaPlacement<Out> {
  readonly kafka: KafkaClientOptions;
  readonly registry: {
    readonly url: string;
    readonly auth?: { readonly username: string; readonly password: () => string };
  };
  readonly groupId: string;
  readonly instanceId: string;
  readonly topics: {
    readonly input: string;
    readonly changelog: string;
    readonly deadLetter: string;
    /** Kafka outputs by name, to the topic each writes instead of its definition's. */
    readonly outputs?: Readonly<Record<string, string>>;
    /** Partitions of topics the runtime creates (the input and outputs, when they do not exist yet). */
    readonly partitions: number;
    readonly replicationFactor?: number;
  };
  /** Without it, a job's ClickHouse tables are not written (its Kafka outputs and state still are). */
  readonly clickhouse?: ClickHouseConnection;
  /** Batches written, retries and rows refused, in every table. */
  readonly clickhouseObserver?: ClickHouseSinkObserver;
  readonly epochs: ExactlyOnceJobOptions<unknown, Out>['epochs'];
  readonly sessionTimeoutMs?: number;
  /** Event times to refuse as out of bounds (dead-lettered; default: none refused). */
  readonly eventTimeBounds?: EventTimeBounds;
  readonly guarantee?: 'exactly-once' | 'at-least-once';
  readonly log?: (event: JobEvent) => void;
  /** The outputs of every committed epoch (tests, metrics). */
  readonly onCommitted?: (epoch: number, outputs: readonly Out[]) => void;
  /** Each record of the late side output, with the operator it was too late for (metrics). */
  readonly onLate?: (operator: string) => void;
}

/**
 * A job set up on Kafka, not running yet: `job.run()` until `job.stop()`,
 * then `close()` releases the ClickHouse sinks and client.
 */
export interface JobOnKafka<In, Out> {
  readonly job: ExactlyOnceJob<In, Out>;
  close(): Promise<void>;
}

/**
 * Sets a job up on Kafka exactly-once, the same for every job: the topics
 * (the input as given, the changelog compacted and partitioned like it, the
 * outputs, the dead letters), the contracts in the schema registry (checked
 * at start, not at the first message), the ClickHouse migrations, fresh
 * ClickHouse sinks for every operator graph (a sink that failed stays
 * failed, and a restarted graph must not inherit it), and the routing of
 * outputs to their topics inside each epoch's transaction.
 *
 * @example
 * const { job, close } = await exactlyOnceJobFor(pumps, placement);
 * process.once('SIGTERM', () => void job.stop('SIGTERM'));
 * try { await job.run(); } finally { await close(); }
 */
export async function exactlyOnceJobFor<In, Out>(
  definition: StreamingJob<In, Out>,
  placement: KafkaPlacement<Out>,
): Promise<JobOnKafka<In, Out>> {
  const { topics } = placement;
  const outputs = withTopics(definition.kafkaOutputs ?? [], topics.outputs ?? {});
  const input: TopicSpec = {
    topic: topics.input,
    partitions: topics.partitions,
    replicationFactor: topics.replicationFactor,
  };
  const admin = newKafka(placement.kafka).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      input,
      changelogTopicSpec(topics.changelog, input),
      ...outputs.map((o) => ({
        topic: o.topic,
        partitions: topics.partitions,
        replicationFactor: topics.replicationFactor,
      })),
      { topic: topics.deadLetter, partitions: 1, replicationFactor: topics.replicationFactor },
    ]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const registry = new ConfluentSchemaRegistry({
    host: placement.registry.url,
    auth: placement.registry.auth,
  });
  const inputSerde = new AvroSerde<In>(registry, definition.input.schema);
  const encoders = await Promise.all(
    outputs.map(async (output) => {
      const serde = new AvroSerde<unknown>(registry, output.schema);
      // Registered (and checked BACKWARD) at start-up, not on the first message.
      await serde.prepare(output.topic);
      return { output, serde };
    }),
  );
  const route = (record: StreamRecord<Out>): readonly SinkMessage[] => {
    const messages: SinkMessage[] = [];
    for (const { output, serde } of encoders) {
      for (const m of output.messages(record.value)) {
        const message: SinkMessage = {
          topic: output.topic,
          key: m.key,
          value: serde.encodeSync(output.topic, m.value),
          ...(m.headers === undefined ? {} : { headers: { ...m.headers } }),
        };
        messages.push(output.seal === undefined ? message : output.seal(message));
      }
    }
    return messages;
  };

  const tables = definition.clickhouseTables ?? [];
  let client: ClickHouseClient | undefined;
  let sinks: ClickHouseOutputs<Out> | undefined;
  let beforeCommit: ExactlyOnceJobOptions<In, Out>['beforeCommit'];
  if (placement.clickhouse !== undefined && tables.length > 0) {
    const connection = placement.clickhouse;
    const chClient = openClickHouse(connection);
    client = chClient;
    await migrate(chClient, { database: connection.database, migrations: definition.migrations });
    // Rows the old sinks still flush on close are harmless: whoever replays that epoch derives
    // the very same rows, with the same ids.
    beforeCommit = () => {
      void sinks?.close().catch(() => undefined);
      sinks = new ClickHouseOutputs(chClient, connection.database, tables, placement.clickhouseObserver);
      return throughSinks(sinks);
    };
  }

  const job = new ExactlyOnceJob<In, Out>({
    kafka: placement.kafka,
    groupId: placement.groupId,
    instanceId: placement.instanceId,
    source: {
      topics: [topics.input],
      serde: inputSerde,
      tsOf: definition.input.eventTime,
      check: definition.input.check,
      watermarks: definition.input.watermarks,
      deadLetter: { topic: topics.deadLetter },
      eventTimeBounds: placement.eventTimeBounds,
      sessionTimeoutMs: placement.sessionTimeoutMs,
    },
    changelogTopic: topics.changelog,
    epochs: placement.epochs,
    graph: (input$, store) =>
      definition.graph(input$, store, { late: (operator) => placement.onLate?.(operator) }),
    route,
    beforeCommit,
    onCommitted: placement.onCommitted,
    log: placement.log,
    guarantee: placement.guarantee,
  });
  return {
    job,
    async close() {
      await sinks?.close().catch(() => undefined);
      await client?.close();
    },
  };
}

/** The outputs with the topics the placement gives them; a name it gives that the job lacks is a mistake to say. */
function withTopics<Out>(
  outputs: readonly KafkaOutput<Out>[],
  topics: Readonly<Record<string, string>>,
): KafkaOutput<Out>[] {
  const names = new Set(outputs.map((o) => o.name));
  const unknown = Object.keys(topics).filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new TypeError(
      `topics.outputs names ${unknown.map((n) => `"${n}"`).join(', ')}, but the job's Kafka outputs are ${[...names].map((n) => `"${n}"`).join(', ') || 'none'}`,
    );
  }
  return outputs.map((o) => (topics[o.name] === undefined ? o : { ...o, topic: topics[o.name] }));
}
