import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { describe, expect, it } from 'vitest';
import {
  changelogTopicSpec,
  ensureTopics,
  TopicPartitionMismatchError,
  type TopicSpec,
} from '../../../../connectors/kafka/topicAdmin.js';
import { STACK } from '../../localStackSetup.js';

/** ensureTopics against the real broker of the local stack; every test uses fresh topic names. */

async function withAdmin<T>(use: (admin: KafkaJS.Admin) => Promise<T>): Promise<T> {
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics (real broker)', () => {
  it('creates the input and a compacted changelog partitioned like it, then finds them existing', async () => {
    const id = randomUUID();
    const input: TopicSpec = { topic: `it-input-${id}`, partitions: 3 };
    const changelog = changelogTopicSpec(`it-changelog-${id}`, input);

    await withAdmin(async (admin) => {
      try {
        expect(await ensureTopics(admin, [input, changelog])).toEqual({
          created: [input.topic, changelog.topic],
          existing: [],
        });
        const metadata = await admin.fetchTopicMetadata({ topics: [input.topic, changelog.topic] });
        expect(metadata.map((t) => [t.name, t.partitions.length])).toEqual([
          [input.topic, 3],
          [changelog.topic, 3],
        ]);

        expect(await ensureTopics(admin, [input, changelog])).toEqual({
          created: [],
          existing: [input.topic, changelog.topic],
        });
      } finally {
        await admin.deleteTopics({ topics: [input.topic, changelog.topic] }).catch(() => undefined);
      }
    });
  });

  it('sets cleanup.policy=compact on the changelog (the broker refuses a null-key record there)', async () => {
    const id = randomUUID();
    const input: TopicSpec = { topic: `it-input-${id}`, partitions: 1 };
    const changelog = changelogTopicSpec(`it-changelog-${id}`, input);
    await withAdmin(async (admin) => {
      const kafka = new KafkaJS.Kafka({
        kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
      });
      const producer = kafka.producer({ kafkaJS: { acks: -1 } });
      try {
        await ensureTopics(admin, [input, changelog]);
        // The admin API has no describeConfigs; compaction shows in the broker's behaviour: a
        // compacted topic rejects records without a key, the (delete-policy) input accepts them.
        await producer.connect();
        await producer.send({ topic: input.topic, messages: [{ key: null, value: 'v' }] });
        await producer.send({ topic: changelog.topic, messages: [{ key: 'k', value: 'v' }] });
        await expect(
          producer.send({ topic: changelog.topic, messages: [{ key: null, value: 'v' }] }),
        ).rejects.toThrow(/failed to validate record/);
      } finally {
        await producer.disconnect();
        await admin.deleteTopics({ topics: [input.topic, changelog.topic] }).catch(() => undefined);
      }
    });
  });

  it('throws TopicPartitionMismatchError for an existing topic with another partition count', async () => {
    const topic = `it-mismatch-${randomUUID()}`;
    await withAdmin(async (admin) => {
      try {
        await ensureTopics(admin, [{ topic, partitions: 2 }]);
        const error = await ensureTopics(admin, [{ topic, partitions: 4 }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TopicPartitionMismatchError);
        expect(error).toMatchObject({ topic, expected: 4, actual: 2 });
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });
  });
});
