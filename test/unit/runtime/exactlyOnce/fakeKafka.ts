import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { ChangelogRecord } from '../../../../connectors/kafka/changelogSnapshotStore.js';
import { kafkaJavascript } from '../../../../connectors/kafka/kafkaClient.js';
import type { TopicPartitionRef } from '../../../../connectors/kafka/partitionWatermarks.js';
import type { EpochTransaction, SinkMessage } from '../../../../connectors/kafka/transactionalSink.js';
import type { EpochProducer } from '../../../../runtime/exactlyOnce/epochProducer.js';
import type { ExactlyOnceClients } from '../../../../runtime/exactlyOnce/exactlyOnceClients.js';
import type { JobEvent } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';

/**
 * A broker in memory, with the clients an ExactlyOnceJob takes (see
 * ExactlyOnceClients), for unit tests of the job's protocol.
 *
 * What it keeps of Kafka's semantics: a partition's log is what
 * `read_committed` readers see, so a transaction appends its messages and
 * commits its consumed offsets together at commit and nothing at abort; a
 * producer that connects with a transactional id fences the earlier one
 * with that id (its every later call fails with ERR_PRODUCER_FENCED);
 * offsets are committed only with the group's current member; a consumer
 * calls the rebalance callback and awaits it before it reads on, and
 * starts a partition at the group's committed offset.
 *
 * What it leaves out: one live member per group, which gets every
 * partition of its topics (or those set by `assignNext`); no dead-letter
 * producer; no timeouts. Failures are injected one at a time (`failNext`).
 * Everything that happens is also written to `timeline`, for assertions
 * about order. Methods marked @internal are the broker's side of its fake
 * clients, not for tests.
 *
 * @example
 * const kafka = new FakeKafka();
 * kafka.createTopic('readings', 2);
 * const job = new ExactlyOnceJob({ ...options, clients: kafka.clients(), log: kafka.log });
 * const running = job.run();
 * kafka.produce('readings', 0, 'a', await serde.encode('readings', reading));
 * await kafka.until(() => kafka.transactions.length === 1);
 */
export class FakeKafka {
  /** Per topic, per partition, the committed messages. */
  private readonly logs = new Map<string, LoggedMessage[][]>();
  /** Per group, `topic:partition` -> the next offset to consume. */
  private readonly groupOffsets = new Map<string, Map<string, string>>();
  private readonly members = new Map<string, FakeConsumer>();
  private readonly producerEpochs = new Map<string, number>();
  private readonly failures: { point: FailurePoint; error: unknown }[] = [];
  private nextAssignment: readonly number[] | undefined;
  private readonly waiters = new Set<{ predicate: () => boolean; resolve: () => void }>();
  private wake = deferred();

  readonly transactions: CommittedTransaction[] = [];
  readonly producers: FakeProducer[] = [];
  readonly consumers: FakeConsumer[] = [];
  /** The partitions of each changelog restore, in order. */
  readonly restores: (readonly number[])[] = [];
  readonly timeline: string[] = [];
  /** What the job logged; pass `log` as the job's `log`. */
  readonly events: JobEvent[] = [];
  readonly log = (event: JobEvent): void => {
    this.events.push(event);
    this.changed();
  };

  /** Creates `topic` with `partitions` empty partitions. */
  createTopic(topic: string, partitions: number): void {
    this.logs.set(
      topic,
      Array.from({ length: partitions }, () => []),
    );
  }

  /** Appends a message outside any transaction (the input a test feeds). */
  produce(topic: string, partition: number, key: string, value: Buffer): void {
    this.append({ topic, partition, key, value });
    this.changed();
  }

  /** The committed messages of `topic`, by partition then offset. */
  messages(topic: string): readonly LoggedMessage[] {
    return (this.logs.get(topic) ?? []).flat();
  }

  /** The partition's log (empty if there is none). */
  partitionLog(topic: string, partition: number): readonly LoggedMessage[] {
    return this.logs.get(topic)?.[partition] ?? [];
  }

  /** The group's committed offset of a partition (the next offset to consume). */
  committedOffset(groupId: string, topic: string, partition: number): string | undefined {
    return this.groupOffsets.get(groupId)?.get(`${topic}:${partition}`);
  }

  /** The next member of a group to join gets only these partitions of its topics. */
  assignNext(partitions: readonly number[]): void {
    this.nextAssignment = partitions;
  }

  /**
   * The next call at `point` fails with `error` and has no effect:
   * 'commit' a transaction's commit, 'committed' a consumer's read of
   * committed offsets, 'restore' a changelog restore.
   */
  failNext(point: FailurePoint, error: unknown): void {
    this.failures.push({ point, error });
  }

