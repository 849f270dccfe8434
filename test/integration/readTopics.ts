import { randomUUID } from 'node:crypto';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

/** One consumed message, with its key and headers as text. */
export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Reads `topics` from the beginning with a fresh consumer group until `done`
 * says the messages seen so far are enough, then disconnects. Tests end on a
 * condition that a committed message makes true (a count, an end marker), so
 * they never wait for something not to arrive.
 */
export async function readTopics(
  kafka: KafkaJS.Kafka,
  topics: readonly string[],
  done: (seen: readonly ReadMessage[]) => boolean,
  options: { readUncommitted?: boolean } = {},
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: `it-read-${randomUUID()}`,
      fromBeginning: true,
      readUncommitted: options.readUncommitted ?? false,
      autoCommit: false,
    },
  });
  const seen: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics] });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              if (value !== undefined) headers[name] = value.toString();
            }
            seen.push({
              topic,
              partition,
              key: message.key?.toString() ?? '',
              value: message.value ?? Buffer.alloc(0),
              headers,
            });
            if (done(seen)) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
