import type { SinkMessage, TransactionalProducer } from '../../connectors/kafka/transactionalSink.js';

/**
 * The producer an ExactlyOnceJob writes its epochs with, as the job uses
 * it: connected once per run, one transaction per epoch (exactly-once), or
 * plain batches (at-least-once), disconnected when the run ends. A
 * `KafkaJS.Producer` is one.
 *
 * @example
 * const producer: EpochProducer = newKafka({ brokers }).producer({ kafkaJS: { transactionalId: 'health-health-0', idempotent: true, maxInFlightRequests: 1 } });
 * await producer.connect();
 */
export interface EpochProducer extends TransactionalProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Outside any transaction: what the at-least-once guarantee writes with. */
  sendBatch(batch: { topicMessages: { topic: string; messages: SinkMessage[] }[] }): Promise<unknown>;
}