  /** Another producer initialised `transactionalId`: the one using it now is fenced. */
  fence(transactionalId: string): void {
    this.producerEpochs.set(transactionalId, (this.producerEpochs.get(transactionalId) ?? 0) + 1);
    this.timeline.push(`fenced ${transactionalId}`);
    this.changed();
  }

  /** Revokes every partition of the group's member; resolves when its rebalance callback returned. */
  revoke(groupId: string): Promise<void> {
    const member = this.members.get(groupId);
    if (member === undefined) throw new Error(`fake kafka: group ${groupId} has no member to revoke from`);
    return member.revokeAll();
  }

  /**
   * Resolves as soon as `predicate` holds, checked now and after every
   * change of the broker or event of the job: a predicate on anything else
   * (say `job.isReady()`) may never be checked again.
   */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ predicate, resolve }));
  }

  /** Events the job logged of one kind, in order. */
  eventsOf<K extends JobEvent['event']>(kind: K): Extract<JobEvent, { event: K }>[] {
    return this.events.filter((e): e is Extract<JobEvent, { event: K }> => e.event === kind);
  }

  /** The clients of an ExactlyOnceJob, on this broker. */
  clients(): ExactlyOnceClients {
    return {
      producer: (_kafka, config) => new FakeProducer(this, config),
      source: () => ({
        // The fake implements the part of the client's Consumer that KafkaSource and the job use.
        consumer: (config) => new FakeConsumer(this, config) as unknown as KafkaJS.Consumer,
        producer: () => {
          throw new Error('fake kafka: no dead-letter producer');
        },
      }),
      restoreChangelog: async (store, _kafka, { partitions }) => {
        this.restores.push([...partitions]);
        this.timeline.push(`restore ${store.topic} [${partitions.join(',')}]`);
        this.fail('restore');
        const records: ChangelogRecord[] = partitions.flatMap((partition) =>
          this.partitionLog(store.topic, partition).map((m) => ({
            key: m.key ?? '',
            value: m.value === null ? null : m.value.toString('utf8'),
            partition,
          })),
        );
        return store.restoreFrom(records);
      },
    };
  }

  /** @internal A change: waiters re-check, idle consumers look again. */
  changed(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate()) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
    const wake = this.wake;
    this.wake = deferred();
    wake.resolve();
  }

  /** @internal Resolves at the next change. */
  nextChange(): Promise<void> {
    return this.wake.promise;
  }

  /** @internal Throws the failure injected for `point`, if any. */
  fail(point: FailurePoint): void {
    const at = this.failures.findIndex((f) => f.point === point);
    if (at < 0) return;
    const [failure] = this.failures.splice(at, 1);
    this.timeline.push(`failed ${point}`);
    throw failure!.error;
  }

  /** @internal The producer's epoch after `initTransactions` (fencing the one before). */
  initTransactions(transactionalId: string): number {
    const epoch = (this.producerEpochs.get(transactionalId) ?? -1) + 1;
    this.producerEpochs.set(transactionalId, epoch);
    return epoch;
  }

  /** @internal */
  producerEpoch(transactionalId: string): number | undefined {
    return this.producerEpochs.get(transactionalId);
  }

  /** @internal The partitions a joining member gets; refuses a second live member. */
  join(member: FakeConsumer, topics: readonly string[]): TopicPartitionRef[] {
    const current = this.members.get(member.groupId);
    if (current !== undefined && current !== member) {
      throw new Error(`fake kafka: group ${member.groupId} already has a live member`);
    }
    this.members.set(member.groupId, member);
    const only = this.nextAssignment;
    this.nextAssignment = undefined;
    return topics.flatMap((topic) =>
      (this.logs.get(topic) ?? [])
        .map((_, partition) => ({ topic, partition }))
        .filter((p) => only === undefined || only.includes(p.partition)),
    );
  }

  /** @internal */
  leave(member: FakeConsumer): void {
    if (this.members.get(member.groupId) === member) this.members.delete(member.groupId);
    this.changed();
  }

  /** @internal */
  isMember(member: FakeConsumer): boolean {
    return this.members.get(member.groupId) === member;
  }

  /** @internal Commits offsets outside a transaction (at-least-once). */
  commitOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): void {
    let group = this.groupOffsets.get(groupId);
    if (group === undefined) {
      group = new Map();
      this.groupOffsets.set(groupId, group);
    }
    for (const o of offsets) group.set(`${o.topic}:${o.partition}`, o.offset);
  }

  /** @internal Makes a transaction's messages and offsets visible together. */
  commitTransaction(
    producer: FakeProducer,
    messages: readonly SinkMessage[],
    offsets: { groupId: string; topics: readonly KafkaJS.TopicOffsets[] } | undefined,
  ): void {
    const logged = messages.map((m) => this.append(m));
    const committed: Record<string, string> = {};
    if (offsets !== undefined) {
      const flat = offsets.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
      );
      this.commitOffsets(offsets.groupId, flat);
      for (const o of flat) committed[`${o.topic}:${o.partition}`] = o.offset;
    }
    this.transactions.push({
      transactionalId: producer.transactionalId ?? '',
      producer: this.producers.indexOf(producer),
      messages: logged,
      offsets: committed,
    });
    this.timeline.push(`commit by producer ${this.producers.indexOf(producer)}`);
    this.changed();
  }

  /** @internal Appends one message; without an explicit partition it goes to partition 0. */
  append(message: SinkMessage): LoggedMessage {
    let partitions = this.logs.get(message.topic);
    if (partitions === undefined) {
      partitions = [];
      this.logs.set(message.topic, partitions);
    }
    const partition = message.partition ?? 0;
    while (partitions.length <= partition) partitions.push([]);
    const log = partitions[partition]!;
    const logged: LoggedMessage = {
      topic: message.topic,
      partition,
      offset: log.length,
      key: message.key.toString(),
      value: message.value,
      ...(message.headers === undefined ? {} : { headers: message.headers }),
    };
    log.push(logged);
    return logged;
  }
}

