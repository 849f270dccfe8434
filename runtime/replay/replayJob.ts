import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../connectors/avro/confluentSchemaRegistry.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import { ClickHouseOutputs } from '../../connectors/clickhouse/clickhouseOutputs.js';
import { migrate } from '../../connectors/clickhouse/migrations.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { PartitionRangeReader, type RangeMessage } from '../../connectors/kafka/partitionRangeReader.js';
import { PartitionWatermarks } from '../../connectors/kafka/partitionWatermarks.js';
import { barrier, record, watermark } from '../../operators/core/element.js';
import { throughSinks } from '../../operators/core/throughSinks.js';
import type { WatermarkStrategy } from '../../operators/time/watermarkStrategy.js';
import { type ClickHouseConnection, openClickHouse } from '../cli/clickhouseConnection.js';
import { GraphRun } from '../epochs/graphRun.js';
import type { StreamingJob } from '../job/streamingJob.js';
import { ReplayError } from './replayError.js';
import { kafkaOffsetLookup, planReplay, type TopicOffsetLookup } from './replayPlan.js';
import type { ReplayRange, ReplayStart } from './replayRanges.js';

/**
 * A replay of any job: what it reads (a bounded stretch of its input topic)
 * and where it writes (a scratch ClickHouse database; nothing to Kafka).
 *
 * @example
 * const options: ReplayJobOptions<Output> = {
 *   kafka: { brokers: ['127.0.0.1:19092'] }, registry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' },
 *   topic: 'telemetry', from: { kind: 'beginning' }, clickhouse: { url: 'http://127.0.0.1:18123', database: 'whatif' },
 *   barrierEvery: 5_000, watermarks: boundedOutOfOrderness(5_000), outOfOrdernessMs: 5_000,
 * };
 */
export interface ReplayJobOptions<Out> {
  readonly kafka: KafkaClientOptions;
  readonly registry: {
    readonly url: string;
    readonly auth?: { readonly username: string; readonly password: () => string };
  };
  readonly topic: string;
  readonly from: ReplayStart;
  /** Event time (epoch ms) at which the replay stops, exclusive. */
  readonly untilTs?: number;
  readonly clickhouse: ClickHouseConnection;
  /** A barrier (ClickHouse flush) every this many records. */
  readonly barrierEvery: number;
  /**
   * The replay's watermarks per partition. Without idleness: a partition is
   * only ever behind because its messages are still being fetched, and the
   * replay knows when one is finished.
   */
  readonly watermarks: WatermarkStrategy;
  /**
   * The disorder of event time the job allows within a partition: a replay
   * from a time seeks this much before it (see seekTimestamp), and a
   * reading this far past `untilTs` ends its partition (nothing earlier can
   * follow it).
   */
  readonly outOfOrdernessMs: number;
  /** The broker's offsets (default: Kafka's, through the admin client). */
  readonly offsets?: TopicOffsetLookup;
  /** The watermark after the last record that closes what the run opened (none: the windows stay open). */
  readonly closeAt?: (lastTs: number) => number;
  /** Each output as it leaves the graph (counts, reports). */
  readonly onOutput?: (out: Out) => void;
  /** Called after every batch read. */
  readonly onProgress?: (progress: ReplayJobProgress) => void;
  /** Things worth telling the user before reading starts (partitions skipped, starts moved). */
  readonly onNote?: (note: string) => void;
  /** Stops reading; what was read is still flushed. */
  readonly signal?: AbortSignal;
  /** No message and no progress for this long fails the replay (default 60 000 ms). */
  readonly stallTimeoutMs?: number;
}

/**
 * A replay's progress, after a batch.
 *
 * @example
 * const p: ReplayJobProgress = { records: 12_000, read: 12_000, total: 48_000, eventTs: 1_767_600_000_000,
 *   watermark: 1_767_599_000_000, elapsedMs: 3_000 };
 */
export interface ReplayJobProgress {
  /** Records handed to the operator graph. */
  readonly records: number;
  /** Messages read, of `total` in the ranges (markers and skipped ones count; an until time may stop short of it). */
  readonly read: number;
  readonly total: number;
  /** The newest event time handed over (−Infinity before the first). */
  readonly eventTs: number;
  /** Event time up to which every partition has been read (−Infinity until each has delivered). */
  readonly watermark: number;
  readonly elapsedMs: number;
}

/**
 * What a replay did: the ranges, what was handed to the graph or skipped,
 * the rows written per table output, and whether it was interrupted.
 */
