import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type {
  ChangelogRestoreStats,
  KafkaChangelogSnapshotStore,
} from '../../connectors/kafka/changelogSnapshotStore.js';
import { newKafka } from '../../connectors/kafka/kafkaClient.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import type { NewKafkaSourceClient } from '../../connectors/kafka/kafkaSourceClient.js';
import type { EpochProducer } from './epochProducer.js';

/**
 * Where an ExactlyOnceJob gets what talks to the broker: the producer of
 * its epochs, the client its source's group member comes from, and the
 * read of the changelog on each assignment. The protocol (barriers, one
 * transaction per epoch, commit before a revoke, restore before the first
 * message) is the job's whichever clients it gets; `kafkaClients` are the
 * real ones and the default, and unit tests pass a fake broker's.
 *
 * @example
 * const clients: ExactlyOnceClients = {
 *   ...kafkaClients,
 *   restoreChangelog: (store, kafka, o) => (console.log('restoring', o.partitions), kafkaClients.restoreChangelog(store, kafka, o)),
 * };
 * const job = new ExactlyOnceJob({ ...options, clients });
 */
export interface ExactlyOnceClients {
  /**
   * A new producer, not yet connected, for one run of the job (a restart or
   * a rejoin asks for another): `config` makes it transactional with the
   * instance's transactional id for exactly-once, idempotent otherwise.
   */
  producer(kafka: KafkaClientOptions, config: KafkaJS.ProducerConstructorConfig): EpochProducer;
  /** Makes the client of the source's consumer and dead-letter producer (see KafkaSourceOptions.newClient). */
  readonly source: NewKafkaSourceClient;
  /**
   * Reads the committed changelog of `partitions` into `store`, replacing
   * what it held (see KafkaChangelogSnapshotStore.restore).
   */
  restoreChangelog(
    store: KafkaChangelogSnapshotStore,
    kafka: KafkaClientOptions,
    options: { readonly partitions: readonly number[] },
  ): Promise<ChangelogRestoreStats>;
}

/**
 * The real clients, on @confluentinc/kafka-javascript: what an
 * ExactlyOnceJob uses unless told otherwise.
 *
 * @example
 * const producer = kafkaClients.producer({ brokers: ['127.0.0.1:19092'] }, { kafkaJS: { idempotent: true, acks: -1 } });
 */
export const kafkaClients: ExactlyOnceClients = {
  producer: (kafka, config) => newKafka(kafka).producer(config),
  source: newKafka,
  restoreChangelog: (store, kafka, options) => store.restore(kafka, options),
};
