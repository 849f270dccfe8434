import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { identity, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { AvroSerde } from '../../connectors/avro/avroSerde.js';
import {
  type ChangelogRestoreStats,
  KafkaChangelogSnapshotStore,
} from '../../connectors/kafka/changelogSnapshotStore.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { KafkaSource } from '../../connectors/kafka/kafkaSource.js';
import type { PartitionWatermark, TopicPartitionRef } from '../../connectors/kafka/partitionWatermarks.js';
import {
  type SinkMessage,
  type TransactionalProducer,
  TransactionalSinkError,
  transactionalSink,
} from '../../connectors/kafka/transactionalSink.js';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';
import type { ValueCheck } from '../../operators/core/fieldRanges.js';
import type { SnapshotStore } from '../../operators/state/snapshots.js';
import type { EventTimeBounds } from '../../operators/time/eventTimeBounds.js';
import type { WatermarkStrategy } from '../../operators/time/watermarkStrategy.js';
import { GraphRun } from '../epochs/graphRun.js';
import { ConsumedPositions } from './consumedPositions.js';
import { CRASH_AT_VARIABLE, type CrashPoint, crashPoints } from './crashPoints.js';
import type { EpochProducer } from './epochProducer.js';
import { EpochTrigger } from './epochTrigger.js';
import { type ExactlyOnceClients, kafkaClients } from './exactlyOnceClients.js';

/**
 * What the job tells its operator, as structured events (the CLI logs them
 * as JSON lines; metrics count them).
 *
 * @example
 * const log = (e: JobEvent) => console.log(JSON.stringify(e));
 */
export type JobEvent =
  | { readonly event: 'assigned'; readonly partitions: readonly TopicPartitionRef[] }
  | {
      readonly event: 'restored';
      readonly partitions: readonly number[];
      readonly keys: number;
      readonly records: number;
      readonly durationMs: number;
    }
  | { readonly event: 'revoked'; readonly partitions: readonly TopicPartitionRef[] }
  | {
      readonly event: 'committed';
      readonly epoch: number;
      readonly records: number;
      readonly latencyMs: number;
    }
  | { readonly event: 'fenced'; readonly message: string }
  | { readonly event: 'rejoining' }
  | {
      readonly event: 'restarting';
      readonly reason: string;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly event: 'stopping'; readonly signal?: string }
  | { readonly event: 'stopped'; readonly epochsCommitted: number };

/**
 * Options of an ExactlyOnceJob.
 *
 * @example
 * const options: ExactlyOnceJobOptions<Telemetry, Output> = {
 *   kafka: { brokers: ['127.0.0.1:19092'] }, groupId: 'machine-health', instanceId: 'machine-health-0',
 *   source: { topics: ['telemetry'], serde, tsOf: (t) => t.ts, watermarks: boundedOutOfOrderness(5_000) },
 *   changelogTopic: 'machine-health-state', epochs: { intervalMs: 1_000, maxRecords: 5_000 },
 *   graph: (input$, snapshots) => machineHealth(input$, { ...deps, snapshots }),
 *   route: (r) => (r.value.type === 'command' ? [commandMessage(r.value.command)] : []),
 * };
 */
export interface ExactlyOnceJobOptions<T, O> {
  readonly kafka: KafkaClientOptions;
  /** The consumer group; every instance of the job is a member. */
  readonly groupId: string;
  /**
   * Stable per instance (the pod name of a StatefulSet): static group
   * membership and the transactional id `${groupId}-${instanceId}`, so a
   * restarted instance takes its partitions back without a rebalance storm
   * and fences its own zombie.
   */
  readonly instanceId: string;
  readonly source: {
    readonly topics: readonly string[];
    readonly serde: AvroSerde<T>;
    readonly tsOf: (value: T) => number;
    /** The input contract's check: refused values are dead-lettered (see KafkaSourceOptions.check). */
    readonly check?: ValueCheck<T>;
    readonly watermarks: WatermarkStrategy;
    readonly deadLetter?: { readonly topic: string };
    /** Event times refused as out of bounds (see KafkaSourceOptions.eventTimeBounds). */
    readonly eventTimeBounds?: EventTimeBounds;
    /** Where a group without committed offsets starts (default: the earliest offset). */
    readonly fromBeginning?: boolean;
    readonly sessionTimeoutMs?: number;
    /** Messages per fetched batch (see KafkaSourceOptions.maxBatch). */
    readonly maxBatch?: number;
  };
  /** The compacted changelog, partitioned like the input (see changelogTopicSpec). */
  readonly changelogTopic: string;
  /** An epoch closes after `maxRecords` records or `intervalMs` after its first, whichever first. */
  readonly epochs: { readonly intervalMs: number; readonly maxRecords: number };
  /** The operator graph of one assignment; its stateful operators take `snapshots`. */
  readonly graph: (
    input$: Observable<StreamElement<T>>,
    snapshots: SnapshotStore,
  ) => Observable<StreamElement<O>>;
  /** Kafka messages for an output record (e.g. commands), written in its epoch's transaction. */
  readonly route: (record: StreamRecord<O>) => readonly SinkMessage[];
  /**
   * Idempotent side outputs before the Kafka commit (ClickHouse): a barrier
   * that passes it must mean its epoch's writes are durable, so a crash
   * after them replays into the same rows.
   */
  readonly beforeCommit?: () => OperatorFunction<StreamElement<O>, StreamElement<O>>;
  /** Every output record after its epoch committed (metrics, tests). */
  readonly onCommitted?: (epoch: number, outputs: readonly O[]) => void;
  readonly log?: (event: JobEvent) => void;
  /** Restarts after retriable failures before giving up (default 10); the count resets after a commit. */
  readonly maxRestarts?: number;
  /** How long a clean stop waits for the last epoch to commit (default 30 000 ms). */
  readonly stopTimeoutMs?: number;
  /**
   * 'exactly-once' (default): one Kafka transaction per epoch. 'at-least-once'
   * exists to measure what transactions cost: the same epochs, but messages
   * sent by an idempotent producer and offsets committed by the consumer
   * afterwards, so a crash in between replays into duplicates.
   */
  readonly guarantee?: 'exactly-once' | 'at-least-once';
  /** Where the producer, the source's consumer and the changelog read come from (default: kafkaClients, the real ones). */
  readonly clients?: ExactlyOnceClients;
  /**
   * Fault injection for crash tests (see crashPoints): by default armed from
   * TWINFLOW_CRASH_AT, a no-op when it is unset.
   */
  readonly crashAt?: (point: CrashPoint) => void;
}

/**
 * The input side of a running job, for metrics (see ExactlyOnceJob.inputStats).
 *
 * @example
 * const lagOf = (s: JobInputStats, end: bigint) => end - BigInt(s.partitions[0].nextOffset);
 */
export interface JobInputStats {
  readonly partitions: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly records: number;
    /** The offset after the last record handed over. */
    readonly nextOffset: string;
  }[];
  readonly deadLetters: number;
  /** Records dead-lettered for an event time out of bounds, by the bound they broke. */
  readonly eventTimeRefused: Readonly<Record<'ahead' | 'behind', number>>;
  readonly maxEventTs: number;
  readonly watermarks: readonly PartitionWatermark[];
}

