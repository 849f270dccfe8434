import type { OperatorSnapshot, SnapshotStore } from '../../operators/state/snapshots.js';
import type { SinkMessage } from './epochBuffer.js';
import { kafkaJavascript, newKafka } from './kafkaClient.js';
import { type KafkaClientOptions, rdkafkaConfig } from './kafkaClientOptions.js';

/**
 * Operator state as a keyed changelog on a compacted Kafka topic: per epoch,
 * the state of every key that changed (coalesced to the latest), a tombstone
 * per key that disappeared, and the operator's watermark. A restarted job
 * reads the topic back (read_committed, so an aborted epoch never counts)
 * and hands each operator its last committed snapshot.
 */

/**
 * One changelog message: a SinkMessage whose value may be null (a tombstone,
 * which compaction uses to drop the key).
 *
 * @example
 * const put: ChangelogMessage = { topic: 'health-state', key: 'window/k/pump-1', value: Buffer.from('{"epoch":3,"state":{"n":2}}') };
 * const tombstone: ChangelogMessage = { topic: 'health-state', key: 'window/k/pump-2', value: null };
 */
export type ChangelogMessage = SinkMessage;

/**
 * One message read back from the changelog, as restore applies it.
 *
 * @example
 * const r: ChangelogRecord = { key: 'window/w', value: '{"epoch":3,"watermark":1700000000000}' };
 */
export interface ChangelogRecord {
  readonly key: string;
  /** UTF-8 JSON text, or null for a tombstone. */
  readonly value: string | null;
  /**
   * The changelog partition it was read from. In partitioned mode a key's
   * later messages go there when its input partition is not known (a key
   * restored but not seen since).
   */
  readonly partition?: number;
}

/**
 * What restore read and built, and how long it took.
 *
 * @example
 * const { durationMs, keys } = await store.restore({ brokers: ['127.0.0.1:19092'] });
 * console.log(`state restored in ${durationMs} ms: ${keys} keys`);
 */
export interface ChangelogRestoreStats {
  readonly topic: string;
  /** Changelog messages read (puts, tombstones and watermarks). */
  readonly records: number;
  /** Operators with a snapshot after restore. */
  readonly operators: number;
  /** Live keys over all operators after restore. */
  readonly keys: number;
  readonly durationMs: number;
}

/**
 * Options of a KafkaChangelogSnapshotStore.
 *
 * @example
 * const options: ChangelogSnapshotStoreOptions = { topic: 'machine-health-state', log: (s) => console.log(s) };
 */
export interface ChangelogSnapshotStoreOptions {
  /** The compacted changelog topic (see changelogTopicSpec). */
  readonly topic: string;
  /** Called with the stats of each restore (restore time is exported this way). */
  readonly log?: (stats: ChangelogRestoreStats) => void;
  /**
   * Partitioned mode, for jobs whose input partitions are spread over
   * instances: the input partition a state key belongs to. Each key's
   * messages then go to that changelog partition (the changelog is
   * partitioned like the input), so an instance restores exactly the
   * partitions it owns (`restore(kafka, { partitions })`). Watermarks are not
   * written in this mode: a watermark is one instance's view over several
   * partitions, and a restored instance regenerates its own from the
   * replayed input (as Flink does). Undefined for a key is an error.
   */
  readonly partitionOf?: (key: string) => number | undefined;
}

/**
 * A snapshot or changelog message that cannot be written or read: an
 * operator id with a '/' (it would make changelog keys ambiguous), a
 * malformed key or value in the topic (named with its position).
 *
 * @example
 * catch (e) { if (e instanceof ChangelogSnapshotError) console.error(e.message); }
 */
export class ChangelogSnapshotError extends Error {
  override readonly name = 'ChangelogSnapshotError';
  readonly retriable = false;
}

/**
 * Reading the changelog failed (connecting, end offsets, consuming).
 * Retriable when the client says so.
 *
 * @example
 * catch (e) { if (e instanceof ChangelogRestoreError && e.retriable) await store.restore(kafka); }
 */
export class ChangelogRestoreError extends Error {
  override readonly name = 'ChangelogRestoreError';
  readonly retriable: boolean;

