import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChangelogRestoreStats,
  KafkaChangelogSnapshotStore,
} from '../../../../connectors/kafka/changelogSnapshotStore.js';
import type { OperatorSnapshot } from '../../../../operators/state/snapshots.js';
import { STACK } from '../../localStackSetup.js';

/**
 * KafkaChangelogSnapshotStore against the local stack's Kafka: snapshots of two operators saved
 * over three committed epochs (keys changed, added, removed), then a fourth epoch aborted; a new
 * store restores from the compacted topic and loads exactly the last committed snapshots.
 */

const kafka = new KafkaJS.Kafka({
  kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
});
const producers: KafkaJS.Producer[] = [];

afterAll(async () => {
  await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
});

async function createChangelog(topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    // Created is not ready: until each partition has a leader its end offset is unknown, which a
    // restore refuses as retriable (the runtime restarts; a test would fail on the race).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      if (offsets.length === partitions && offsets.every((o) => Number(o.offset) >= 0)) break;
      if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions have no leader after 15 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

async function transactionalProducer(): Promise<KafkaJS.Producer> {
  const producer = kafka.producer({
    kafkaJS: { transactionalId: `changelog-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 },
  });
  producers.push(producer);
  await producer.connect();
  return producer;
}

function snap(
  operatorId: string,
  epoch: number,
  watermark: number | null,
  keys: [string, unknown][],
): OperatorSnapshot {
  return { operatorId, epoch, watermark, keys };
}

function sorted(s: OperatorSnapshot | undefined): OperatorSnapshot | undefined {
  return s === undefined ? undefined : { ...s, keys: [...s.keys].sort(([a], [b]) => (a < b ? -1 : 1)) };
}

const EPOCHS: OperatorSnapshot[][] = [
  [
    snap('window', 1, null, [
      ['pump-1', { sum: 1, count: 1 }],
      ['pump-2', { sum: 5, count: 1 }],
      ['fan-1', { sum: 2, count: 1 }],
    ]),
    snap('twin', 1, 1_000, [['pump-1', { risk: 0.1 }]]),
  ],
  [
    snap('window', 2, 2_000, [
      ['pump-1', { sum: 3, count: 2 }],
      ['pump-2', { sum: 5, count: 1 }],
    ]),
    snap('twin', 2, 2_000, [
      ['pump-1', { risk: 0.2 }],
      ['pump-2', { risk: 0.7, flags: ['hot'] }],
    ]),
  ],
  [
    snap('window', 3, 3_000, [
      ['pump-2', { sum: 9, count: 2 }],
      ['fan-1', { sum: 4, count: 1 }],
    ]),
    snap('twin', 3, 3_000, [['pump-2', { risk: 0.8, flags: ['hot'] }]]),
  ],
];

describe('KafkaChangelogSnapshotStore on Kafka', () => {
  it('restores the last committed snapshot per operator; an aborted epoch is not restored', async () => {
    const topic = `changelog-${randomUUID()}`;
    await createChangelog(topic, 3);
    const producer = await transactionalProducer();
    const writer = new KafkaChangelogSnapshotStore({ topic });
    let written = 0;
    for (const [i, snapshots] of EPOCHS.entries()) {
      for (const s of snapshots) writer.save(s);
      const messages = writer.takeMessages(i + 1);
      written += messages.length;
      const t = await producer.transaction();
      await t.sendBatch({ topicMessages: [{ topic, messages }] });
      await t.commit();
    }
    // Epoch 4 changes both operators but its transaction aborts.
    writer.save(snap('window', 4, 4_000, [['pump-9', { sum: 1, count: 1 }]]));
    writer.save(snap('twin', 4, 4_000, []));
    const aborted = await producer.transaction();
    await aborted.sendBatch({ topicMessages: [{ topic, messages: writer.takeMessages(4) }] });
    await aborted.abort();

    const logged: ChangelogRestoreStats[] = [];
    const reader = new KafkaChangelogSnapshotStore({ topic, log: (s) => logged.push(s) });
    const stats = await reader.restore({ brokers: [STACK.kafkaBroker] });

    expect(sorted(reader.load('window'))).toEqual(sorted(EPOCHS[2]![0]));
    expect(sorted(reader.load('twin'))).toEqual(sorted(EPOCHS[2]![1]));
    expect(reader.load('other')).toBeUndefined();
    expect(stats).toMatchObject({ topic, records: written, operators: 2, keys: 3 });
    expect(stats.durationMs).toBeGreaterThanOrEqual(0);
    expect(logged).toEqual([stats]);
    console.log(
      `changelog restore: ${stats.records} records, ${stats.keys} keys in ${stats.durationMs.toFixed(1)} ms`,
    );
  }, 30_000);

  it('restores nothing from an empty changelog without waiting for messages', async () => {
    const topic = `changelog-${randomUUID()}`;
    await createChangelog(topic, 2);
    const store = new KafkaChangelogSnapshotStore({ topic });
    const stats = await store.restore({ brokers: [STACK.kafkaBroker] });
    expect(stats).toMatchObject({ records: 0, operators: 0, keys: 0 });
    expect(store.load('window')).toBeUndefined();
  }, 30_000);
});
