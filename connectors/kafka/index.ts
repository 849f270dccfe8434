/**
 * `twinflow/kafka`: Kafka as source and sink of a job. The consumer-group
 * source with event time and dead letters, the transactional sink (one
 * transaction per epoch), topic admin, the changelog snapshot store,
 * signed commands, their guard and their verifier (for the consumers), and the Confluent wire format Avro serde
 * with its schema registries. @confluentinc/kafka-javascript (an optional
 * dependency) is loaded on first use, so importing this needs neither it
 * nor a broker.
 *
 * @example
 * import { AvroSerde, ConfluentSchemaRegistry, KafkaSource, transactionalSink } from 'twinflow/kafka';
 */
export type { AvroSerdeOptions, DecodedMessage } from '../avro/avroSerde.js';
export { AvroSerde } from '../avro/avroSerde.js';
export type { ConfluentSchemaRegistryOptions } from '../avro/confluentSchemaRegistry.js';
export { ConfluentSchemaRegistry, SchemaRegistryRequestError } from '../avro/confluentSchemaRegistry.js';
export {
  ContractSchemaLoadError,
  commandSchema,
  contractSchemaDir,
  telemetrySchema,
  twinStateSchema,
} from '../avro/contractSchemas.js';
export * from '../avro/errors.js';
export { LocalSchemaRegistry } from '../avro/localSchemaRegistry.js';
export * from '../avro/schemaRegistry.js';
export * from './changelogSnapshotStore.js';
export * from './commandGuard.js';
export * from './commandSigning.js';
export type {
  CommandDecoder,
  CommandRejection,
  CommandVerdict,
  CommandVerifierOptions,
} from './commandVerifier.js';
export { CommandVerifier } from './commandVerifier.js';
export type { DeadLetterFailure, MessageHeaders } from './deadLetterHeaders.js';
export { DEAD_LETTER_HEADERS, parseDeadLetterSource } from './deadLetterHeaders.js';
export * from './kafkaClient.js';
export type { KafkaClientOptions } from './kafkaClientOptions.js';
export type {
  KafkaSourceMetrics,
  KafkaSourceOptions,
  KafkaSourceRebalanceListener,
  KafkaSourceStage,
} from './kafkaSource.js';
export { KafkaSource, KafkaSourceError, kafkaSource } from './kafkaSource.js';
export type { OffsetRange, RangeMessage } from './partitionRangeReader.js';
export { offsetsAtTime, PartitionRangeReader, topicOffsetMarks } from './partitionRangeReader.js';
export type { PartitionWatermark, TopicPartitionRef } from './partitionWatermarks.js';
export * from './publishTelemetry.js';
export * from './telemetryProducer.js';
export * from './topicAdmin.js';
export * from './transactionalSink.js';
