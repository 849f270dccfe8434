import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';
import { type EpochBatch, EpochBuffer, type SinkMessage } from './epochBuffer.js';

export type { SinkMessage } from './epochBuffer.js';

/**
 * Consumed offsets to commit with an epoch: the offset of the NEXT message
 * to consume per partition (Kafka's convention: last processed + 1), and the
 * group member that consumed them (the client takes the group metadata from
 * it; @confluentinc/kafka-javascript accepts no bare group id).
 *
 * @example
 * const offsets: EpochOffsets = { consumer, topics: [{ topic: 'telemetry', partitions: [{ partition: 0, offset: '42' }] }] };
 */
export interface EpochOffsets<C = KafkaJS.Consumer> {
  readonly consumer: C;
  readonly topics: KafkaJS.TopicOffsets[];
}

/**
 * The part of a transactional producer the sink uses; a connected
 * `KafkaJS.Producer` with a `transactionalId` is one.
 *
 * @example
 * const producer: TransactionalProducer = kafka.producer({ kafkaJS: { transactionalId: 'health-0', idempotent: true, maxInFlightRequests: 1 } });
 */
export interface TransactionalProducer<C = KafkaJS.Consumer> {
  transaction(): Promise<EpochTransaction<C>>;
}

/** One open Kafka transaction, as `KafkaJS.Transaction`. */
export interface EpochTransaction<C = KafkaJS.Consumer> {
  sendBatch(batch: { topicMessages: { topic: string; messages: SinkMessage[] }[] }): Promise<unknown>;
  sendOffsets(args: { consumer: C; topics: KafkaJS.TopicOffsets[] }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Options of a transactional sink.
 *
 * @example
 * const options: TransactionalSinkOptions<TwinUpdate> = {
 *   producer,
 *   route: (r) => [{ topic: 'twin-changelog', key: r.value.assetId, value: encode(r.value.state) }],
 *   coalesceKey: (m) => (m.topic === 'twin-changelog' ? m.key.toString() : undefined),
 *   offsets: () => ({ consumer, topics: positions.toCommit() }),
 * };
 */
export interface TransactionalSinkOptions<T, C = KafkaJS.Consumer> {
  /** Connected, transactional (its `transactionalId` set by the caller), used by this sink only. */
  readonly producer: TransactionalProducer<C>;
  /** What to write for a record (commands, changelog, …); may be empty. */
  readonly route: (record: StreamRecord<T>) => readonly SinkMessage[];
  /**
   * The coalescing key of a message, or undefined to keep every such message:
   * within one epoch only the last message per (topic, key) is written.
   */
  readonly coalesceKey?: (message: SinkMessage) => string | undefined;
  /** Consumed offsets to commit with the epoch, asked for when its barrier arrives. */
  readonly offsets?: (epoch: number) => EpochOffsets<C> | undefined;
  /**
   * Messages written once per epoch rather than per record, asked for when
   * its barrier arrives (after every operator upstream has saved its state
   * for that barrier): e.g. `(e) => changelogStore.takeMessages(e)`.
   */
  readonly epochMessages?: (epoch: number) => readonly SinkMessage[];
}

/**
 * Which step of an epoch's transaction failed: 'begin' (starting it),
 * 'send' (writing its messages), 'offsets' (sendOffsets), 'commit'.
 */
export type TransactionalSinkStage = 'begin' | 'send' | 'offsets' | 'commit';

/**
 * librdkafka's error codes meaning another producer with the same
 * transactionalId took over (ERR__FENCED, ERR_PRODUCER_FENCED,
 * ERR_INVALID_PRODUCER_EPOCH, ERR_TRANSACTION_COORDINATOR_FENCED). Numbers
 * rather than the client's constants, so that recognising a fenced producer
 * needs no loaded client; a unit test checks them against the client's.
 */
export const FENCED_ERROR_CODES: ReadonlySet<number> = new Set([-144, 90, 47, 52]);

/**
 * An epoch's transaction failed and was aborted (nothing of the epoch is
 * visible to `read_committed` consumers). `retriable` is the cause's own
 * flag; `fenced` means a newer producer with the same transactionalId took
 * over: this instance is a zombie and must stop, not retry. `abortError` is
 * set when aborting failed too (a fenced producer cannot abort; the broker
 * aborts for it).
 *
 * @example
 * sink$.subscribe({ error: (e) => { if (e instanceof TransactionalSinkError && e.fenced) shutdown(); } });
 */
export class TransactionalSinkError extends Error {
  override readonly name = 'TransactionalSinkError';
  readonly retriable: boolean;
  readonly fenced: boolean;
  abortError?: unknown;

  constructor(
    readonly stage: TransactionalSinkStage,
    readonly epoch: number,
    subject: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause as { message?: unknown; retriable?: unknown; code?: unknown } | undefined;
    const text = cause instanceof Error ? cause.message : String(cause);
    super(`transactional sink ${stage} failed for epoch ${epoch} (${subject}): ${text}`, options);
    this.retriable = cause?.retriable === true;
    this.fenced = typeof cause?.code === 'number' && FENCED_ERROR_CODES.has(cause.code);
  }
}

/**
 * The exactly-once write side: writes each epoch's messages (and the
 * consumed offsets) in one Kafka transaction, committed when the epoch's
 * barrier arrives; the barrier is forwarded only after the commit, so a
 * barrier that has passed the sink means its epoch is committed. Records
 * and watermarks pass on at once and in order; elements arriving while a
 * commit is in flight wait behind it. An epoch with no messages and no
 * offsets opens no transaction.
 *
 * A failure of the transaction aborts it and errors the stream with a
 * TransactionalSinkError. An error of `route` or of the upstream errors the
 * stream as is, after any commit in flight settled; the open epoch was never
 * sent. Completion without a final barrier does NOT commit the open epoch
 * (its records are dropped, nothing is half-written): the runtime ends a job
 * with a barrier. Unsubscribing does not cancel a commit in flight.
 *
 * @example
 * elements$.pipe(
 *   processKeyed(…),
 *   transactionalSink({ producer, route: (r) => [{ topic: 'commands', key: r.key!, value: encode(r.value) }] }),
 * ).subscribe({ next: (e) => { if (e.kind === 'barrier') console.log('committed', e.epoch); } });
 */
export function transactionalSink<T, C = KafkaJS.Consumer>(
  options: TransactionalSinkOptions<T, C>,
): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  const { producer, route, coalesceKey, offsets } = options;
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      const buffer = new EpochBuffer(coalesceKey);
      /** Elements (and then the end) that arrived while a commit was in flight, in order. */
      const backlog: StreamElement<T>[] = [];
      let end: { error: unknown } | 'complete' | undefined;
      let committing = false;
      let closed = false;

      const fail = (error: unknown): void => {
        closed = true;
        subscriber.error(error);
      };

      const commit = (epoch: number): void => {
        for (const m of options.epochMessages?.(epoch) ?? []) buffer.add(m);
        const batch = buffer.take();
        const toCommit = offsets?.(epoch);
        if (batch.size === 0 && (toCommit === undefined || toCommit.topics.length === 0)) {
          subscriber.next({ kind: 'barrier', epoch });
          return;
        }
        committing = true;
        commitEpoch(producer, epoch, batch, toCommit).then(
          () => {
            committing = false;
            if (closed) return;
            subscriber.next({ kind: 'barrier', epoch });
            drain();
          },
          (error: unknown) => {
            committing = false;
            if (!closed) fail(error);
          },
        );
      };

      const handle = (element: StreamElement<T>): void => {
        if (element.kind === 'barrier') {
          commit(element.epoch);
          return;
        }
        if (element.kind === 'record') {
          const messages = route(element);
          for (let i = 0; i < messages.length; i++) buffer.add(messages[i]!);
        }
        subscriber.next(element);
      };

      const drain = (): void => {
        try {
          while (!committing && !closed && backlog.length > 0) handle(backlog.shift()!);
        } catch (error) {
          fail(error);
          return;
        }
        if (committing || closed || backlog.length > 0 || end === undefined) return;
        closed = true;
        if (end === 'complete') subscriber.complete();
        else subscriber.error(end.error);
      };

      const subscription = source.subscribe({
        next(element) {
          if (closed) return;
          if (committing || backlog.length > 0) {
            backlog.push(element);
            return;
          }
          try {
            handle(element);
          } catch (error) {
            fail(error);
          }
        },
        error(error) {
          end = { error };
          drain();
        },
        complete() {
          end = 'complete';
          drain();
        },
      });
      return () => {
        closed = true;
        subscription.unsubscribe();
      };
    });
}

