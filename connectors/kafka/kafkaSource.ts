import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Observable, type SchedulerLike, type Subscriber } from 'rxjs';
import { record, type SourcePosition, type StreamElement, watermark } from '../../operators/core/element.js';
import type { ValueCheck } from '../../operators/core/fieldRanges.js';
import {
  type EventTimeBound,
  type EventTimeBounds,
  eventTimeOutOfBounds,
} from '../../operators/time/eventTimeBounds.js';
import { eventTimeOf, InvalidEventTimeError } from '../../operators/time/eventTimeOf.js';
import type { WatermarkStrategy } from '../../operators/time/watermarkStrategy.js';
import type { AvroSerde } from '../avro/avroSerde.js';
import { AvroDecodeError } from '../avro/errors.js';
import { type DeadLetterFailure, deadLetterHeaders } from './deadLetterHeaders.js';
import type { SinkMessage } from './epochBuffer.js';
import { kafkaJavascript, newKafka } from './kafkaClient.js';
import type { KafkaClientOptions } from './kafkaClientOptions.js';
import type { NewKafkaSourceClient } from './kafkaSourceClient.js';
import {
  type PartitionWatermark,
  PartitionWatermarks,
  type TopicPartitionRef,
} from './partitionWatermarks.js';

/**
 * Options of a KafkaSource.
 *
 * @example
 * const options: KafkaSourceOptions<Telemetry> = {
 *   kafka: { brokers: ['127.0.0.1:19092'], clientId: 'machine-health' },
 *   groupId: 'machine-health', topics: ['telemetry'], serde, tsOf: (t) => t.ts,
 *   watermarks: boundedOutOfOrderness(5_000, { idleTimeoutMs: 60_000 }),
 *   deadLetter: { topic: 'telemetry-dlq' },
 * };
 */
export interface KafkaSourceOptions<T> {
  readonly kafka: KafkaClientOptions;
  /** Consumer group: members share the topics' partitions. */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Decodes each message value (Confluent-framed Avro). */
  readonly serde: AvroSerde<T>;
  /** Event time of a decoded value (epoch ms). */
  readonly tsOf: (value: T) => number;
  /**
   * The input contract's check of a decoded value (see ValueCheck): a value
   * it refuses is dead-lettered with reason 'invalid-value' and its message,
   * like a message that does not decode, and never reaches the graph.
   */
  readonly check?: ValueCheck<T>;
  /** Watermark generator per partition; its `idleTimeoutMs` applies per partition. */
  readonly watermarks: WatermarkStrategy;
  /** Where a group without committed offsets starts: the earliest (true) or the latest offset (default). */
  readonly fromBeginning?: boolean;
  /**
   * Where poison messages go (undecodable, refused by `check`, or without a valid event time):
   * the raw message, with headers naming the failure and its source position
   * (see DEAD_LETTER_HEADERS). Without it, a poison message fails the stream.
   * With `through`, the source hands each dead letter to it instead of
   * producing it: an exactly-once job writes it in the transaction that
   * commits the poison message's offset, so a crash cannot leave it twice.
   */
  readonly deadLetter?: { readonly topic: string; readonly through?: (message: SinkMessage) => void };
  /**
   * Event times to refuse (dead-letter with reason `event-time-out-of-bounds`)
   * instead of processing: too far ahead of processing time, or too far
   * behind the record's own partition's watermark. A refused record moves no
   * watermark. Without it, every valid event time is accepted.
   */
  readonly eventTimeBounds?: EventTimeBounds;
  /** Processing time for `eventTimeBounds` (default Date.now; tests pin it). */
  readonly now?: () => number;
  /**
   * Back-pressure. RxJS has no demand signal, so the source asks after each
   * message it dealt with: undefined means go on; a promise means wait. While
   * it is pending nothing more is handed over: the consumer's handler waits,
   * so librdkafka fetches no further than its own bounded prefetch queue.
   * Pass e.g. a sink's "in flight" promise when its buffer is full. A
   * rejection counts as settled: reporting the failure is the downstream's
   * job. (Pausing the partitions and seeking back on resume was tried first:
   * with @confluentinc/kafka-javascript 1.10 a partition could stay stalled
   * after the resume, which froze the combined watermark.)
   */
  readonly pressure?: () => PromiseLike<unknown> | undefined;
  /** Clock and timer of partition idleness (default: RxJS's asyncScheduler). */
  readonly scheduler?: SchedulerLike;
  /**
   * Static group membership (`group.instance.id`): a member that restarts
   * with the same id within the session timeout gets its partitions back
   * without a rebalance of the whole group. Use the pod name on Kubernetes.
   */
  readonly groupInstanceId?: string;
  /** How long the group waits for a silent member before moving its partitions (default 45 000 ms). */
  readonly sessionTimeoutMs?: number;
  /**
   * Called, and awaited, when partitions are assigned or revoked, before
   * any message of an assigned partition is handed over and after the last
   * message of a revoked one: where a runtime restores state and commits or
   * drops its open epoch. Calls never overlap: each waits for the one
   * before. (The group rebalances eagerly: a member gives up everything and
   * gets its new share. cooperative-sticky was tried: with
   * @confluentinc/kafka-javascript 1.10 the partitions a member gave up in
   * the first round were assigned to nobody in the second.) The consumer is the group member, for
   * `sendOffsets`. A rejection is reported as a 'rebalance' failure.
   */
  readonly rebalance?: KafkaSourceRebalanceListener;
  /**
   * Called with the position of every message dealt with: handed over as a
   * record (`deadLettered` false) or sent to the dead-letter topic (true).
   */
  readonly onPosition?: (position: SourcePosition, deadLettered: boolean) => void;
  /**
   * Messages of one partition handed to the source per client call (default
   * 500; the client's `js.consumer.max.batch.size`). A batch whose messages
   * decode with known schemas reaches the graph in one synchronous run.
   */
  readonly maxBatch?: number;
  /**
   * Where each subscription's consumer and dead-letter producer come from
   * (default: newKafka, the real client): the seam through which a runtime's
   * unit tests run the source against a fake broker.
   */
  readonly newClient?: NewKafkaSourceClient;
}

