import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaClientOptions } from './kafkaClientOptions.js';

/**
 * The part of a Kafka client a KafkaSource makes its group member (and its
 * dead-letter producer) with. `newKafka` makes the real one; a runtime's
 * unit tests pass one backed by a fake broker, so that the source's own
 * logic (decoding, dead letters, watermarks, rebalance order) runs as is.
 *
 * @example
 * const newClient: NewKafkaSourceClient = newKafka;
 * const consumer = newClient({ brokers: ['127.0.0.1:19092'] }).consumer({ kafkaJS: { groupId: 'g' } });
 */
export type KafkaSourceClient = Pick<KafkaJS.Kafka, 'consumer' | 'producer'>;

/**
 * Makes a KafkaSourceClient for connection options (see KafkaSourceOptions.newClient).
 *
 * @example
 * const source = kafkaSource({ ...options, newClient: (kafka) => newKafka(kafka) });
 */
export type NewKafkaSourceClient = (options: KafkaClientOptions) => KafkaSourceClient;
