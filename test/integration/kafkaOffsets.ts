import kafkaJavascript, { KafkaJS } from '@confluentinc/kafka-javascript';
import { STACK } from './localStackSetup.js';

/**
 * Where a job's consumer group stands on a topic of the local stack: what
 * every integration test of a job on Kafka waits on ("has it committed
 * everything?"), whichever job it is.
 */

export function admin(): KafkaJS.Admin {
  return new KafkaJS.Kafka({
    kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
}

/** Sum of the end offsets of a topic (read_committed). */
export async function endOffsetSum(topic: string): Promise<number> {
  const a = admin();
  await a.connect();
  try {
    const offsets = await a.fetchTopicOffsets(topic, {
      isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return offsets.reduce((sum, o) => sum + Number(o.offset), 0);
  } finally {
    await a.disconnect();
  }
}

/**
 * Sum of a group's committed offsets on a topic (0 before its first commit).
 * Asked through a consumer of the group (never joining it), not the admin
 * client: librdkafka's admin ListConsumerGroupOffsets segfaults on a
 * NOT_COORDINATOR answer, which a restarting broker gives
 * (confluentinc/confluent-kafka-javascript#374, confluentinc/librdkafka#5040).
 */
export async function committedSum(groupId: string, topic: string): Promise<number> {
  const a = admin();
  await a.connect();
  let partitions: number[];
  try {
    partitions = (await a.fetchTopicOffsets(topic)).map((o) => o.partition);
  } finally {
    await a.disconnect();
  }
  const consumer = new kafkaJavascript.KafkaConsumer({
    'metadata.broker.list': STACK.kafkaBroker,
    'group.id': groupId,
    'enable.auto.commit': false,
  });
  await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
  try {
    const committed = await new Promise<{ offset?: number }[]>((done, fail) =>
      consumer.committed(
        partitions.map((partition) => ({ topic, partition })),
        10_000,
        (err, offsets) => (err ? fail(err) : done(offsets)),
      ),
    );
    return committed.reduce((sum, p) => sum + Math.max(0, p.offset ?? 0), 0);
  } finally {
    await new Promise<void>((done) => consumer.disconnect(() => done()));
  }
}

/** Resolves when the group has committed `target` offsets on the topic; rejects after `timeoutMs` or when `alive` says the job is gone. */
export async function waitCommitted(
  groupId: string,
  topic: string,
  target: number,
  options: { timeoutMs?: number; alive?: () => boolean; context?: () => string } = {},
): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let sum = 0;
  for (;;) {
    // The broker may be restarting (the fault test does that): ask again rather than fail.
    sum = await committedSum(groupId, topic).catch(() => sum);
    if (sum >= target) return sum;
    if (options.alive !== undefined && !options.alive()) return sum;
    if (Date.now() > deadline) {
      throw new Error(
        `group ${groupId} committed ${sum} of ${target} offsets on ${topic} before the timeout${options.context === undefined ? '' : `\n${options.context()}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
