/**
 * The machine-health job through the real local stack (Kafka broker, schema
 * registry; infra/local, started here if it is not up): end-to-end events/s
 * with exactly-once on and, for comparison, at-least-once; produce-to-commit
 * latency at a fixed rate; state restore time per 100k keys.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { AvroSerde } from '../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../connectors/avro/contractSchemas.js';
import { KafkaChangelogSnapshotStore } from '../connectors/kafka/changelogSnapshotStore.js';
import { kafkaJavascript, newKafka } from '../connectors/kafka/kafkaClient.js';
import { ensureTopics } from '../connectors/kafka/topicAdmin.js';
import { DEFAULT_CATALOGUE } from '../pipelines/machine-health/embeddedJob.js';
import {
  type MachineHealthKafkaOptions,
  startMachineHealthOnKafka,
} from '../pipelines/machine-health/kafkaJob.js';
import {
  machineHealthSimulator,
  produceMachineHealthTelemetry,
} from '../pipelines/machine-health/produce.js';
import type { JobEvent } from '../runtime/exactlyOnce/exactlyOnceJob.js';
import { progress, round } from './measure.js';

const BROKERS = ['127.0.0.1:19092'];
const REGISTRY = 'http://127.0.0.1:18081/apis/ccompat/v7';
const CLICKHOUSE = 'http://127.0.0.1:18123';
const ASSETS = 100;
const TICKS = 500;
const PARTITIONS = 4;
const THROUGHPUT_TARGET = 30_000;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = 20;
const LATENCY_P99_TARGET_MS = 250;
const RESTORE_KEYS = 100_000;

export interface KafkaJobFigures {
  readonly events: number;
  readonly partitions: number;
  readonly exactlyOnce: { readonly eventsPerSec: number; readonly seconds: number };
  readonly exactlyOnceWithClickHouse: { readonly eventsPerSec: number; readonly seconds: number };
  readonly atLeastOnce: { readonly eventsPerSec: number; readonly seconds: number };
  /** 1 − exactly-once / at-least-once throughput. */
  readonly exactlyOnceCost: number;
  readonly targetEventsPerSec: number;
  readonly latency: {
    readonly rate: number;
    readonly seconds: number;
    readonly samples: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly targetP99Ms: number;
    readonly epochIntervalMs: number;
  };
  readonly restore: {
    readonly keys: number;
    readonly records: number;
    readonly ms: number;
    readonly msPer100kKeys: number;
  };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function kafka(): KafkaJS.Kafka {
  return newKafka({ brokers: BROKERS });
}

function jobOptions(
  topic: string,
  extra: Partial<MachineHealthKafkaOptions> & { log?: (e: JobEvent) => void },
): MachineHealthKafkaOptions {
  const id = randomUUID().slice(0, 8);
  return {
    kafka: { brokers: BROKERS },
    registryUrl: REGISTRY,
    groupId: `bench-${id}`,
    instanceId: `bench-${id}`,
    topics: {
      telemetry: topic,
      commands: `bench-commands-${id}`,
      changelog: `bench-state-${id}`,
      deadLetter: `bench-dlq-${id}`,
      partitions: PARTITIONS,
    },
    epochs: { intervalMs: 1_000, maxRecords: 5_000 },
    pipeline: { assets: ASSETS },
    ...extra,
  };
}

async function committedSum(groupId: string, topic: string): Promise<number> {
  // A consumer of the group, not the admin client: see test/integration/.../machineHealthOnKafka.ts.
  const consumer = new (kafkaJavascript().KafkaConsumer)({
    'metadata.broker.list': BROKERS.join(','),
    'group.id': groupId,
    'enable.auto.commit': false,
  });
  await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
  try {
    const offsets = await new Promise<{ offset?: number }[]>((done, fail) =>
      consumer.committed(
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
        10_000,
        (err, o) => (err ? fail(err) : done(o)),
      ),
    );
    return offsets.reduce((sum, p) => sum + Math.max(0, p.offset ?? 0), 0);
  } finally {
    await new Promise<void>((done) => consumer.disconnect(() => done()));
  }
}

/** Runs the job over a produced backlog; seconds from its state restore to the last commit. */
async function throughput(
  topic: string,
  events: number,
  extra: Partial<MachineHealthKafkaOptions>,
): Promise<{ eventsPerSec: number; seconds: number }> {
  let restoredAt: number | undefined;
  const options = jobOptions(topic, {
    ...extra,
    log: (e) => {
      if (e.event === 'restored' && restoredAt === undefined) restoredAt = performance.now();
    },
  });
  const running = await startMachineHealthOnKafka(options);
  const done = running.job.run();
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      if ((await committedSum(options.groupId, topic)) >= events) break;
    }
    const seconds = (performance.now() - (restoredAt ?? performance.now())) / 1000;
    return { eventsPerSec: Math.round(events / seconds), seconds: round(seconds) };
  } finally {
    await running.job.stop('bench');
    await done;
    await running.close();
  }
}