/**
 * Rebalance hooks of a KafkaSource (see KafkaSourceOptions.rebalance).
 *
 * @example
 * const rebalance: KafkaSourceRebalanceListener = {
 *   assigned: async (partitions, consumer) => { await restoreState(partitions); },
 *   revoked: async (partitions) => { await finishEpoch(); },
 * };
 */
export interface KafkaSourceRebalanceListener {
  /** May resolve to the partitions' restored watermarks (see PartitionClock.floor). */
  assigned(
    partitions: readonly TopicPartitionRef[],
    consumer: KafkaJS.Consumer,
  ): Promise<readonly PartitionWatermark[] | undefined>;
  revoked(partitions: readonly TopicPartitionRef[], consumer: KafkaJS.Consumer): Promise<void>;
}

/**
 * What a KafkaSource has done so far, over all its subscriptions.
 *
 * @example
 * const { records, deadLetters, positions } = source.metrics();
 */
export interface KafkaSourceMetrics {
  /** Records handed over downstream. */
  readonly records: number;
  /** Poison messages written to the dead-letter topic. */
  readonly deadLetters: number;
  /** Times back-pressure held the consumer. */
  readonly pauses: number;
  /** Records dead-lettered for an event time out of `eventTimeBounds`, by the bound they broke. */
  readonly eventTimeRefused: Readonly<Record<EventTimeBound, number>>;
  /** Per partition, the last offset dealt with (handed over or dead-lettered), by topic then partition. */
  readonly positions: readonly SourcePosition[];
}

/**
 * Which step of a KafkaSource failed.
 * - 'connect': connecting, subscribing or starting the consumer (or the dead-letter producer);
 * - 'decode': the serde failed for another reason than the bytes (a registry outage);
 * - 'poison': a poison message and no dead-letter topic configured;
 * - 'dead-letter': producing to the dead-letter topic failed;
 * - 'rebalance': a rebalance listener failed;
 * - 'close': disconnecting failed.
 */
export type KafkaSourceStage = 'connect' | 'decode' | 'poison' | 'dead-letter' | 'rebalance' | 'close';

/**
 * A KafkaSource failure. `retriable` is the cause's own flag (KafkaJS and
 * registry errors carry one), false when it has none; `position` names the
 * message at fault, when there is one.
 *
 * @example
 * source.elements$.subscribe({ error: (e) => { if (e instanceof KafkaSourceError && e.retriable) restart(); } });
 */
export class KafkaSourceError extends Error {
  override readonly name = 'KafkaSourceError';
  readonly retriable: boolean;