/** The job cannot go on: a failure that is not retriable, or too many restarts. */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
}

/**
 * The open epoch could not be committed before the assignment changed: the
 * consumer has read past the committed state, so the job restarts from the
 * committed offsets (retriable).
 */
export class EpochNotCommittedError extends Error {
  override readonly name = 'EpochNotCommittedError';
  readonly retriable = true;

  constructor(before: string) {
    super(`the open epoch could not be committed before ${before}; restarting from the committed offsets`);
  }
}

/**
 * The committed offsets of the owned partitions could not be read before
 * their state was restored. Reading them is what waits until a transaction
 * still completing (an epoch's offsets and changelog) is visible; a restore
 * without it could read the changelog of another epoch than the offsets the
 * consumer then starts from, and state and input would no longer match.
 * Retriable when its cause is: the job restarts from the committed offsets.
 *
 * @example
 * catch (e) { if (e instanceof CommittedOffsetsUnreadError) console.error(e.partitions, e.cause); }
 */
export class CommittedOffsetsUnreadError extends Error {
  override readonly name = 'CommittedOffsetsUnreadError';
  readonly retriable: boolean;

  constructor(
    readonly partitions: readonly TopicPartitionRef[],
    options: { cause: unknown },
  ) {
    const cause = options.cause as { retriable?: unknown } | undefined;
    const text = options.cause instanceof Error ? options.cause.message : String(options.cause);
    const names = partitions.map((p) => `${p.topic}[${p.partition}]`).join(', ');
    super(
      `the committed offsets of ${names} could not be read, so their state was not restored: ${text}`,
      options,
    );
    this.retriable = cause?.retriable === true;
  }
}