  constructor(topic: string, step: string, options: { cause: unknown }) {
    const cause = options.cause as { message?: unknown; retriable?: unknown } | undefined;
    const text = cause instanceof Error ? cause.message : String(cause);
    super(`changelog restore of ${topic} failed while ${step}: ${text}`, options);
    this.retriable = cause?.retriable === true;
  }
}

interface OperatorState {
  epoch: number;
  watermark: number | null;
  /** key -> JSON text of its state. */
  readonly keys: Map<string, string>;
}

const KEY_SEP = '/k/';
const WATERMARK_SUFFIX = '/w';

/**
 * A SnapshotStore backed by a compacted Kafka changelog topic.
 *
 * `save` queues, under the snapshot's epoch, the keys an incremental
 * snapshot names (changed, and tombstones for removed), or for a full
 * snapshot the keys that differ from the operator's previous one, and the
 * watermark; the caller writes `takeMessages(epoch)` in that epoch's Kafka
 * transaction. `restore` reads the topic back (read_committed) up to its end
 * offsets at call time; `load` then returns each operator's last committed
 * snapshot, a fresh copy each call.
 *
 * Message keys: `${operatorId}/k/${key}` (value `{ epoch, state }`, or null
 * when the key disappeared) and `${operatorId}/w` (value `{ epoch, watermark }`).
 *
 * @example
 * const store = new KafkaChangelogSnapshotStore({ topic: 'machine-health-state' });
 * await store.restore({ brokers: ['127.0.0.1:19092'] });
 * // operators call store.save(...) at barrier 7; then, in epoch 7's transaction:
 * await transaction.sendBatch({ topicMessages: [{ topic: store.topic, messages: store.takeMessages(7) }] });
 */
export class KafkaChangelogSnapshotStore implements SnapshotStore {
  readonly topic: string;
  private readonly log: ((stats: ChangelogRestoreStats) => void) | undefined;
  private readonly partitionOf: ((key: string) => number | undefined) | undefined;
  /** Per operator snapshotted in full, the state as last saved: the baseline of the next diff. */
  private readonly saved = new Map<string, Map<string, string>>();
  /** Per operator snapshotted incrementally, the bytes of each key's state as last saved. */
  private readonly savedSizes = new Map<string, Map<string, number>>();
  /** Messages not yet taken, per epoch. */
  private readonly pending = new Map<number, ChangelogMessage[]>();
  /** Per operator, what restore read. */
  private readonly restored = new Map<string, OperatorState>();
  /** Per state key, the changelog partition restore found it in (partitioned mode's fallback for keys not seen since). */
  private readonly restoredPartitions = new Map<string, number>();

  constructor(options: ChangelogSnapshotStoreOptions) {
    this.topic = options.topic;
    this.log = options.log;
    this.partitionOf = options.partitionOf;
  }

  /** Incremental: operators that track the keys they touch hand over just those. */
  readonly incremental = true;

  save(snapshot: OperatorSnapshot): void {
    const { operatorId, epoch } = snapshot;
    if (typeof operatorId !== 'string' || operatorId.length === 0 || operatorId.includes('/')) {
      throw new ChangelogSnapshotError(
        `snapshot of epoch ${epoch}: operator id ${JSON.stringify(operatorId)} must be non-empty and contain no '/' (changelog keys are "<id>/k/<key>")`,
      );
    }
    let queue = this.pending.get(epoch);
    if (queue === undefined) {
      queue = [];
      this.pending.set(epoch, queue);
    }
    if (snapshot.removed === undefined) this.saveFull(snapshot, queue);
    else this.saveChanges(snapshot, snapshot.removed, queue);
    if (this.partitionOf === undefined) {
      queue.push({
        topic: this.topic,
        key: operatorId + WATERMARK_SUFFIX,
        value: Buffer.from(JSON.stringify({ epoch, watermark: snapshot.watermark })),
      });
    }
  }

