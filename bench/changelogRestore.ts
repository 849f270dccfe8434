/**
 * State restore from the changelog through the broker: a compacted topic
 * holding RESTORE_KEYS twin-sized states, written in one transaction the
 * way the job's epochs write them, read back by a fresh store. Reported per
 * run and per 100k keys.
 */
import { randomUUID } from 'node:crypto';
import { KafkaChangelogSnapshotStore } from '../connectors/kafka/changelogSnapshotStore.js';
import { newKafka } from '../connectors/kafka/kafkaClient.js';
import { ensureTopics } from '../connectors/kafka/topicAdmin.js';
import type { BenchStack } from './benchStack.js';
import { progress, type Spread, spread } from './measure.js';

const RESTORE_KEYS = 100_000;
const PARTITIONS = 4;
const TARGET_MS_PER_100K = 500;

export interface RestoreFigures {
  readonly keys: number;
  readonly records: number;
  readonly partitions: number;
  readonly msPer100kKeys: Spread;
  readonly targetMsPer100kKeys: number;
}

/** A twin's state as the machine-health twin operator snapshots it (about 150 bytes of JSON). */
function twinState(i: number): unknown {
  return {
    state: {
      risk: 0.1,
      rulHours: 100 + (i % 50),
      mode: 'RUNNING',
      reported: { temperatureC: 60, loadPct: 80 },
    },
    lastSeen: i,
    eventTimers: [i + 300_000],
    processingTimers: [],
  };
}

async function writeChangelog(stack: BenchStack, topic: string): Promise<void> {
  const admin = newKafka(stack.kafka).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions: PARTITIONS, configs: { 'cleanup.policy': 'compact' } }]);
  } finally {
    await admin.disconnect();
  }
  const writer = new KafkaChangelogSnapshotStore({ topic, partitionOf: (key) => hashPartition(key) });
  const keys: [string, unknown][] = [];
  for (let i = 0; i < RESTORE_KEYS; i++) keys.push([`asset-${i}`, twinState(i)]);
  writer.save({ operatorId: 'twin', epoch: 1, watermark: null, keys });
  const messages = writer.takeMessages(1);
  const producer = newKafka(stack.kafka).producer({
    kafkaJS: { transactionalId: `bench-restore-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 },
  });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    for (let i = 0; i < messages.length; i += 10_000) {
      await transaction.sendBatch({ topicMessages: [{ topic, messages: messages.slice(i, i + 10_000) }] });
    }
    await transaction.commit();
  } finally {
    await producer.disconnect();
  }
}

function hashPartition(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % PARTITIONS;
}

/** One changelog, restored `runs` times by fresh stores (each run reads the whole topic again). */
export async function changelogRestoreBench(stack: BenchStack, runs: number): Promise<RestoreFigures> {
  const topic = `bench-restore-${randomUUID().slice(0, 8)}`;
  progress(`restore: writing ${RESTORE_KEYS} keys to ${topic}…`);
  await writeChangelog(stack, topic);
  const perRun: number[] = [];
  let records = 0;
  let keys = 0;
  for (let run = 1; run <= runs; run++) {
    const reader = new KafkaChangelogSnapshotStore({ topic });
    const stats = await reader.restore(stack.kafka, {
      partitions: Array.from({ length: PARTITIONS }, (_, p) => p),
    });
    // Restored means in the operator's hands: load (parsing each key's state) is part of it.
    const loadStarted = performance.now();
    const loaded = reader.load('twin')?.keys.length ?? 0;
    const ms = stats.durationMs + (performance.now() - loadStarted);
    records = stats.records;
    keys = stats.keys;
    if (keys !== RESTORE_KEYS || loaded !== RESTORE_KEYS) {
      throw new Error(`restore: read ${keys} keys back and loaded ${loaded}, wrote ${RESTORE_KEYS}`);
    }
    perRun.push(Math.round((ms * 100_000) / keys));
    progress(
      `restore run ${run}/${runs}: ${Math.round(ms)} ms for ${keys} keys (read ${Math.round(stats.durationMs)} ms, load ${Math.round(ms - stats.durationMs)} ms)`,
    );
  }
  return {
    keys,
    records,
    partitions: PARTITIONS,
    msPer100kKeys: spread(perRun),
    targetMsPer100kKeys: TARGET_MS_PER_100K,
  };
}