  constructor(
    readonly stage: KafkaSourceStage,
    readonly position: SourcePosition | undefined,
    subject: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    const at =
      position === undefined ? '' : ` at ${position.topic}[${position.partition}]@${position.offset}`;
    super(
      `kafka source ${stage} failed for ${subject}${at}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.retriable = (cause as { retriable?: unknown } | undefined)?.retriable === true;
  }
}

type Consumer = KafkaJS.Consumer;
type Producer = KafkaJS.Producer;
type KafkaMessage = KafkaJS.KafkaMessage;

/**
 * A Kafka source on @confluentinc/kafka-javascript: a consumer group member
 * reading `read_committed` (aborted transactions are never seen) that never
 * commits offsets itself: the exactly-once runtime commits the positions
 * records carry, within its transactions.
 *
 * Each subscription to `elements$` joins the group with a consumer of its
 * own; unsubscribing disconnects it. Each message is decoded with the serde
 * and handed over as a record with `key` (the message key as UTF-8), `pos`
 * (topic, partition, offset) and event time `tsOf(value)`, in partition
 * order. Watermarks follow the records, per partition by the strategy and
 * combined over the assigned partitions (a partition counts from its
 * assignment; an idle one stops counting), emitted only when the combined
 * watermark advances. Poison messages go to the dead-letter topic and are
 * counted; the stream goes on.
 *
 * @example
 * await using source = kafkaSource({ kafka: { brokers }, groupId: 'health', topics: ['telemetry'],
 *   serde, tsOf: (t) => t.ts, watermarks: boundedOutOfOrderness(5_000), deadLetter: { topic: 'telemetry-dlq' } });
 * source.elements$.pipe(keyBy((t) => t.assetId), windowAggregate(…)).subscribe(sink);
 * console.log(source.metrics().deadLetters);
 */
export class KafkaSource<T> implements AsyncDisposable {
  /** The stream of records and watermarks; cold: each subscription is a consumer of its own. */
  readonly elements$: Observable<StreamElement<T>>;
  private records = 0;
  private deadLetters = 0;
  private pauses = 0;
  private readonly eventTimeRefused: Record<EventTimeBound, number> = { ahead: 0, behind: 0 };
  private readonly positions = new Map<string, SourcePosition>();
  private readonly active = new Set<Subscriber<StreamElement<T>>>();
  private readonly clocksInUse = new Set<PartitionWatermarks>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly stopErrors: unknown[] = [];

  constructor(private readonly options: KafkaSourceOptions<T>) {
    validate(options);
    this.elements$ = new Observable<StreamElement<T>>((subscriber) => this.run(subscriber));
  }

  /**
   * Each assigned partition's own watermark now, over the open
   * subscriptions: what the runtime commits with an epoch, so a restarted
   * member starts its partitions there.
   */
  partitionWatermarks(): PartitionWatermark[] {
    return [...this.clocksInUse].flatMap((clocks) => clocks.partitionWatermarks());
  }

  /** Counters and positions so far. */
  metrics(): KafkaSourceMetrics {
    const positions = [...this.positions.values()].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
    return {
      records: this.records,
      deadLetters: this.deadLetters,
      pauses: this.pauses,
      eventTimeRefused: { ...this.eventTimeRefused },
      positions,
    };
  }

  /**
   * Completes every subscription and waits until their consumers (and
   * dead-letter producers) are disconnected, including those of earlier
   * unsubscriptions. Rejects with KafkaSourceError ('close') if one failed.
   */
  async close(): Promise<void> {
    for (const subscriber of [...this.active]) subscriber.complete();
    while (this.stopping.size > 0) await Promise.all(this.stopping);
    const failure = this.stopErrors.shift();
    if (failure !== undefined) {
      this.stopErrors.length = 0;
      throw new KafkaSourceError('close', undefined, `group ${this.options.groupId}`, { cause: failure });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private run(subscriber: Subscriber<StreamElement<T>>): () => void {
    const { kafka: kafkaOptions, groupId, topics, serde, tsOf, check, deadLetter, pressure } = this.options;
    const bounds = this.options.eventTimeBounds;
    const now = this.options.now ?? Date.now;
    const kafka = (this.options.newClient ?? newKafka)(kafkaOptions);
    const clocks = new PartitionWatermarks(
      this.options.watermarks,
      (ts) => subscriber.next(watermark(ts)),
      this.options.scheduler,
    );
    this.clocksInUse.add(clocks);
    const listener = this.options.rebalance;
    const consumer: Consumer = kafka.consumer({
      kafkaJS: {
        groupId,
        fromBeginning: this.options.fromBeginning ?? false,
        autoCommit: false,
        readUncommitted: false,
        ...(this.options.sessionTimeoutMs === undefined
          ? {}
          : { sessionTimeout: this.options.sessionTimeoutMs }),
      },
      ...(this.options.groupInstanceId === undefined
        ? {}
        : { 'group.instance.id': this.options.groupInstanceId }),
      // Up to this many messages of a partition per handler call (the client's default is 32).
      'js.consumer.max.batch.size': this.options.maxBatch ?? DEFAULT_MAX_BATCH,
      // The client awaits this before it consumes again, so a listener's restore comes before the partition's messages.
      rebalance_cb: (err: { code: number }, assignment: TopicPartitionRef[]) => {
        // One after the other: the client may start the assignment's callback while the
        // revocation's is still committing.
        const next = rebalancing.then(() => onRebalance(err, assignment));
        rebalancing = next;
        return next;
      },
    });
    let rebalancing: Promise<void> = Promise.resolve();
    const onRebalance = async (err: { code: number }, assignment: TopicPartitionRef[]): Promise<void> => {
      if (stopped) return;
      const parts = assignment.map(({ topic, partition }) => ({ topic, partition }));
      try {
        if (err.code === kafkaJavascript().KafkaJS.ErrorCodes.ERR__ASSIGN_PARTITIONS) {
          const floors = await listener?.assigned(parts, consumer);
          clocks.assign(parts, floors ?? []);
        } else if (err.code === kafkaJavascript().KafkaJS.ErrorCodes.ERR__REVOKE_PARTITIONS) {
          // The listener first: its last epoch still reads these partitions' watermarks.
          await listener?.revoked(parts, consumer);
          clocks.revoke(parts);
        }
      } catch (error) {
        fail(new KafkaSourceError('rebalance', undefined, `group ${groupId}`, { cause: error }));
      }
    };
    /**
     * When a revocation and the next assignment reach the client in one poll, it applies the
     * assignment and later the revocation's deferred unassign, and the member silently holds
     * nothing (@confluentinc/kafka-javascript 1.10). A watchdog compares the client's own
     * assignment with the partitions this source holds; on a mismatch the stream fails with a
     * retriable error, so the runtime reconnects from the committed offsets.
     */
    const watchdog = setInterval(() => {
      if (stopped || clocks.assigned().length === 0) return;
      let held: number;
      try {
        held = consumer.assignment().length;
      } catch {
        return;
      }
      if (held > 0) return;
      fail(
        new KafkaSourceError('rebalance', undefined, `group ${groupId}`, {
          cause: Object.assign(new Error('the client dropped the partitions it was assigned; reconnecting'), {
            retriable: true,
          }),
        }),
      );
    }, ASSIGNMENT_CHECK_MS);
    watchdog.unref?.();
    const producer: Producer | undefined =
      deadLetter === undefined || deadLetter.through !== undefined
        ? undefined
        : kafka.producer({ kafkaJS: { idempotent: true, acks: -1 } });
    let stopped = false;
    let waiting: Promise<void> | undefined;
    let releaseStop = (): void => undefined;
    // A handler waiting on pressure must not keep disconnect waiting after an unsubscribe.
    const stopSignal = new Promise<void>((resolve) => {
      releaseStop = resolve;
    });
    let index = 0;
    this.active.add(subscriber);

    const fail = (error: KafkaSourceError): void => {
      if (!stopped) subscriber.error(error);
    };

    const hold = (until: PromiseLike<unknown>): void => {
      this.pauses++;
      const resume = (): void => {
        waiting = undefined;
      };
      waiting = Promise.resolve(until).then(resume, resume);
    };

    const sendDeadLetter = async (
      message: KafkaMessage,
      pos: SourcePosition,
      failure: DeadLetterFailure,
      cause: unknown,
    ) => {
      if (deadLetter === undefined) {
        throw new KafkaSourceError('poison', pos, `topic ${pos.topic}`, { cause });
      }
      if (deadLetter.through !== undefined) {
        deadLetter.through({
          topic: deadLetter.topic,
          key: message.key ?? Buffer.alloc(0),
          value: message.value,
          headers: deadLetterHeaders(failure, pos, message.headers),
        });
        this.deadLetters++;
        return;
      }
      if (producer === undefined) throw new KafkaSourceError('poison', pos, `topic ${pos.topic}`, { cause });
      try {
        await producer.send({
          topic: deadLetter.topic,
          messages: [
            {
              key: message.key,
              value: message.value,
              // No timestamp of the original: it is its event time, and an old one would let the
              // dead-letter topic's time retention delete the copy at once (as the transactional path).
              headers: deadLetterHeaders(failure, pos, message.headers),
            },
          ],
        });
      } catch (error) {
        throw new KafkaSourceError('dead-letter', pos, `dead-letter topic ${deadLetter.topic}`, {
          cause: error,
        });
      }
      this.deadLetters++;
    };

    const dealtWith = (id: string, pos: SourcePosition, deadLettered: boolean): void => {
      this.positions.set(id, pos);
      this.options.onPosition?.(pos, deadLettered);
    };

    /** Dead-letters a poison message and counts it as dealt with (its offset is committed with an epoch). */
    const poison = async (
      message: KafkaMessage,
      pos: SourcePosition,
      clockId: string,
      failure: DeadLetterFailure,
      cause: unknown,
    ): Promise<void> => {
      await sendDeadLetter(message, pos, failure, cause);
      dealtWith(clockId, pos, true);
    };

    /** Checks a decoded value, stamps its event time and hands it over; a promise only when it was dead-lettered. */
    const accept = (
      message: KafkaMessage,
      pos: SourcePosition,
      clock: ReturnType<PartitionWatermarks['partition']>,
      { value, schemaId }: { value: T; schemaId: number | undefined },
    ): Promise<void> | undefined => {
      const refused = check?.(value);
      if (refused !== undefined) {
        const failure = { reason: 'invalid-value', message: refused, schemaId };
        return poison(message, pos, clock.id, failure, new Error(refused));
      }
      let ts: number;
      try {
        ts = eventTimeOf(tsOf, value, index);
      } catch (error) {
        if (!(error instanceof InvalidEventTimeError)) throw error;
        const failure = { reason: 'invalid-event-time', message: error.message, schemaId };
        return poison(message, pos, clock.id, failure, error);
      }
      index++;
      if (bounds !== undefined) {
        const out = eventTimeOutOfBounds(ts, now(), clocks.watermarkOf(clock), bounds);
        if (out !== undefined) {
          this.eventTimeRefused[out.bound]++;
          const failure = { reason: 'event-time-out-of-bounds', message: out.message, schemaId };
          return poison(message, pos, clock.id, failure, new Error(out.message));
        }
      }
      if (stopped) return undefined;
      subscriber.next(record(value, ts, message.key === null ? undefined : message.key.toString(), pos));
      this.records++;
      dealtWith(clock.id, pos, false);
      clocks.onRecord(clock, ts);
      return undefined;
    };

    /**
     * Deals with one message: synchronously when its writer schema is known
     * (so a whole fetched batch reaches the graph in one synchronous run),
     * else through a promise (a schema to fetch, a dead letter to send).
     */
    const handle = (topic: string, partition: number, message: KafkaMessage): Promise<void> | undefined => {
      const pos: SourcePosition = { topic, partition, offset: message.offset };
      const clock = clocks.partition(topic, partition);
      let decoded: { value: T; schemaId: number | undefined } | undefined;
      try {
        if (message.value === null) {
          throw new AvroDecodeError('too-short', undefined, pos, 'the message has no value (a tombstone)');
        }
        decoded = serde.decodeKnown(message.value, pos);
      } catch (error) {
        if (!(error instanceof AvroDecodeError)) {
          throw new KafkaSourceError('decode', pos, `topic ${topic}`, { cause: error });
        }
        return poison(message, pos, clock.id, error, error);
      }
      if (decoded !== undefined) return accept(message, pos, clock, decoded);
      const value = message.value;
      return (async () => {
        let fetched: { value: T; schemaId: number | undefined };
        try {
          fetched = await serde.decode(value, pos);
        } catch (error) {
          if (!(error instanceof AvroDecodeError)) {
            throw new KafkaSourceError('decode', pos, `topic ${topic}`, { cause: error });
          }
          await poison(message, pos, clock.id, error, error);
          return;
        }
        await accept(message, pos, clock, fetched);
      })();
    };

    /**
     * One fetched batch of one partition, message by message in offset
     * order. Awaits only what must be awaited (back-pressure, a schema
     * fetch, a dead letter), so an unhindered batch is one synchronous run.
     * A batch gone stale (its partition revoked meanwhile) stops where it
     * is: what was not handed over is read again by whoever owns the
     * partition, from the committed offsets.
     */
    const eachBatch = async ({ batch, isStale }: KafkaJS.EachBatchPayload): Promise<void> => {
      const { topic, partition } = batch;
      for (const message of batch.messages) {
        // Messages fetched before a pause took effect wait here rather than overtake the pressure.
        if (waiting !== undefined) await Promise.race([waiting, stopSignal]);
        if (stopped || isStale()) return;
        try {
          const pending = handle(topic, partition, message);
          if (pending !== undefined) await pending;
        } catch (error) {
          // Never thrown to the client: it would log and redeliver, while the stream must fail.
          fail(
            error instanceof KafkaSourceError
              ? error
              : new KafkaSourceError(
                  'decode',
                  { topic, partition, offset: message.offset },
                  `topic ${topic}`,
                  {
                    cause: error,
                  },
                ),
          );
          return;
        }
        const until = pressure?.();
        if (until !== undefined && !stopped) hold(until);
      }
    };

    const starting = (async () => {
      await consumer.connect();
      if (producer !== undefined) await producer.connect();
      if (stopped) return;
      await consumer.subscribe({ topics: [...topics] });
      if (stopped) return;
      await consumer.run({ eachBatch });
    })().catch((error: unknown) => {
      fail(
        new KafkaSourceError('connect', undefined, `group ${groupId} on ${topics.join(', ')}`, {
          cause: error,
        }),
      );
    });

    return () => {
      stopped = true;
      clearInterval(watchdog);
      releaseStop();
      this.active.delete(subscriber);
      this.clocksInUse.delete(clocks);
      clocks.dispose();
      const stop = (async () => {
        await starting;
        // Never disconnect inside a rebalance: the client applies the callback's (un)assignment
        // after our listener returns, and @confluentinc/kafka-javascript can crash the process when
        // a disconnect races its rebalance handling (confluent-kafka-javascript#34). Wait for the
        // listener (at most REBALANCE_DRAIN_MS: a listener stuck on a dead broker must not keep
        // the consumer forever), then one turn of the event loop for the client's own part.
        let drained: NodeJS.Timeout | undefined;
        await Promise.race([
          rebalancing.catch(() => undefined),
          new Promise((resolve) => {
            drained = setTimeout(resolve, REBALANCE_DRAIN_MS);
          }),
        ]);
        clearTimeout(drained);
        await new Promise((resolve) => setImmediate(resolve));
        // Disconnect both even if one fails; the first failure is reported by close().
        const results = await Promise.allSettled([consumer.disconnect(), producer?.disconnect()]);
        for (const result of results) if (result.status === 'rejected') this.stopErrors.push(result.reason);
      })();
      this.stopping.add(stop);
      void stop.finally(() => this.stopping.delete(stop));
    };
  }
}

/**
 * A KafkaSource (see there): `elements$` to subscribe, `metrics()`, `close()`.
 *
 * @example
 * const source = kafkaSource({ kafka: { brokers: ['127.0.0.1:19092'] }, groupId: 'g', topics: ['telemetry'],
 *   serde, tsOf: (t) => t.ts, watermarks: boundedOutOfOrderness(2_000), fromBeginning: true });
 * const sub = source.elements$.subscribe(console.log);
 * // later
 * sub.unsubscribe(); await source.close();
 */
export function kafkaSource<T>(options: KafkaSourceOptions<T>): KafkaSource<T> {
  return new KafkaSource(options);
}

/**
 * Messages per fetched batch by default. Larger batches mean fewer awaits
 * and bigger batches for the model downstream; the epoch trigger and
 * back-pressure still act between any two messages.
 */
const DEFAULT_MAX_BATCH = 500;

/** How long an unsubscribe waits for a rebalance listener still running before it disconnects. */
const REBALANCE_DRAIN_MS = 30_000;

/** How often the client's own view of the assignment is checked against the source's. */
const ASSIGNMENT_CHECK_MS = 1_500;

/** Checks the options once, before any connection; throws RangeError naming the option at fault. */
function validate<T>(options: KafkaSourceOptions<T>): void {
  if (options.kafka.brokers.length === 0) throw new RangeError('kafkaSource: kafka.brokers is empty');
  if (options.groupId === '') throw new RangeError('kafkaSource: groupId is empty');
  const maxBatch = options.maxBatch;
  if (maxBatch !== undefined && (!Number.isSafeInteger(maxBatch) || maxBatch < 1)) {
    throw new RangeError(`kafkaSource: maxBatch must be a positive integer, got ${maxBatch}`);
  }
  if (options.topics.length === 0) throw new RangeError('kafkaSource: topics is empty');
  const dlq = options.deadLetter?.topic;
  if (dlq !== undefined && options.topics.includes(dlq)) {
    throw new RangeError(`kafkaSource: dead-letter topic ${dlq} is also a source topic`);
  }
}