  /** A full snapshot: diffed against the operator's previous one, so only changed keys and tombstones go out. */
  private saveFull(snapshot: OperatorSnapshot, queue: ChangelogMessage[]): void {
    const { operatorId, epoch } = snapshot;
    // Serialised now: the operator goes on mutating its state after the barrier.
    const next = new Map<string, string>();
    for (const [key, state] of snapshot.keys) next.set(key, JSON.stringify(state) ?? 'null');
    const previous = this.saved.get(operatorId) ?? this.restoredBaseline(operatorId);
    const prefix = operatorId + KEY_SEP;
    for (const [key, text] of next) {
      if (previous?.get(key) === text) continue;
      queue.push(this.put(operatorId, epoch, key, prefix + key, text));
    }
    if (previous !== undefined) {
      for (const key of previous.keys()) {
        if (!next.has(key)) queue.push(this.message(operatorId, epoch, key, prefix + key, null));
      }
    }
    this.saved.set(operatorId, next);
  }

  /**
   * An incremental snapshot: the changed keys are written as they are, the
   * removed ones tombstoned if the changelog holds them. Only the size of
   * each key's state is kept between epochs (for savedStats), so neither
   * time nor memory grows with the keys an epoch did not touch.
   */
  private saveChanges(
    snapshot: OperatorSnapshot,
    removed: readonly string[],
    queue: ChangelogMessage[],
  ): void {
    const { operatorId, epoch } = snapshot;
    let sizes = this.savedSizes.get(operatorId);
    if (sizes === undefined) {
      // After a restore, what the changelog holds is the baseline: a restored key removed later is tombstoned.
      sizes = new Map();
      for (const [key, text] of this.restored.get(operatorId)?.keys ?? []) sizes.set(key, text.length);
      this.savedSizes.set(operatorId, sizes);
    }
    const prefix = operatorId + KEY_SEP;
    for (const [key, state] of snapshot.keys) {
      const text = JSON.stringify(state) ?? 'null';
      sizes.set(key, text.length);
      queue.push(this.put(operatorId, epoch, key, prefix + key, text));
    }
    for (const key of removed) {
      if (sizes.delete(key)) queue.push(this.message(operatorId, epoch, key, prefix + key, null));
    }
  }

  private put(
    operatorId: string,
    epoch: number,
    key: string,
    messageKey: string,
    text: string,
  ): ChangelogMessage {
    return this.message(
      operatorId,
      epoch,
      key,
      messageKey,
      Buffer.from(`{"epoch":${epoch},"state":${text}}`),
    );
  }

  /**
   * Per operator, the keys and the bytes of state as last saved (what the
   * changelog holds for this instance): for the state size metrics.
   *
   * @example
   * store.savedStats(); // [{ operatorId: 'twin', keys: 100, bytes: 61_200 }, …]
   */
  savedStats(): { operatorId: string; keys: number; bytes: number }[] {
    const out: { operatorId: string; keys: number; bytes: number }[] = [];
    for (const [operatorId, keys] of this.saved) {
      let bytes = 0;
      for (const text of keys.values()) bytes += text.length;
      out.push({ operatorId, keys: keys.size, bytes });
    }
    for (const [operatorId, sizes] of this.savedSizes) {
      let bytes = 0;
      for (const size of sizes.values()) bytes += size;
      out.push({ operatorId, keys: sizes.size, bytes });
    }
    return out;
  }

  /** One key's changelog message, on its input's partition in partitioned mode. */
  private message(
    operatorId: string,
    epoch: number,
    key: string,
    messageKey: string,
    value: Buffer | null,
  ): ChangelogMessage {
    if (this.partitionOf === undefined) return { topic: this.topic, key: messageKey, value };
    const partition = this.partitionOf(key) ?? this.restoredPartitions.get(key);
    if (partition === undefined) {
      throw new ChangelogSnapshotError(
        `snapshot of epoch ${epoch}, operator ${operatorId}: no input partition is known for key ${JSON.stringify(key)}`,
      );
    }
    return { topic: this.topic, key: messageKey, value, partition };
  }