/** Where `FakeKafka.failNext` can make a call fail. */
export type FailurePoint = 'commit' | 'committed' | 'restore';

/** A message in a partition's log. */
export interface LoggedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** As produced (a dead letter's reason, say); absent when the message had none. */
  readonly headers?: KafkaJS.IHeaders;
}

/** A committed transaction, as the broker recorded it. */
export interface CommittedTransaction {
  readonly transactionalId: string;
  /** Index of the producer in FakeKafka.producers. */
  readonly producer: number;
  readonly messages: readonly LoggedMessage[];
  /** The consumed offsets committed with it: `topic:partition` -> next offset. */
  readonly offsets: Readonly<Record<string, string>>;
}

/** A producer on a FakeKafka: transactional when its config has a transactionalId. */
export class FakeProducer implements EpochProducer {
  readonly transactionalId: string | undefined;
  private epoch: number | undefined;
  private connected = false;
  disconnected = false;

  constructor(
    private readonly kafka: FakeKafka,
    readonly config: KafkaJS.ProducerConstructorConfig,
  ) {
    this.transactionalId = config.kafkaJS?.transactionalId;
    kafka.producers.push(this);
  }

  async connect(): Promise<void> {
    this.connected = true;
    if (this.transactionalId !== undefined) this.epoch = this.kafka.initTransactions(this.transactionalId);
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  /** A newer producer with the same transactional id has initialised. */
  get fenced(): boolean {
    return (
      this.transactionalId !== undefined && this.kafka.producerEpoch(this.transactionalId) !== this.epoch
    );
  }

  async transaction(): Promise<EpochTransaction> {
    this.checkUsable();
    if (this.transactionalId === undefined) throw new Error('fake kafka: not a transactional producer');
    return new FakeTransaction(this.kafka, this);
  }

  async sendBatch(batch: { topicMessages: { topic: string; messages: SinkMessage[] }[] }): Promise<unknown> {
    this.checkUsable();
    for (const { messages } of batch.topicMessages) for (const m of messages) this.kafka.append(m);
    this.kafka.changed();
    return [];
  }

  /** @internal Throws as the client does for a producer that is not connected or was fenced. */
  checkUsable(): void {
    if (!this.connected || this.disconnected) throw new Error('fake kafka: producer not connected');
    if (this.fenced) {
      throw Object.assign(new Error('Producer fenced by a newer instance with the same transactional id'), {
        code: kafkaJavascript().KafkaJS.ErrorCodes.ERR_PRODUCER_FENCED,
        retriable: false,
        fatal: true,
      });
    }
  }
}

/** One open transaction of a FakeProducer. */
class FakeTransaction implements EpochTransaction {
  private readonly messages: SinkMessage[] = [];
  private offsets: { groupId: string; topics: readonly KafkaJS.TopicOffsets[] } | undefined;

  constructor(
    private readonly kafka: FakeKafka,
    private readonly producer: FakeProducer,
  ) {}

  async sendBatch(batch: { topicMessages: { topic: string; messages: SinkMessage[] }[] }): Promise<unknown> {
    this.producer.checkUsable();
    for (const { messages } of batch.topicMessages) this.messages.push(...messages);
    return [];
  }

