/**
 * What the compiler sees of @confluentinc/kafka-javascript when npm left
 * that optional package out (its native build failed): the names twinflow
 * uses, typed only as far as strict mode needs (callback parameters and
 * offsets). tsconfig.json's `paths` falls back to this file only when the
 * package is missing, so the embedded default builds without it; where the
 * package is installed (CI, anyone running the real stack) the client's own
 * declarations are checked. Nothing here exists at run time: modules load
 * the client through `kafkaJavascript()`, which names the command that
 * installs it.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: a stand-in for declarations that are absent

type Callback<T> = (err: any, value: T) => void;

interface PartitionOffsets {
  partition: number;
  offset: string;
  high: string;
  low: string;
}

export declare namespace KafkaJS {
  interface Admin {
    [method: string]: any;
    fetchTopicOffsets(topic: string, options?: any): Promise<PartitionOffsets[]>;
    fetchTopicOffsetsByTimestamp(topic: string, ts?: number, options?: any): Promise<PartitionOffsets[]>;
    listTopics: any;
    createTopics: any;
    fetchTopicMetadata: any;
  }
  interface TopicOffsets {
    topic: string;
    partitions: { partition: number; offset: string }[];
  }
  type CommonConstructorConfig = any;
  type Consumer = any;
  type ConsumerConstructorConfig = any;
  type ConsumerRunConfig = any;
  type ConsumerSubscribeTopic = any;
  type ConsumerSubscribeTopics = any;
  type EachBatchPayload = any;
  type EachMessageHandler = any;
  type EachMessagePayload = any;
  type IHeaders = any;
  interface Kafka {
    admin(config?: any): Admin;
    consumer(config?: any): Consumer;
    producer(config?: any): Producer;
  }
  type KafkaMessage = any;
  type Producer = any;
  type ProducerConstructorConfig = any;
  type TopicPartition = any;
  type TopicPartitionOffsetAndMetadata = any;
  type Transaction = any;
  const Kafka: any;
  const ErrorCodes: Readonly<Record<string, number>>;
  const IsolationLevel: Readonly<Record<string, number>>;
  const logLevel: Readonly<Record<string, number>>;
}

export declare class KafkaConsumer {
  constructor(config: any, topicConfig?: any);
  [method: string]: any;
  connect(options: any, callback: Callback<any>): this;
  consume(count: number, callback: Callback<any[]>): void;
  committed(partitions: any[], timeoutMs: number, callback: Callback<any[]>): void;
}