  /**
   * Returns and forgets the messages queued for `epoch` (empty if none), in
   * save order: write them in that epoch's transaction.
   *
   * @example
   * const messages = store.takeMessages(7); // [{ topic, key: 'window/k/pump-1', value }, …, { topic, key: 'window/w', value }]
   */
  takeMessages(epoch: number): ChangelogMessage[] {
    const messages = this.pending.get(epoch) ?? [];
    this.pending.delete(epoch);
    return messages;
  }

  load(operatorId: string): OperatorSnapshot | undefined {
    const state = this.restored.get(operatorId);
    if (state === undefined) return undefined;
    // Parsed from text each time: the restored operator owns and mutates what it gets.
    const keys: [string, unknown][] = [];
    const where = `operator ${operatorId}`;
    for (const [key, text] of state.keys) keys.push([key, parseJson(text, key, where)]);
    return { operatorId, epoch: state.epoch, watermark: state.watermark, keys };
  }

  /**
   * Applies changelog records in log order (last write per key wins, a null
   * value removes the key), as restore does; exposed for readers other than
   * Kafka. `position` names a record in errors.
   *
   * @example
   * store.apply([{ key: 'w/k/a', value: '{"epoch":1,"state":3}' }, { key: 'w/w', value: '{"epoch":1,"watermark":null}' }]);
   * store.load('w'); // { operatorId: 'w', epoch: 1, watermark: null, keys: [['a', 3]] }
   */
  apply(records: Iterable<ChangelogRecord>, position = (i: number) => `record ${i}`): number {
    let i = 0;
    for (const { key, value, partition } of records) {
      this.applyOne(key, value, position(i), partition);
      i++;
    }
    return i;
  }

  /**
   * Reads the changelog topic from the beginning (read_committed) up to the
   * end offsets it has when called, and makes it what `load` returns; with
   * `partitions`, only those changelog partitions (the input partitions this
   * instance owns). Resolves with (and logs) the restore time and number of keys.
   *
   * @example
   * const stats = await store.restore({ brokers: ['127.0.0.1:19092'] }); // { keys: 1200, durationMs: 85, … }
   */
  async restore(
    kafka: KafkaClientOptions,
    options: { readonly partitions?: readonly number[] } = {},
  ): Promise<ChangelogRestoreStats> {
    const started = performance.now();
    this.forgetAll();
    const ends = await this.endOffsets(kafka);
    if (options.partitions !== undefined) {
      const owned = new Set(options.partitions);
      for (const p of [...ends.keys()]) if (!owned.has(p)) ends.delete(p);
      for (const p of owned) {
        if (!ends.has(p)) ends.set(p, Number.NaN);
      }
    }
    // A partition whose end is unknown (its leader is moving, e.g. while a broker restarts) must
    // not pass for an empty one: its keys would silently start from scratch.
    const unknown = [...ends].filter(([, end]) => !Number.isSafeInteger(end) || end < 0).map(([p]) => p);
    if (unknown.length > 0) {
      throw new ChangelogRestoreError(
        this.topic,
        `fetching end offsets (unknown for partitions ${unknown.join(', ')})`,
        {
          cause: Object.assign(new Error('the broker gave no end offset; try again'), { retriable: true }),
        },
      );
    }
    const records = await this.read(kafka, ends);
    return this.restoreDone(started, records);
  }

  /**
   * Restore from changelog records that were read elsewhere, in log order
   * (the committed records of the partitions to restore, as `restore` reads
   * them from Kafka): forgets everything as `restore` does, applies them
   * and resolves to (and logs) the same stats. For fake brokers in tests
   * and readers other than Kafka.
   *
   * @example
   * const stats = store.restoreFrom([{ key: 'twin/k/pump-1', value: '{"epoch":3,"state":{"n":2}}', partition: 0 }]);
   * stats.keys; // 1
   */
  restoreFrom(records: Iterable<ChangelogRecord>): ChangelogRestoreStats {
    const started = performance.now();
    this.forgetAll();
    return this.restoreDone(started, this.apply(records));
  }

  /** The changelog is the truth after a restore: diff baselines and queued messages of a failed run (possibly of an aborted epoch) are dropped. */
  private forgetAll(): void {
    this.restored.clear();
    this.restoredPartitions.clear();
    this.saved.clear();
    this.savedSizes.clear();
    this.pending.clear();
  }