  async sendOffsets({ consumer, topics }: { consumer: KafkaJS.Consumer; topics: KafkaJS.TopicOffsets[] }) {
    this.producer.checkUsable();
    if (!(consumer instanceof FakeConsumer) || !this.kafka.isMember(consumer)) {
      // As the broker refuses offsets of a member whose generation is over.
      throw Object.assign(new Error('fake kafka: offsets sent for a consumer that is not the group member'), {
        code: kafkaJavascript().KafkaJS.ErrorCodes.ERR_ILLEGAL_GENERATION,
      });
    }
    this.offsets = { groupId: consumer.groupId, topics: structuredClone(topics) };
  }

  async commit(): Promise<void> {
    this.producer.checkUsable();
    this.kafka.fail('commit');
    this.kafka.commitTransaction(this.producer, this.messages, this.offsets);
  }

  async abort(): Promise<void> {
    this.producer.checkUsable();
    this.kafka.timeline.push(`abort by producer ${this.kafka.producers.indexOf(this.producer)}`);
  }
}

type RebalanceCallback = (err: { code: number }, assignment: TopicPartitionRef[]) => unknown;

/** The part of the client's Consumer that KafkaSource and the job use. */
type UsedConsumer = Pick<
  KafkaJS.Consumer,
  'connect' | 'disconnect' | 'subscribe' | 'run' | 'assignment' | 'committed' | 'commitOffsets'
>;

/**
 * A group member on a FakeKafka. After `run`, it joins (the rebalance
 * callback, awaited), starts each assigned partition at the group's
 * committed offset (or the start, or the end), and hands over one message
 * at a time, awaiting each, partitions in turn. A revocation waits for the
 * message in hand.
 */
export class FakeConsumer implements UsedConsumer {
  readonly groupId: string;
  /** Index in FakeKafka.consumers. */
  readonly index: number;
  /** Where it started reading each partition: `topic:partition` -> offset. */
  readonly startedAt = new Map<string, number>();
  /** Messages handed over (and handled). */
  delivered = 0;
  private readonly rebalanceCallback: RebalanceCallback;
  private held: TopicPartitionRef[] = [];
  private readonly positions = new Map<string, number>();
  private topics: readonly string[] = [];
  private eachMessage: KafkaJS.EachMessageHandler | undefined;
  private eachBatch: KafkaJS.EachBatchHandler | undefined;
  private consuming: Promise<void> | undefined;
  private stopped = false;
  private readonly revocations: (() => void)[] = [];
  private lastPartition = -1;

  constructor(
    private readonly kafka: FakeKafka,
    private readonly config: KafkaJS.ConsumerConstructorConfig,
  ) {
    const groupId = config.kafkaJS?.groupId;
    if (groupId === undefined) throw new Error('fake kafka: a consumer needs a group id');
    this.groupId = groupId;
    this.rebalanceCallback = config.rebalance_cb as RebalanceCallback;
    this.index = kafka.consumers.push(this) - 1;
  }

  async connect(): Promise<void> {
    this.kafka.timeline.push(`consumer ${this.index} connected`);
  }

  async subscribe(
    subscription: KafkaJS.ConsumerSubscribeTopics | KafkaJS.ConsumerSubscribeTopic,
  ): Promise<void> {
    this.topics = 'topics' in subscription ? subscription.topics.map(String) : [String(subscription.topic)];
  }

  async run(config?: KafkaJS.ConsumerRunConfig): Promise<void> {
    this.eachMessage = config?.eachMessage;
    this.eachBatch = config?.eachBatch;
    // As the client: run returns at once, consuming goes on in the background.
    this.consuming = this.consume();
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    this.kafka.changed();
    await this.consuming;
    // A revocation asked for after the end has nothing left to revoke.
    for (const revoked of this.revocations.splice(0)) revoked();
    this.kafka.leave(this);
    this.kafka.timeline.push(`consumer ${this.index} disconnected`);
  }

  assignment(): KafkaJS.TopicPartition[] {
    return this.held.map((p) => ({ ...p }));
  }

  async committed(
    topicPartitions?: KafkaJS.TopicPartition[],
  ): Promise<KafkaJS.TopicPartitionOffsetAndMetadata[]> {
    this.kafka.timeline.push(`consumer ${this.index} committed()`);
    this.kafka.fail('committed');
    return (topicPartitions ?? this.held).map(({ topic, partition }) => ({
      topic,
      partition,
      offset: this.kafka.committedOffset(this.groupId, topic, partition) ?? '-1001',
    }));
  }