/** One assignment's operator graph, fed by the source, closed by its revoke. */
interface Generation<T, O> {
  readonly run: GraphRun<T, O>;
  readonly store: KafkaChangelogSnapshotStore;
  readonly consumer: KafkaJS.Consumer;
}

interface OpenEpoch {
  readonly injectedAt: number;
  readonly records: number;
  /** True once committed; false when the graph was dropped first (the epoch is replayed). */
  readonly done: Promise<boolean>;
  readonly resolve: (committed: boolean) => void;
}

/**
 * The exactly-once runtime of ARCHITECTURE.md on Kafka. A consumer-group
 * member reads `read_committed`; the job closes epochs by barriers (by
 * record count and by time); per epoch, one Kafka transaction holds the
 * routed messages (commands), the changelog of every key whose state
 * changed (coalesced, on the key's input partition) and the consumed
 * offsets, committed when the barrier has passed every sink (and the
 * `beforeCommit` side outputs). A failed epoch is aborted and replayed.
 *
 * On assignment, the state of exactly the assigned partitions is restored
 * from the changelog before their first message is processed, and a fresh
 * operator graph starts from it. On revoke, the open epoch is closed and
 * committed while the partitions are still ours (never half of it), then
 * the graph is dropped. A fenced producer (another instance took the
 * transactional id, or the group moved on) drops its state and rejoins.
 *
 * @example
 * const job = new ExactlyOnceJob(options);
 * process.once('SIGTERM', () => void job.stop('SIGTERM'));
 * await job.run(); // resolves after stop(), when the last epoch is committed and the group left
 */
export class ExactlyOnceJob<T, O> {
  private readonly trigger: EpochTrigger;
  private readonly positions = new ConsumedPositions();
  /** Input partition of each key seen: where the key's changelog goes. */
  private readonly keyPartitions = new Map<string, number>();
  private readonly offsetsByEpoch = new Map<number, KafkaJS.TopicOffsets[]>();
  /** Dead letters since the last barrier, then per epoch until its transaction takes them. */
  private deadLettersOpen: SinkMessage[] = [];
  private readonly deadLettersByEpoch = new Map<number, SinkMessage[]>();
  private readonly open = new Map<number, OpenEpoch>();
  private generation: Generation<T, O> | undefined;
  /** Per topic, per partition: records handed over since start and the offset of the last (for metrics). */
  private readonly recordsByPartition = new Map<
    string,
    Map<number, { topic: string; partition: number; records: number; lastOffset: string }>
  >();
  private maxEventTs = Number.NEGATIVE_INFINITY;
  /** The partitions this member holds now, by `topic:partition`. */
  private readonly owned = new Map<string, TopicPartitionRef>();
  private source: KafkaSource<T> | undefined;
  private recordsInEpoch = 0;
  private nextEpoch = Date.now();
  private stopping = false;
  private stopped: (() => void) | undefined;
  /** Ends the current consumer so that the job rejoins with a fresh one. */
  private rejoin: (() => void) | undefined;
  private rejoining = false;
  private failure: ((error: unknown) => void) | undefined;
  private committedEpochs = 0;
  private ready = false;
  private lastRestore: ChangelogRestoreStats | undefined;
  private readonly clients: ExactlyOnceClients;
  private readonly crashAt: (point: CrashPoint) => void;

  constructor(private readonly options: ExactlyOnceJobOptions<T, O>) {
    if (options.instanceId.trim() === '') throw new RangeError('exactly-once job: instanceId is empty');
    this.trigger = new EpochTrigger(options.epochs);
    this.clients = options.clients ?? kafkaClients;
    this.crashAt = options.crashAt ?? crashPoints(process.env[CRASH_AT_VARIABLE]);
  }

  /** The transactional id of this instance's producer. */
  get transactionalId(): string {
    return `${this.options.groupId}-${this.options.instanceId}`;
  }

  /** Partitions assigned and their state restored (the readiness probe). */
  isReady(): boolean {
    return this.ready;
  }

  /** Epochs committed so far. */
  get epochsCommitted(): number {
    return this.committedEpochs;
  }