export interface ReplayJobReport {
  readonly topic: string;
  readonly database: string;
  readonly ranges: readonly ReplayRange[];
  /**
   * Messages read from the topic: the records, the poison and those outside
   * the time range (what a seek by time saves shows here).
   */
  readonly read: number;
  /** Records handed to the operator graph. */
  readonly records: number;
  /** Messages the job would dead-letter (undecodable, refused by the input check, no valid event time); skipped. */
  readonly poison: number;
  /** Readings before the start time or at/after the until time; skipped. */
  readonly outsideTime: number;
  /** Rows handed to ClickHouse, per table output. */
  readonly rows: Readonly<Record<string, number>>;
  /** Event time span of the records (undefined when there were none). */
  readonly firstTs?: number;
  readonly lastTs?: number;
  readonly elapsedMs: number;
  readonly interrupted: boolean;
}

/**
 * Re-runs a job's operator graph over a finite stretch of its input topic,
 * in this process, into `clickhouse.database` (migrated first): every
 * partition read (connectors/kafka's PartitionRangeReader, read_committed,
 * no group, nothing committed) up to the end offsets found at the start, or
 * until a reading lies `outOfOrdernessMs` past `untilTs`; from a start
 * time, each partition from its first record timestamped at or after the
 * start less `outOfOrdernessMs` (record timestamps are event times). Decoded and checked
 * as the job's Kafka source does (a value it would dead-letter is skipped
 * and counted); watermarks per partition; a barrier every `barrierEvery`
 * records flushes the table sinks, one epoch in flight while reading goes
 * on; at the end `closeAt` fires what the run opened. Operator state starts
 * empty. Nothing is written to Kafka.
 *
 * @example
 * const report = await replayJob(definition, options);
 * console.log(report.records, report.rows);
 */
export async function replayJob<In, Out>(
  definition: StreamingJob<In, Out>,
  options: ReplayJobOptions<Out>,
): Promise<ReplayJobReport> {
  const { topic } = options;
  const started = performance.now();
  const { ranges, notes } = await planReplay(
    options.offsets ?? kafkaOffsetLookup(options.kafka),
    topic,
    options.from,
    options.outOfOrdernessMs,
  );
  for (const note of notes) options.onNote?.(note);

  const database = options.clickhouse.database;
  const client = openClickHouse(options.clickhouse);
  let sinks: ClickHouseOutputs<Out> | undefined;
  let graph: GraphRun<In, Out> | undefined;
  try {
    await migrate(client, { database, migrations: definition.migrations });
    const tables = new ClickHouseOutputs(client, database, definition.clickhouseTables ?? []);
    sinks = tables;
    // A replay restores nothing: every operator starts empty and keeps no snapshots.
    graph = new GraphRun<In, Out>((input$) => definition.graph(input$, undefined), {
      beforeSinks: options.onOutput,
      sinks: throughSinks(tables),
    });
    const read = await readRanges(definition, options, ranges, graph, started);
    await sinks.close();
    return {
      topic,
      database,
      ranges,
      ...read,
      rows: { ...sinks.written },
      elapsedMs: performance.now() - started,
    };
  } finally {
    // After a failure: nothing may still call the model or the sinks while they close.
    graph?.stop();
    await sinks?.close().catch(() => undefined);
    await client.close();
  }
}

type ReadSummary = Pick<
  ReplayJobReport,
  'read' | 'records' | 'poison' | 'outsideTime' | 'firstTs' | 'lastTs' | 'interrupted'
>;