  async commitOffsets(topicPartitions?: KafkaJS.TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.kafka.commitOffsets(this.groupId, topicPartitions ?? []);
  }

  /** @internal Revokes everything it holds; resolves when the callback returned. */
  revokeAll(): Promise<void> {
    return new Promise((resolve) => {
      this.revocations.push(resolve);
      this.kafka.changed();
    });
  }

  private async consume(): Promise<void> {
    const { ERR__ASSIGN_PARTITIONS, ERR__REVOKE_PARTITIONS } = kafkaJavascript().KafkaJS.ErrorCodes;
    const assigned = this.kafka.join(this, this.topics);
    this.kafka.timeline.push(`consumer ${this.index} assigned ${names(assigned)}`);
    await this.rebalanceCallback(
      { code: ERR__ASSIGN_PARTITIONS },
      assigned.map((p) => ({ ...p })),
    );
    this.held = assigned;
    for (const p of assigned) {
      const committed = this.kafka.committedOffset(this.groupId, p.topic, p.partition);
      const start =
        committed !== undefined
          ? Number(committed)
          : this.config.kafkaJS?.fromBeginning === true
            ? 0
            : this.kafka.partitionLog(p.topic, p.partition).length;
      this.positions.set(`${p.topic}:${p.partition}`, start);
      this.startedAt.set(`${p.topic}:${p.partition}`, start);
    }
    this.kafka.changed();
    while (!this.stopped) {
      const revoked = this.revocations.shift();
      if (revoked !== undefined) {
        const parts = this.held;
        this.kafka.timeline.push(`consumer ${this.index} revoked ${names(parts)}`);
        await this.rebalanceCallback(
          { code: ERR__REVOKE_PARTITIONS },
          parts.map((p) => ({ ...p })),
        );
        this.held = [];
        revoked();
        continue;
      }
      const next = this.nextMessage();
      if (next === undefined) {
        await this.kafka.nextChange();
        continue;
      }
      const { message, id } = next;
      if (this.eachBatch !== undefined) {
        // As the client: up to js.consumer.max.batch.size messages of one partition per call.
        const log = this.kafka.partitionLog(message.topic, message.partition);
        const size = Number((this.config as Record<string, unknown>)['js.consumer.max.batch.size'] ?? 32);
        const messages = log.slice(message.offset, message.offset + size);
        this.positions.set(id, message.offset + messages.length);
        await this.eachBatch({
          batch: {
            topic: message.topic,
            partition: message.partition,
            highWatermark: String(log.length),
            messages: messages.map(wireMessage),
            isEmpty: () => messages.length === 0,
            firstOffset: () => String(message.offset),
            lastOffset: () => String(message.offset + messages.length - 1),
            offsetLag: () => '0',
            offsetLagLow: () => '0',
          },
          resolveOffset: () => undefined,
          heartbeat: async () => undefined,
          pause: () => () => undefined,
          commitOffsetsIfNecessary: async () => undefined,
          uncommittedOffsets: () => ({ topics: [] }),
          isRunning: () => !this.stopped,
          isStale: () => false,
        } as unknown as KafkaJS.EachBatchPayload);
        this.delivered += messages.length;
        this.kafka.changed();
        continue;
      }
      this.positions.set(id, message.offset + 1);
      await this.eachMessage?.({
        topic: message.topic,
        partition: message.partition,
        message: wireMessage(message),
        heartbeat: async () => undefined,
        pause: () => () => undefined,
      });
      this.delivered++;
      this.kafka.changed();
    }
  }

  /** The next message of the held partitions, each partition in turn after the last one served. */
  private nextMessage(): { message: LoggedMessage; id: string } | undefined {
    for (let step = 1; step <= this.held.length; step++) {
      const at = (this.lastPartition + step) % this.held.length;
      const p = this.held[at]!;
      const id = `${p.topic}:${p.partition}`;
      const message = this.kafka.partitionLog(p.topic, p.partition)[this.positions.get(id) ?? 0];
      if (message !== undefined) {
        this.lastPartition = at;
        return { message, id };
      }
    }
    return undefined;
  }
}

/** A logged message as the client hands it over. */
function wireMessage(message: LoggedMessage): KafkaJS.KafkaMessage {
  return {
    key: message.key === null ? null : Buffer.from(message.key),
    value: message.value,
    timestamp: '0',
    attributes: 0,
    offset: String(message.offset),
    headers: {},
  } as KafkaJS.KafkaMessage;
}

/** A promise and its resolve (Promise.withResolvers is not in Node 20). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function names(partitions: readonly TopicPartitionRef[]): string {
  return partitions.map((p) => `${p.topic}[${p.partition}]`).join(',');
}