/** Begin, send, sendOffsets, commit; on failure abort and reject with a TransactionalSinkError. */
async function commitEpoch<C>(
  producer: TransactionalProducer<C>,
  epoch: number,
  batch: EpochBatch,
  offsets: EpochOffsets<C> | undefined,
): Promise<void> {
  const subject = describe(batch, offsets);
  let transaction: EpochTransaction<C>;
  try {
    transaction = await producer.transaction();
  } catch (error) {
    throw new TransactionalSinkError('begin', epoch, subject, { cause: error });
  }
  let stage: TransactionalSinkStage = 'send';
  try {
    if (batch.size > 0) await transaction.sendBatch({ topicMessages: batch.topicMessages });
    if (offsets !== undefined && offsets.topics.length > 0) {
      stage = 'offsets';
      await transaction.sendOffsets({ consumer: offsets.consumer, topics: offsets.topics });
    }
    stage = 'commit';
    await transaction.commit();
  } catch (error) {
    const failure = new TransactionalSinkError(stage, epoch, subject, { cause: error });
    try {
      await transaction.abort();
    } catch (abortError) {
      failure.abortError = abortError;
    }
    throw failure;
  }
}

/** Names what an epoch's transaction holds, for error messages. */
function describe(batch: EpochBatch, offsets: EpochOffsets<unknown> | undefined): string {
  const topics = batch.topicMessages.map((t) => `${t.topic}: ${t.messages.length}`).join(', ');
  const parts = [`${batch.size} messages${topics === '' ? '' : ` (${topics})`}`];
  if (offsets !== undefined && offsets.topics.length > 0) {
    parts.push(`offsets of ${offsets.topics.map((t) => t.topic).join(', ')}`);
  }
  return parts.join(', ');
}