  /**
   * What the input looks like now, for metrics: records handed over per
   * partition (since start), dead letters, the newest event time seen and
   * each held partition's watermark.
   *
   * @example
   * const { partitions, deadLetters } = job.inputStats();
   */
  inputStats(): JobInputStats {
    return {
      partitions: [...this.recordsByPartition.values()].flatMap((byPartition) =>
        [...byPartition.values()].map(({ topic, partition, records, lastOffset }) => ({
          topic,
          partition,
          records,
          nextOffset: (BigInt(lastOffset) + 1n).toString(),
        })),
      ),
      deadLetters: this.source?.metrics().deadLetters ?? 0,
      eventTimeRefused: this.source?.metrics().eventTimeRefused ?? { ahead: 0, behind: 0 },
      maxEventTs: this.maxEventTs,
      watermarks: this.source?.partitionWatermarks() ?? [],
    };
  }

  /** Per operator, keys and bytes of state as last saved by the running graph (empty before its first epoch). */
  stateStats(): { operatorId: string; keys: number; bytes: number }[] {
    return this.generation?.store.savedStats() ?? [];
  }

  /** The last state restore (what /metrics exports as restore time). */
  get restoreStats(): ChangelogRestoreStats | undefined {
    return this.lastRestore;
  }

  /**
   * Runs until stop() (resolves) or a failure that is not retriable
   * (rejects). Retriable failures and fencing restart the consumer and
   * producer after a back-off; state comes back from the changelog.
   */
  async run(): Promise<void> {
    // The input contract against what producers now write: a job that cannot read the latest
    // schema of its input would dead-letter every new message, so it does not start.
    await Promise.all(this.options.source.topics.map((topic) => this.options.source.serde.checkReads(topic)));
    const maxRestarts = this.options.maxRestarts ?? 10;
    let attempt = 0;
    for (;;) {
      const committedBefore = this.committedEpochs;
      try {
        await this.runOnce();
        if (this.rejoining && !this.stopping) {
          this.rejoining = false;
          this.log({ event: 'rejoining' });
          continue;
        }
        this.log({ event: 'stopped', epochsCommitted: this.committedEpochs });
        return;
      } catch (error) {
        this.rejoining = false;
        if (this.stopping) throw error;
        if (this.committedEpochs > committedBefore) attempt = 0;
        attempt++;
        const fenced = error instanceof TransactionalSinkError && error.fenced;
        if (fenced) this.log({ event: 'fenced', message: (error as Error).message });
        if (!(fenced || isRetriable(error)) || attempt > maxRestarts) {
          throw new JobFailedError(
            `job ${this.options.groupId} (instance ${this.options.instanceId}) failed${attempt > maxRestarts ? ` after ${maxRestarts} restarts` : ''}: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
        }
        const delayMs = Math.min(30_000, 500 * 2 ** (attempt - 1));
        this.log({
          event: 'restarting',
          reason: error instanceof Error ? error.message : String(error),
          attempt,
          delayMs,
        });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (this.stopping) return;
      }
    }
  }

  /**
   * Stops cleanly: closes and commits the open epoch (or gives up on it
   * after `stopTimeoutMs`; it is then replayed by whoever takes the
   * partitions), leaves the group and resolves run().
   */
  async stop(signal?: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log({ event: 'stopping', signal });
    if (this.generation !== undefined) {
      await withTimeout(this.closeEpoch(), this.options.stopTimeoutMs ?? 30_000).catch(() => undefined);
    }
    this.stopped?.();
  }

  private async runOnce(): Promise<void> {
    const { kafka: kafkaOptions, source: sourceOptions } = this.options;
    const exactlyOnce = (this.options.guarantee ?? 'exactly-once') === 'exactly-once';
    const producer = this.clients.producer(kafkaOptions, {
      kafkaJS: exactlyOnce
        ? { transactionalId: this.transactionalId, idempotent: true, maxInFlightRequests: 1 }
        : { idempotent: true, acks: -1 },
    });
    await producer.connect();
    const epochProducer = crashingBeforeCommit(exactlyOnce ? producer : atLeastOnce(producer), this.crashAt);
    const source = new KafkaSource<T>({
      kafka: kafkaOptions,
      groupId: this.options.groupId,
      topics: sourceOptions.topics,
      serde: sourceOptions.serde,
      tsOf: sourceOptions.tsOf,
      check: sourceOptions.check,
      watermarks: sourceOptions.watermarks,
      // Dead letters go in the transaction that commits their offsets: produced once, even across a crash.
      deadLetter:
        sourceOptions.deadLetter === undefined
          ? undefined
          : {
              topic: sourceOptions.deadLetter.topic,
              through: (message) => {
                if (this.generation !== undefined) this.deadLettersOpen.push(message);
              },
            },
      eventTimeBounds: sourceOptions.eventTimeBounds,
      fromBeginning: sourceOptions.fromBeginning ?? true,
      groupInstanceId: this.options.instanceId,
      sessionTimeoutMs: sourceOptions.sessionTimeoutMs,
      maxBatch: sourceOptions.maxBatch,
      newClient: this.clients.source,
      pressure: () => this.pressure(),
      onPosition: (pos, deadLettered) => {
        // Dead-lettered messages count too: their offsets are committed with an epoch, which
        // they open like records do (trailing poison would otherwise never be committed).
        if (this.generation === undefined || !deadLettered) return;
        this.positions.record(pos);
        if (this.trigger.onRecord()) void this.closeEpoch().catch(() => undefined);
      },
      rebalance: {
        assigned: (partitions, consumer) => this.assigned(partitions, consumer, epochProducer),
        revoked: (partitions) => this.revoked(partitions),
      },
    });
    this.source = source;
    const timer = setInterval(
      () => {
        if (this.generation !== undefined && this.trigger.due())
          void this.closeEpoch().catch(() => undefined);
      },
      Math.max(10, Math.min(250, this.options.epochs.intervalMs / 4)),
    );
    let sourceSubscription: Subscription | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.stopped = resolve;
        this.rejoin = resolve;
        this.failure = reject;
        if (this.stopping) resolve();
        sourceSubscription = source.elements$.subscribe({
          next: (element) => this.onElement(element),
          error: reject,
          complete: resolve,
        });
      });
    } finally {
      clearInterval(timer);
      this.source = undefined;
      this.owned.clear();
      this.stopped = undefined;
      this.rejoin = undefined;
      this.failure = undefined;
      this.dropGeneration();
      sourceSubscription?.unsubscribe();
      await source.close().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }
  }

  private onElement(element: StreamElement<T>): void {
    const generation = this.generation;
    if (generation === undefined) return;
    if (element.kind === 'record') {
      if (element.ts > this.maxEventTs) this.maxEventTs = element.ts;
      if (element.pos !== undefined) {
        const { topic, partition, offset } = element.pos;
        let byPartition = this.recordsByPartition.get(topic);
        if (byPartition === undefined) {
          byPartition = new Map();
          this.recordsByPartition.set(topic, byPartition);
        }
        const counted = byPartition.get(partition);
        // The offset as it came; the next offset is computed only when metrics ask.
        if (counted === undefined)
          byPartition.set(partition, { topic, partition, records: 1, lastOffset: offset });
        else {
          counted.records++;
          counted.lastOffset = offset;
        }
        this.positions.record(element.pos);
        if (element.key !== undefined) this.keyPartitions.set(element.key, element.pos.partition);
      }
      generation.run.input.next(element);
      this.recordsInEpoch++;
      if (this.trigger.onRecord()) void this.closeEpoch().catch(() => undefined);
    } else if (element.kind === 'watermark') {
      generation.run.input.next(element);
    }
  }

  /** Back-pressure: while two epochs wait for their commit, the source waits for the older. */
  private pressure(): PromiseLike<unknown> | undefined {
    if (this.open.size < 2) return undefined;
    const oldest = this.open.values().next().value as OpenEpoch;
    return oldest.done;
  }

  /** Closes the open epoch with a barrier; resolves to true when it is committed, false if the graph went first. */
  private closeEpoch(): Promise<boolean> {
    const generation = this.generation;
    if (generation === undefined) return Promise.resolve(false);
    this.trigger.reset();
    const epoch = this.nextEpoch++;
    this.offsetsByEpoch.set(epoch, this.positions.toCommit());
    this.deadLettersByEpoch.set(epoch, this.deadLettersOpen);
    this.deadLettersOpen = [];
    // The source's per-partition watermarks go with the epoch's offsets: a member that restarts
    // from these offsets starts each partition's event time there, so a partition with nothing
    // new to read does not hold the watermark back until it idles out.
    const watermarks = this.source?.partitionWatermarks() ?? [];
    generation.store.save({
      operatorId: SOURCE_OPERATOR,
      epoch,
      watermark: null,
      keys: watermarks
        .filter((w) => Number.isFinite(w.watermark))
        .map((w) => [partitionKey(w), w.watermark] as const),
    });
    let resolve!: (committed: boolean) => void;
    const done = new Promise<boolean>((r) => {
      resolve = r;
    });
    this.open.set(epoch, { injectedAt: performance.now(), records: this.recordsInEpoch, done, resolve });
    this.recordsInEpoch = 0;
    generation.run.input.next({ kind: 'barrier', epoch });
    return done;
  }

  /**
   * Partitions added (incremental rebalancing): the open epoch is committed
   * while the graph still matches the old assignment, then a new graph
   * starts over every owned partition, its state restored from the
   * changelog. Resolves to the added partitions' committed watermarks.
   */
  private async assigned(
    added: readonly TopicPartitionRef[],
    consumer: KafkaJS.Consumer,
    producer: TransactionalProducer,
  ): Promise<readonly PartitionWatermark[]> {
    this.log({ event: 'assigned', partitions: added });
    if (this.rejoining) return [];
    await this.commitOpenEpoch('an assignment');
    for (const p of added) {
      this.owned.set(partitionKey(p), p);
      this.keyPartitions.set(partitionKey(p), p.partition);
    }
    const store = await this.startGeneration(consumer, producer);
    const restored = new Map(store.load(SOURCE_OPERATOR)?.keys ?? []);
    return added.flatMap((p) => {
      const watermark = restored.get(partitionKey(p));
      return typeof watermark === 'number' ? [{ ...p, watermark }] : [];
    });
  }

  /**
   * Partitions taken away: still ours until this returns, so the open epoch
   * is committed (never half of it, and nothing replayed elsewhere); then
   * the member rejoins with a fresh consumer and restores what it gets.
   */
  private async revoked(removed: readonly TopicPartitionRef[]): Promise<void> {
    this.log({ event: 'revoked', partitions: removed });
    this.ready = false;
    if (!this.stopping) await this.commitOpenEpoch('a revocation');
    for (const p of removed) this.owned.delete(partitionKey(p));
    this.dropGeneration();
    if (this.stopping) return;
    // Rejoin with a fresh consumer rather than take the next assignment on this one:
    // @confluentinc/kafka-javascript 1.10 can apply a revocation's deferred unassign after
    // the following assignment, leaving a member that holds partitions but reads nothing.
    // With static membership the new consumer takes this member's place without a further
    // rebalance; everything it starts from (offsets, changelog) was just committed.
    this.rejoining = true;
    setImmediate(() => this.rejoin?.());
  }

  /**
   * Commits the open epoch before the assignment changes. If that fails the
   * consumer's positions are ahead of the committed state, so the job must
   * not go on with this consumer: the error makes it restart from the
   * committed offsets.
   */
  private async commitOpenEpoch(before: string): Promise<void> {
    if (this.generation === undefined) return;
    const committed = await withTimeout(this.closeEpoch(), this.options.stopTimeoutMs ?? 30_000).catch(
      () => false,
    );
    if (!committed) throw new EpochNotCommittedError(before);
  }

  /** A new operator graph over the owned partitions, its state restored from their changelog. */
  private async startGeneration(
    consumer: KafkaJS.Consumer,
    producer: TransactionalProducer,
  ): Promise<KafkaChangelogSnapshotStore> {
    this.dropGeneration();
    this.positions.clear();
    const partitions = [...this.owned.values()];
    const owned = partitions.map((p) => p.partition).sort((a, b) => a - b);
    const store = new KafkaChangelogSnapshotStore({
      topic: this.options.changelogTopic,
      partitionOf: (key) => this.keyPartitions.get(key),
    });
    // Committed offsets first (they wait for a transaction still completing), then the
    // changelog up to its last stable offset: state and positions of the same epoch. Without
    // them the restore could read an older changelog than the offsets reading starts from.
    try {
      await consumer.committed(partitions.map((p) => ({ ...p })) as never);
    } catch (error) {
      throw new CommittedOffsetsUnreadError(partitions, { cause: error });
    }
    const stats = await this.clients.restoreChangelog(store, this.options.kafka, { partitions: owned });
    this.crashAt('restore');
    this.lastRestore = stats;
    this.log({
      event: 'restored',
      partitions: owned,
      keys: stats.keys,
      records: stats.records,
      durationMs: stats.durationMs,
    });
    const sink = transactionalSink<O>({
      producer,
      route: this.options.route,
      coalesceKey: (m) => (m.topic === this.options.changelogTopic ? m.key.toString() : undefined),
      offsets: (epoch) => {
        const topics = this.offsetsByEpoch.get(epoch);
        this.offsetsByEpoch.delete(epoch);
        return topics === undefined ? undefined : { consumer, topics };
      },
      epochMessages: (epoch) => {
        const deadLetters = this.deadLettersByEpoch.get(epoch) ?? [];
        this.deadLettersByEpoch.delete(epoch);
        return [...store.takeMessages(epoch), ...deadLetters];
      },
    });
    const beforeCommit = (this.options.beforeCommit ?? (() => identity))();
    const onCommitted = this.options.onCommitted;
    let current: O[] = [];
    // The one in-process epoch driver: a barrier has passed once the epoch's transaction committed.
    const run = new GraphRun<T, O>((input$) => this.options.graph(input$, store), {
      // Collected behind the sink: an epoch's outputs are those before its barrier there.
      afterSinks: onCommitted === undefined ? undefined : (out) => void current.push(out),
      sinks: (output$) => output$.pipe(beforeCommit, sink),
      onPassed: (epoch) => {
        if (onCommitted !== undefined) {
          onCommitted(epoch, current);
          current = [];
        }
        this.committed(epoch);
      },
      onFailure: (error) => this.fail(error),
    });
    this.generation = { run, store, consumer };
    this.ready = true;
    return store;
  }

  private committed(epoch: number): void {
    const open = this.open.get(epoch);
    this.open.delete(epoch);
    this.committedEpochs++;
    if (open !== undefined) {
      this.log({
        event: 'committed',
        epoch,
        records: open.records,
        latencyMs: performance.now() - open.injectedAt,
      });
      open.resolve(true);
    }
  }

  /** Drops the current graph: its uncommitted epoch is never written, and is replayed from the committed offsets. */
  private dropGeneration(): void {
    const generation = this.generation;
    this.generation = undefined;
    this.ready = false;
    generation?.run.stop();
    for (const open of this.open.values()) open.resolve(false);
    this.open.clear();
    this.offsetsByEpoch.clear();
    // Their poison messages are read again from the committed offsets and dead-lettered again.
    this.deadLettersOpen = [];
    this.deadLettersByEpoch.clear();
    this.trigger.reset();
    this.recordsInEpoch = 0;
  }

  private fail(error: unknown): void {
    this.dropGeneration();
    this.failure?.(error);
  }

  private log(event: JobEvent): void {
    this.options.log?.(event);
  }
}

/**
 * An epoch "transaction" without a transaction: messages sent, then the
 * offsets committed by the consumer. For measuring what exactly-once costs.
 */
function atLeastOnce(producer: EpochProducer): TransactionalProducer {
  return {
    transaction: async () => ({
      sendBatch: (batch) => producer.sendBatch(batch),
      sendOffsets: async ({ consumer, topics }) => {
        await consumer.commitOffsets(
          topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
          ),
        );
      },
      commit: async () => undefined,
      abort: async () => undefined,
    }),
  };
}

/** The producer, its transactions passing the `before-commit` crash point just before they commit. */
function crashingBeforeCommit(
  producer: TransactionalProducer,
  crashAt: (point: CrashPoint) => void,
): TransactionalProducer {
  return {
    transaction: async () => {
      const transaction = await producer.transaction();
      return {
        sendBatch: (batch) => transaction.sendBatch(batch),
        sendOffsets: (args) => transaction.sendOffsets(args),
        commit: () => {
          crashAt('before-commit');
          return transaction.commit();
        },
        abort: () => transaction.abort(),
      };
    },
  };
}

/** Operator id under which the source's per-partition watermarks go into the changelog. */
const SOURCE_OPERATOR = 'source';

/** The changelog key of a partition's source watermark: `topic:partition`. */
function partitionKey(p: TopicPartitionRef): string {
  return `${p.topic}:${p.partition}`;
}

/** Whether a restart may help: the error (or its cause) says it is retriable. */
function isRetriable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if ((e as { retriable?: unknown }).retriable === true) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
