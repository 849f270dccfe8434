/**
 * Where a job's consumer group stands on its input topic, read over and
 * over through the run: the group's committed offsets against the
 * partitions' end offsets. One client for the whole run, so a sample a
 * second costs two requests, not a connection.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaConsumer } from '@confluentinc/kafka-javascript';
import { kafkaJavascript } from '../connectors/kafka/kafkaClient.js';
import { type KafkaClientOptions, rdkafkaConfig } from '../connectors/kafka/kafkaClientOptions.js';

/** Each request's own timeout; a broker that is down answers none. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * The group's committed offsets and the topic's end offsets, summed over
 * its partitions, and the difference.
 *
 * @example
 * const reading: LagReading = { committed: 120_000, end: 123_400, lag: 3_400 };
 */
export interface LagReading {
  readonly committed: number;
  readonly end: number;
  readonly lag: number;
}

/**
 * A group's lag on one topic. The committed offsets are asked through a
 * consumer carrying the group's id that never subscribes (so never joins
 * the group): librdkafka's admin ListConsumerGroupOffsets crashes on the
 * NOT_COORDINATOR answer a restarting broker gives
 * (confluentinc/confluent-kafka-javascript#374). The end offsets are the
 * high watermarks, the end for a topic written without transactions.
 *
 * @example
 * const lag = new GroupLag({ brokers: ['127.0.0.1:19092'] }, 'soak-1a2b', 'soak-telemetry-1a2b', 4);
 * await lag.connect();
 * try { console.log(await lag.read()); } finally { await lag.close(); }
 */
export class GroupLag {
  private readonly consumer: KafkaConsumer;
  /** Why the last read failed, for a report of gaps in the series. */
  lastError: string | undefined;

  constructor(
    kafka: KafkaClientOptions,
    groupId: string,
    private readonly topic: string,
    private readonly partitions: number,
  ) {
    this.consumer = new (kafkaJavascript().KafkaConsumer)({
      ...rdkafkaConfig(kafka),
      'group.id': groupId,
      'client.id': `soak-lag-${randomUUID().slice(0, 8)}`,
      'enable.auto.commit': false,
    });
  }

  async connect(): Promise<void> {
    await new Promise<void>((done, fail) => this.consumer.connect({}, (err) => (err ? fail(err) : done())));
  }

  /** The lag now; rejects when either side cannot be read within the timeout. */
  async read(): Promise<LagReading> {
    const toppars = Array.from({ length: this.partitions }, (_, partition) => ({
      topic: this.topic,
      partition,
    }));
    const [committed, ends] = await Promise.all([
      within(
        new Promise<{ offset?: number }[]>((done, fail) =>
          this.consumer.committed(toppars, REQUEST_TIMEOUT_MS, (err, offsets) =>
            err ? fail(err) : done(offsets),
          ),
        ),
        'committed offsets',
      ),
      Promise.all(
        toppars.map((p) =>
          within(
            new Promise<number>((done, fail) =>
              this.consumer.queryWatermarkOffsets(
                p.topic,
                p.partition,
                REQUEST_TIMEOUT_MS,
                (err: unknown, offsets: { highOffset: number }) =>
                  err ? fail(err) : done(offsets.highOffset),
              ),
            ),
            `the end offset of partition ${p.partition}`,
          ),
        ),
      ),
    ]);
    // Before a partition's first commit its offset is negative (librdkafka's "invalid").
    const committedSum = committed.reduce((sum, p) => sum + Math.max(0, p.offset ?? 0), 0);
    const end = ends.reduce((sum, e) => sum + e, 0);
    return { committed: committedSum, end, lag: Math.max(0, end - committedSum) };
  }

  /**
   * The lag now, or undefined when it cannot be read (a broker restart
   * makes the soak expect gaps: a gap is a sample with no lag, never a
   * zero), its cause kept in `lastError`.
   */
  async sample(): Promise<LagReading | undefined> {
    try {
      // librdkafka reconnects by itself; a handle the binding has marked disconnected is connected again.
      if (!this.consumer.isConnected()) await this.connect();
      const reading = await this.read();
      this.lastError = undefined;
      return reading;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  }

  async close(): Promise<void> {
    if (this.consumer.isConnected()) {
      await new Promise<void>((done) => this.consumer.disconnect(() => done()));
    }
  }
}

/** Rejects if `promise` has not settled in twice the request timeout: a callback librdkafka never calls. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`no answer for ${what} in ${(2 * REQUEST_TIMEOUT_MS) / 1000} s`)),
      2 * REQUEST_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