/** Produce-to-commit latency at a fixed rate: each reading's event time is its send time. */
async function latency(): Promise<KafkaJobFigures['latency']> {
  const topic = `bench-live-${randomUUID().slice(0, 8)}`;
  const admin = kafka().admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions: PARTITIONS }]);
  } finally {
    await admin.disconnect();
  }
  const epochIntervalMs = 100;
  const samples: number[] = [];
  let measuring = false;
  let ready!: () => void;
  const restored = new Promise<void>((r) => {
    ready = r;
  });
  const running = await startMachineHealthOnKafka(
    jobOptions(topic, {
      epochs: { intervalMs: epochIntervalMs, maxRecords: 5_000 },
      log: (e) => {
        if (e.event === 'restored') ready();
      },
      onCommitted: (_epoch, outputs) => {
        if (!measuring) return;
        const now = Date.now();
        for (const o of outputs) if (o.type === 'enriched') samples.push(now - o.reading.telemetry.ts);
      },
    }),
  );
  const done = running.job.run();
  const producer = kafka().producer({ kafkaJS: { idempotent: true, acks: -1 }, 'linger.ms': 2 });
  await producer.connect();
  try {
    await restored;
    const serde = new AvroSerde(new ConfluentSchemaRegistry({ host: REGISTRY }), telemetrySchema);
    const simulator = await machineHealthSimulator({
      assets: ASSETS,
      seed: 42,
      tickS: 30,
      cataloguePath: DEFAULT_CATALOGUE,
    });
    const perSlice = LATENCY_RATE / 20;
    const started = Date.now();
    let sent = 0;
    let queue: ReturnType<typeof simulator.step>[number][] = [];
    while (Date.now() - started < LATENCY_SECONDS * 1000) {
      // The first 3 s warm the job up (JIT, caches); samples after.
      measuring = Date.now() - started > 3_000;
      const due = Math.floor(((Date.now() - started) / 1000) * LATENCY_RATE) - sent;
      const batch = [];
      for (let i = 0; i < Math.min(due, perSlice * 2); i++) {
        if (queue.length === 0) queue = [...simulator.step()];
        const reading = { ...queue.shift()!, ts: Date.now() };
        batch.push({ key: reading.assetId, value: await serde.encode(topic, reading) });
      }
      if (batch.length > 0) {
        await producer.send({ topic, messages: batch });
        sent += batch.length;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    measuring = false;
  } finally {
    await producer.disconnect();
    await running.job.stop('bench');
    await done;
    await running.close();
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN;
  return {
    rate: LATENCY_RATE,
    seconds: LATENCY_SECONDS - 3,
    samples: samples.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    targetP99Ms: LATENCY_P99_TARGET_MS,
    epochIntervalMs,
  };
}

/** Restore time of a changelog holding RESTORE_KEYS twin-sized states, written in one transaction. */
async function restore(): Promise<KafkaJobFigures['restore']> {
  const topic = `bench-restore-${randomUUID().slice(0, 8)}`;
  const admin = kafka().admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions: PARTITIONS, configs: { 'cleanup.policy': 'compact' } }]);
  } finally {
    await admin.disconnect();
  }
  const writer = new KafkaChangelogSnapshotStore({ topic });
  const keys: [string, unknown][] = [];
  for (let i = 0; i < RESTORE_KEYS; i++) {
    keys.push([
      `asset-${i}`,
      {
        state: {
          risk: 0.1,
          rulHours: 100 + (i % 50),
          mode: 'RUNNING',
          reported: { temperatureC: 60, loadPct: 80 },
        },
        lastSeen: i,
        eventTimers: [i + 300_000],
        processingTimers: [],
      },
    ]);
  }
  writer.save({ operatorId: 'twin', epoch: 1, watermark: null, keys });
  const messages = writer.takeMessages(1);
  const producer = kafka().producer({
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
  const reader = new KafkaChangelogSnapshotStore({ topic });
  const stats = await reader.restore({ brokers: BROKERS });
  return {
    keys: stats.keys,
    records: stats.records,
    ms: Math.round(stats.durationMs),
    msPer100kKeys: Math.round((stats.durationMs * 100_000) / Math.max(1, stats.keys)),
  };
}

/**
 * All figures through the real broker. Starts the local stack when it is
 * not up (bash infra/local/stack.sh up; it stays up afterwards).
 */
export async function kafkaJobBench(): Promise<KafkaJobFigures> {
  execFileSync('bash', [resolve(repoRoot, 'infra/local/stack.sh'), 'up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const topic = `bench-telemetry-${randomUUID().slice(0, 8)}`;
  progress(`kafka: producing ${ASSETS} assets × ${TICKS} ticks…`);
  const report = await produceMachineHealthTelemetry({
    brokers: BROKERS,
    registry: REGISTRY,
    topic,
    partitions: PARTITIONS,
    assets: ASSETS,
    ticks: TICKS,
    tickS: 30,
    rate: 0,
    seed: 42,
    cataloguePath: DEFAULT_CATALOGUE,
  });
  progress('kafka: exactly-once…');
  const exactlyOnce = await throughput(topic, report.events, {});
  progress(`kafka: exactly-once ${exactlyOnce.eventsPerSec} events/s; at-least-once…`);
  const atLeastOnce = await throughput(topic, report.events, { guarantee: 'at-least-once' });
  progress(`kafka: at-least-once ${atLeastOnce.eventsPerSec} events/s; exactly-once with ClickHouse…`);
  const withClickHouse = await throughput(topic, report.events, {
    clickhouse: { url: CLICKHOUSE, database: `bench_${randomUUID().slice(0, 8)}`, username: 'default' },
  });
  progress(
    `kafka: with ClickHouse ${withClickHouse.eventsPerSec} events/s; latency at ${LATENCY_RATE} events/s…`,
  );
  const lat = await latency();
  progress(`kafka: latency p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms; restore of ${RESTORE_KEYS} keys…`);
  const restored = await restore();
  progress(`kafka: restore ${restored.ms} ms`);
  return {
    events: report.events,
    partitions: PARTITIONS,
    exactlyOnce,
    exactlyOnceWithClickHouse: withClickHouse,
    atLeastOnce,
    exactlyOnceCost: Math.round((1 - exactlyOnce.eventsPerSec / atLeastOnce.eventsPerSec) * 1000) / 1000,
    targetEventsPerSec: THROUGHPUT_TARGET,
    latency: lat,
    restore: restored,
  };
}