  private restoreDone(started: number, records: number): ChangelogRestoreStats {
    let keys = 0;
    for (const state of this.restored.values()) keys += state.keys.size;
    const stats: ChangelogRestoreStats = {
      topic: this.topic,
      records,
      operators: this.restored.size,
      keys,
      durationMs: performance.now() - started,
    };
    this.log?.(stats);
    return stats;
  }

  private restoredBaseline(operatorId: string): Map<string, string> | undefined {
    // After a restore, the first save diffs against what the changelog holds,
    // so keys gone since are tombstoned rather than left behind forever.
    const state = this.restored.get(operatorId);
    return state === undefined ? undefined : new Map(state.keys);
  }

  private applyOne(key: string, value: string | null, where: string, partition?: number): void {
    if (key.endsWith(WATERMARK_SUFFIX) && !key.includes(KEY_SEP)) {
      const operatorId = key.slice(0, -WATERMARK_SUFFIX.length);
      if (value === null) {
        this.restored.delete(operatorId);
        return;
      }
      const parsed = parseJson(value, key, where) as { epoch?: unknown; watermark?: unknown };
      const { epoch, watermark } = parsed;
      if (typeof epoch !== 'number' || !(watermark === null || typeof watermark === 'number')) {
        throw new ChangelogSnapshotError(
          `changelog ${this.topic} ${where}, key ${JSON.stringify(key)}: expected {epoch: number, watermark: number|null}, got ${value}`,
        );
      }
      const state = this.operator(operatorId);
      state.epoch = Math.max(state.epoch, epoch);
      state.watermark = watermark;
      return;
    }
    const at = key.indexOf(KEY_SEP);
    if (at <= 0) {
      throw new ChangelogSnapshotError(
        `changelog ${this.topic} ${where}: key ${JSON.stringify(key)} is neither "<operator>/k/<key>" nor "<operator>/w"`,
      );
    }
    const operatorId = key.slice(0, at);
    const stateKey = key.slice(at + KEY_SEP.length);
    const state = this.operator(operatorId);
    if (partition !== undefined) this.restoredPartitions.set(stateKey, partition);
    if (value === null) {
      state.keys.delete(stateKey);
      return;
    }
    if (writerShapeOf(value)) {
      // The writer's own shape: the state's text is the rest of the value, kept unparsed, so a
      // restored key costs one parse (at load) instead of parse, stringify and parse again.
      state.epoch = Math.max(state.epoch, shape.epoch);
      state.keys.set(stateKey, value.slice(shape.stateAt, -1));
      return;
    }
    const parsed = parseJson(value, key, where) as { epoch?: unknown; state?: unknown };
    if (typeof parsed.epoch !== 'number' || !('state' in parsed)) {
      throw new ChangelogSnapshotError(
        `changelog ${this.topic} ${where}, key ${JSON.stringify(key)}: expected {epoch: number, state}, got ${value}`,
      );
    }
    state.epoch = Math.max(state.epoch, parsed.epoch);
    // Kept as text: load parses a fresh copy each time.
    state.keys.set(stateKey, JSON.stringify(parsed.state));
  }

  private operator(operatorId: string): OperatorState {
    let state = this.restored.get(operatorId);
    if (state === undefined) {
      state = { epoch: Number.NEGATIVE_INFINITY, watermark: null, keys: new Map() };
      this.restored.set(operatorId, state);
    }
    return state;
  }