/** Consumes the ranges into the graph, closes what the run opened, flushes, completes. */
async function readRanges<In, Out>(
  definition: StreamingJob<In, Out>,
  options: ReplayJobOptions<Out>,
  ranges: readonly ReplayRange[],
  graph: GraphRun<In, Out>,
  started: number,
): Promise<ReadSummary> {
  const { topic, untilTs } = options;
  const fromTs = options.from.kind === 'time' ? options.from.ts : Number.NEGATIVE_INFINITY;
  const serde = new AvroSerde<In>(
    new ConfluentSchemaRegistry({ host: options.registry.url, auth: options.registry.auth }),
    definition.input.schema,
  );
  const { input } = graph;
  const clocks = new PartitionWatermarks(options.watermarks, (ts) => input.next(watermark(ts)));
  const reader = new PartitionRangeReader({ kafka: options.kafka, topic, ranges });
  clocks.assign(reader.unfinished().map((partition) => ({ topic, partition })));
  const total = ranges.reduce((sum, r) => sum + (r.to - r.from), 0);
  const summary = { read: 0, records: 0, poison: 0, outsideTime: 0 };
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  let epoch = 0;
  let sinceBarrier = 0;
  let interrupted = false;

  const checkGraph = () => {
    const failure = graph.failure();
    if (failure !== undefined) throw failure;
  };
  const finish = (partition: number): void => {
    if (!reader.isOpen(partition)) return;
    reader.finish(partition);
    clocks.revoke([{ topic, partition }]);
  };

  try {
    try {
      await reader.connect();
    } catch (error) {
      throw new ReplayError('connect', `topic ${topic} on ${options.kafka.brokers.join(',')}`, {
        cause: error,
      });
    }
    const stallMs = options.stallTimeoutMs ?? 60_000;
    let lastProgress = performance.now();
    while (reader.unfinished().length > 0) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      let batch: RangeMessage[];
      try {
        batch = await reader.next();
      } catch (error) {
        throw new ReplayError('read', `topic ${topic}`, { cause: error });
      }
      const decoded = await Promise.all(batch.map((m) => decodeChecked(definition, serde, topic, m)));
      checkGraph();
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        if (!reader.isOpen(m.partition)) continue;
        summary.read++;
        const value = decoded[i];
        if (value === undefined) summary.poison++;
        else {
          const ts = value.ts;
          if (untilTs !== undefined && ts > untilTs + options.outOfOrdernessMs) {
            // Past the until time by more than the allowed disorder: nothing earlier can follow.
            summary.outsideTime++;
            finish(m.partition);
            continue;
          }
          if (ts < fromTs || (untilTs !== undefined && ts >= untilTs)) summary.outsideTime++;
          else {
            const pos = { topic, partition: m.partition, offset: String(m.offset) };
            const key = m.key === undefined || m.key === null ? undefined : m.key.toString();
            input.next(record(value.value, ts, key, pos));
            clocks.onRecord(clocks.partition(topic, m.partition), ts);
            summary.records++;
            if (ts < firstTs) firstTs = ts;
            if (ts > lastTs) lastTs = ts;
            if (++sinceBarrier >= options.barrierEvery) {
              sinceBarrier = 0;
              input.next(barrier(++epoch));
              // One epoch in flight: reading goes on while the previous one is flushed.
              await graph.passed(epoch - 1);
            }
          }
        }
        if (m.last) finish(m.partition);
      }
      for (const partition of reader.unfinished()) if (reader.done(partition)) finish(partition);
      const now = performance.now();
      if (reader.received > 0) lastProgress = now;
      else if (now - lastProgress > stallMs) {
        throw new ReplayError('read', `topic ${topic}`, {
          cause: Object.assign(
            new Error(
              `no message for ${Math.round(stallMs / 1000)} s with partitions ${reader.unfinished().join(', ')} unfinished`,
            ),
            { retriable: true },
          ),
        });
      }
      options.onProgress?.({
        records: summary.records,
        read: Math.min(reader.read(), total),
        total,
        eventTs: lastTs,
        watermark: clocks.watermark,
        elapsedMs: now - started,
      });
    }
  } finally {
    clocks.dispose();
    await reader.close();
  }

  // An interrupted replay leaves its windows open: it did not read to where they end.
  if (!interrupted && lastTs > Number.NEGATIVE_INFINITY && options.closeAt !== undefined) {
    const closing = options.closeAt(lastTs);
    if (closing > clocks.watermark) input.next(watermark(closing));
  }
  input.next(barrier(++epoch));
  await graph.passed(epoch);
  input.complete();
  await graph.done;
  return {
    ...summary,
    interrupted,
    ...(summary.records === 0 ? {} : { firstTs, lastTs }),
  };
}

/**
 * The value with its event time, or undefined for what the job's source
 * would dead-letter: bytes that are not one, a value the input check
 * refuses, an event time that is not a finite number.
 */
async function decodeChecked<In, Out>(
  definition: StreamingJob<In, Out>,
  serde: AvroSerde<In>,
  topic: string,
  m: RangeMessage,
): Promise<{ value: In; ts: number } | undefined> {
  const pos = { topic, partition: m.partition, offset: String(m.offset) };
  if (m.value === null) return undefined;
  let value: In;
  try {
    ({ value } = await serde.decode(m.value, pos));
  } catch (error) {
    if (error instanceof AvroDecodeError) return undefined;
    throw new ReplayError('decode', `${topic}[${m.partition}]@${m.offset}`, { cause: error });
  }
  if (definition.input.check?.(value) !== undefined) return undefined;
  const ts = definition.input.eventTime(value);
  return Number.isFinite(ts) ? { value, ts } : undefined;
}
