import { randomUUID } from 'node:crypto';
import type { KafkaJS, Message } from '@confluentinc/kafka-javascript';

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

/**
 * Reads every partition of `topic` from the beginning up to its end
 * offsets at call time (read_committed by default: what a downstream
 * consumer of committed transactions sees), with assigned partitions and no
 * group. Ends by position, so it needs no expected count.
 */
export async function readToEnd(
  brokers: readonly string[],
  topic: string,
  options: { readUncommitted?: boolean } = {},
): Promise<ReadMessage[]> {
  const { default: kafkaJavascript, KafkaJS } = await import('@confluentinc/kafka-javascript');
  const admin = new KafkaJS.Kafka({
    kafkaJS: { brokers: [...brokers], logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic, {
      isolationLevel: options.readUncommitted
        ? KafkaJS.IsolationLevel.READ_UNCOMMITTED
        : KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    ends = new Map(offsets.map((o) => [o.partition, Number(o.offset)]));
  } finally {
    await admin.disconnect();
  }
  const open = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
  const seen: ReadMessage[] = [];
  if (open.size === 0) return seen;
  const consumer = new kafkaJavascript.KafkaConsumer({
    'metadata.broker.list': brokers.join(','),
    'group.id': `it-read-to-end-${randomUUID()}`,
    'enable.auto.commit': false,
    'isolation.level': options.readUncommitted ? 'read_uncommitted' : 'read_committed',
    'auto.offset.reset': 'earliest',
  });
  await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
  try {
    consumer.assign([...open].map((partition) => ({ topic, partition, offset: 0 })));
    while (open.size > 0) {
      const batch = await new Promise<Message[]>((done, fail) =>
        consumer.consume(1000, (err, messages) => (err ? fail(err) : done(messages))),
      );
      for (const m of batch) {
        if (!open.has(m.partition) || m.offset >= ends.get(m.partition)!) continue;
        const headers: Record<string, string> = {};
        for (const h of m.headers ?? []) {
          for (const [name, value] of Object.entries(h)) headers[name] = String(value);
        }
        seen.push({
          topic,
          partition: m.partition,
          key: m.key?.toString() ?? '',
          value: m.value ?? Buffer.alloc(0),
          headers,
        });
        if (m.offset + 1 >= ends.get(m.partition)!) open.delete(m.partition);
      }
      for (const p of consumer.position([...open].map((partition) => ({ topic, partition })))) {
        if (p.offset !== undefined && p.offset >= ends.get(p.partition)!) open.delete(p.partition);
      }
    }
  } finally {
    await new Promise<void>((done) => consumer.disconnect(() => done()));
  }
  return seen;
}