  /** Per partition, the last stable offset (read_committed end): where reading stops. */
  private async endOffsets(kafka: KafkaClientOptions): Promise<Map<number, number>> {
    const admin = newKafka(kafka).admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(this.topic, {
        isolationLevel: kafkaJavascript().KafkaJS.IsolationLevel.READ_COMMITTED,
      });
      return new Map(offsets.map((o) => [o.partition, Number(o.offset)]));
    } catch (error) {
      throw new ChangelogRestoreError(this.topic, 'fetching end offsets', { cause: error });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Reads every partition from its start to its end offset; returns the number of records applied. */
  private async read(kafka: KafkaClientOptions, ends: Map<number, number>): Promise<number> {
    const open = new Set(
      Array.from(ends)
        .filter(([, end]) => end > 0)
        .map(([p]) => p),
    );
    if (open.size === 0) return 0;
    const consumer = new (kafkaJavascript().KafkaConsumer)({
      ...rdkafkaConfig({ ...kafka, clientId: kafka.clientId ?? 'changelog-restore' }),
      // Assigned partitions, no commits: the group id is only required by the client.
      'group.id': `changelog-restore-${this.topic}`,
      'enable.auto.commit': false,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
    });
    try {
      await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
    } catch (error) {
      throw new ChangelogRestoreError(this.topic, 'connecting', { cause: error });
    }
    let records = 0;
    try {
      consumer.assign(Array.from(open, (partition) => ({ topic: this.topic, partition, offset: 0 })));
      consumer.setDefaultConsumeTimeout(100);
      while (open.size > 0) {
        const batch = await new Promise<KafkaConsumerMessage[]>((done, fail) =>
          consumer.consume(RESTORE_BATCH, (err, messages) => (err ? fail(err) : done(messages))),
        );
        for (const m of batch) {
          if (!open.has(m.partition)) continue;
          const end = ends.get(m.partition)!;
          if (m.offset >= end) continue;
          const key = m.key === undefined || m.key === null ? '' : m.key.toString();
          this.applyOne(
            key,
            m.value === null ? null : m.value.toString('utf8'),
            `partition ${m.partition} offset ${m.offset}`,
            m.partition,
          );
          records++;
          if (m.offset + 1 >= end) open.delete(m.partition);
        }
        // The end may be past the last message (transaction markers, aborted
        // records): the position, which moves past those, says when we are done.
        for (const p of consumer.position(
          Array.from(open, (partition) => ({ topic: this.topic, partition })),
        )) {
          if (p.offset >= ends.get(p.partition)!) open.delete(p.partition);
        }
      }
    } catch (error) {
      if (error instanceof ChangelogSnapshotError) throw error;
      throw new ChangelogRestoreError(this.topic, 'consuming', { cause: error });
    } finally {
      await new Promise<void>((done) => consumer.disconnect(() => done()));
    }
    return records;
  }
}

interface KafkaConsumerMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key?: string | Buffer | null;
  readonly value: Buffer | null;
}

/**
 * Records taken per consume call while restoring: 10 000 read 100k records ~7 % faster than
 * 1 000 here (bench restore); the client's flowing mode was slower still, its loop pausing
 * after each partition's end.
 */
const RESTORE_BATCH = 10_000;

const EPOCH_PREFIX = '{"epoch":';
const STATE_INFIX = ',"state":';

/** What writerShapeOf found last: reused, so reading a record's shape allocates nothing. */
const shape = { epoch: 0, stateAt: 0 };

/**
 * Whether a value is written as `put` writes it, `{"epoch":<digits>,"state":<json>}`; if so,
 * `shape` holds its epoch and where the state's text starts. Any other shape is parsed in
 * full. The state's text is not checked here: load parses it and names the key if it is not
 * JSON.
 */
function writerShapeOf(value: string): boolean {
  if (!value.startsWith(EPOCH_PREFIX) || value.charCodeAt(value.length - 1) !== 125 /* } */) return false;
  let at = EPOCH_PREFIX.length;
  let epoch = 0;
  for (let c = value.charCodeAt(at); c >= 48 && c <= 57; c = value.charCodeAt(++at))
    epoch = epoch * 10 + (c - 48);
  const digits = at - EPOCH_PREFIX.length;
  if (digits === 0 || digits > 15 || !value.startsWith(STATE_INFIX, at)) return false;
  at += STATE_INFIX.length;
  if (at >= value.length - 1) return false;
  shape.epoch = epoch;
  shape.stateAt = at;
  return true;
}

function parseJson(text: string, key: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ChangelogSnapshotError(`changelog ${where}, key ${JSON.stringify(key)}: value is not JSON`, {
      cause: error,
    });
  }
}
