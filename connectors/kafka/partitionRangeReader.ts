import { randomUUID } from 'node:crypto';
import { kafkaJavascript, newKafka } from './kafkaClient.js';
import { type KafkaClientOptions, rdkafkaConfig } from './kafkaClientOptions.js';

/**
 * Offsets of one partition to read: `from` inclusive, `to` exclusive
 * (empty when equal).
 *
 * @example
 * const range: OffsetRange = { partition: 0, from: 1_200, to: 2_400 };
 */
export interface OffsetRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/**
 * A message read from a range: its position, key and value bytes.
 *
 * @example
 * const m: RangeMessage = { partition: 0, offset: 1_200, key: 'pump-1', value: bytes };
 */
export interface RangeMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key?: string | Buffer | null;
  readonly value: Buffer | null;
  /** The last offset of its range: the partition is done once this message is handled. */
  readonly last: boolean;
}

/**
 * Reads fixed offset ranges of one topic, read_committed, with a consumer
 * that is assigned its partitions (it never joins a group and commits
 * nothing, so it changes no job's offsets). What a replay or a backfill
 * needs, and the group protocol of the KafkaJS-style consumer cannot give.
 * A partition is finished when its position passes `to` (transaction
 * markers count) or when the caller says so.
 *
 * @example
 * const reader = new PartitionRangeReader({ kafka, topic: 'telemetry', ranges });
 * await reader.connect();
 * try {
 *   while (reader.unfinished().length > 0) for (const m of await reader.next()) use(m);
 * } finally { await reader.close(); }
 */
export class PartitionRangeReader {
  private readonly open = new Map<number, OffsetRange>();
  private readonly positions = new Map<number, number>();
  private readonly consumer: InstanceType<ReturnType<typeof kafkaJavascript>['KafkaConsumer']>;

  constructor(
    private readonly options: {
      readonly kafka: KafkaClientOptions;
      readonly topic: string;
      readonly ranges: readonly OffsetRange[];
      /** Messages per read (default 1 000). */
      readonly batch?: number;
    },
  ) {
    for (const r of options.ranges) {
      this.positions.set(r.partition, r.from);
      if (r.to > r.from) this.open.set(r.partition, r);
    }
    this.consumer = new (kafkaJavascript().KafkaConsumer)({
      ...rdkafkaConfig(options.kafka),
      // Required by the client; the consumer is assigned its partitions, so it never joins this group.
      'group.id': `range-reader-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
    });
  }

  /** Connects and assigns the unfinished ranges; nothing to do when every range is empty. */
  async connect(): Promise<void> {
    if (this.open.size === 0) return;
    const consumer = this.consumer;
    await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
    consumer.assign(
      [...this.open.values()].map((r) => ({
        topic: this.options.topic,
        partition: r.partition,
        offset: r.from,
      })),
    );
    consumer.setDefaultConsumeTimeout(100);
  }

  /** Partitions still to be read. */
  unfinished(): number[] {
    return [...this.open.keys()];
  }

  /** Whether `partition` is still to be read. */
  isOpen(partition: number): boolean {
    return this.open.has(partition);
  }

  /** Messages read so far (markers and skipped ones count), over every range. */
  read(): number {
    let n = 0;
    for (const r of this.options.ranges) n += (this.positions.get(r.partition) ?? r.from) - r.from;
    return n;
  }

  /**
   * The next messages inside the unfinished ranges, in offset order per
   * partition; empty when none arrived within the consume timeout. A
   * partition whose range is done is finished afterwards.
   */
  async next(): Promise<RangeMessage[]> {
    const { topic } = this.options;
    const batch = await new Promise<Omit<RangeMessage, 'last'>[]>((done, fail) =>
      this.consumer.consume(this.options.batch ?? 1_000, (err, messages) =>
        err ? fail(err) : done(messages),
      ),
    );
    const kept: RangeMessage[] = [];
    for (const m of batch) {
      const range = this.open.get(m.partition);
      if (range === undefined || m.offset < range.from || m.offset >= range.to) continue;
      kept.push({
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        last: m.offset + 1 >= range.to,
      });
    }
    for (const m of kept) {
      this.positions.set(m.partition, Math.max(this.positions.get(m.partition) ?? 0, m.offset + 1));
    }
    // The end may lie past the last message (transaction markers): the position moves past those.
    if (this.open.size > 0) {
      for (const p of this.consumer.position(
        [...this.open.keys()].map((partition) => ({ topic, partition })),
      )) {
        if (p.offset !== undefined && p.offset > (this.positions.get(p.partition) ?? 0)) {
          this.positions.set(p.partition, p.offset);
        }
      }
    }
    this.received = batch.length;
    return kept;
  }

  /** Messages the last `next()` got from the client, inside the ranges or not (progress, stalls). */
  received = 0;

  /** Whether `partition`'s range has been read to its end. */
  done(partition: number): boolean {
    const range = this.open.get(partition);
    return range === undefined || (this.positions.get(partition) ?? range.from) >= range.to;
  }

  /** Stops reading `partition` (its range is done, or the caller needs no more of it). */
  finish(partition: number): void {
    if (!this.open.delete(partition)) return;
    this.consumer.pause([{ topic: this.options.topic, partition }]);
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    if (consumer.isConnected()) await new Promise<void>((done) => consumer.disconnect(() => done()));
  }
}

/**
 * Per partition, the first offset still in the log and the read_committed
 * end (the next offset to be written), now.
 *
 * @example
 * const marks = await topicOffsetMarks({ brokers: ['127.0.0.1:19092'] }, 'telemetry');
 */
export async function topicOffsetMarks(
  kafka: KafkaClientOptions,
  topic: string,
): Promise<{ partition: number; low: number; end: number }[]> {
  const admin = newKafka(kafka).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic, {
      isolationLevel: kafkaJavascript().KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), end: Number(o.offset) }));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Per partition, the first offset whose message timestamp is at or after
 * `ts`; the end offset where there is none (which reads nothing).
 *
 * @example
 * const starts = await offsetsAtTime({ brokers: ['127.0.0.1:19092'] }, 'telemetry', Date.parse('2026-01-05T06:00Z'));
 */
export async function offsetsAtTime(
  kafka: KafkaClientOptions,
  topic: string,
  ts: number,
): Promise<Map<number, number>> {
  const admin = newKafka(kafka).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, ts, {
      isolationLevel: kafkaJavascript().KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return new Map(offsets.map((o) => [o.partition, Number(o.offset)]));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
