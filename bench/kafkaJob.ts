/**
 * The machine-health job through a real broker and registry (benchStack:
 * a job config's, or the local stack): end-to-end events/s with
 * exactly-once, at-least-once for comparison, and exactly-once with
 * ClickHouse writes, each over the same produced backlog and run `runs`
 * times, interleaved, reported as min/median/max; produce-to-commit latency
 * at a fixed rate, also per run.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { AvroSerde } from '../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../connectors/avro/contractSchemas.js';
import { newKafka } from '../connectors/kafka/kafkaClient.js';
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
import { anchoredStartTs } from '../pipelines/machine-health/produceTimeline.js';
import type { JobEvent } from '../runtime/exactlyOnce/exactlyOnceJob.js';
import type { BenchStack } from './benchStack.js';
import { progress, round, type Spread, spread } from './measure.js';

const ASSETS = 100;
const TICKS = 500;
const PARTITIONS = 4;
const EPOCHS = { intervalMs: 1_000, maxRecords: 5_000 } as const;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = 20;
const LATENCY_EPOCH_MS = 100;

export const KAFKA_TARGETS = {
  exactlyOnceEventsPerSec: 30_000,
  atLeastOnceEventsPerSec: 40_000,
  exactlyOnceCost: 0.15,
  exactlyOnceWithClickHouseEventsPerSec: 25_000,
  latencyP99Ms: 150,
} as const;

export interface KafkaJobFigures {
  readonly stack: string;
  readonly job: 'machine-health';
  readonly events: number;
  readonly assets: number;
  readonly partitions: number;
  readonly epochs: typeof EPOCHS;
  readonly runs: number;
  /** events/s, from the state restore to the commit of the epoch holding the last record. */
  readonly exactlyOnce: Spread;
  readonly atLeastOnce: Spread;
  readonly exactlyOnceWithClickHouse: Spread;
  /** 1 − exactly-once / at-least-once, on the medians. */
  readonly exactlyOnceCost: number;
  readonly latency: {
    readonly rate: number;
    readonly seconds: number;
    readonly epochIntervalMs: number;
    readonly samplesPerRun: number[];
    readonly p50Ms: Spread;
    readonly p99Ms: Spread;
  };
  readonly targets: typeof KAFKA_TARGETS;
}

function jobOptions(
  stack: BenchStack,
  topic: string,
  extra: Partial<MachineHealthKafkaOptions> & { log?: (e: JobEvent) => void },
): MachineHealthKafkaOptions {
  const id = randomUUID().slice(0, 8);
  return {
    kafka: stack.kafka,
    registryUrl: stack.registry.url,
    registryAuth: stack.registry.auth,
    groupId: `bench-${id}`,
    instanceId: `bench-${id}`,
    topics: {
      telemetry: topic,
      commands: `bench-commands-${id}`,
      changelog: `bench-state-${id}`,
      deadLetter: `bench-dlq-${id}`,
      partitions: PARTITIONS,
    },
    epochs: EPOCHS,
    pipeline: { assets: ASSETS },
    ...extra,
  };
}

/**
 * Runs the job over a produced backlog: seconds from its state restore to
 * the commit of the epoch that holds the last record. Done is read from the
 * job's own commit events (records per committed epoch), so nothing else
 * runs in the measured process.
 */
export async function throughput(
  stack: BenchStack,
  topic: string,
  events: number,
  extra: Partial<MachineHealthKafkaOptions>,
): Promise<{ eventsPerSec: number; seconds: number }> {
  let restoredAt: number | undefined;
  let committed = 0;
  let finished!: () => void;
  const allCommitted = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const options = jobOptions(stack, topic, {
    ...extra,
    log: (e) => {
      if (e.event === 'restored' && restoredAt === undefined) restoredAt = performance.now();
      if (e.event === 'committed') {
        committed += e.records;
        if (committed >= events) finished();
      }
    },
  });
  const running = await startMachineHealthOnKafka(options);
  const done = running.job.run();
  try {
    await Promise.race([
      allCommitted,
      done.then(() => Promise.reject(new Error('the job stopped before the backlog was committed'))),
    ]);
    const seconds = (performance.now() - (restoredAt ?? performance.now())) / 1000;
    return { eventsPerSec: Math.round(events / seconds), seconds: round(seconds) };
  } finally {
    await running.job.stop('bench');
    await done;
    await running.close();
  }
}

/** Produce-to-commit latency at a fixed rate: each reading's event time is its send time. */
async function latencyRun(stack: BenchStack): Promise<{ samples: number; p50Ms: number; p99Ms: number }> {
  const topic = `bench-live-${randomUUID().slice(0, 8)}`;
  const admin = newKafka(stack.kafka).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, partitions: PARTITIONS }]);
  } finally {
    await admin.disconnect();
  }
  const samples: number[] = [];
  let measuring = false;
  let ready!: () => void;
  const restored = new Promise<void>((r) => {
    ready = r;
  });
  const running = await startMachineHealthOnKafka(
    jobOptions(stack, topic, {
      epochs: { intervalMs: LATENCY_EPOCH_MS, maxRecords: 5_000 },
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
  const producer: KafkaJS.Producer = newKafka(stack.kafka).producer({
    kafkaJS: { idempotent: true, acks: -1 },
    'linger.ms': 2,
  });
  await producer.connect();
  try {
    await restored;
    const serde = new AvroSerde(
      new ConfluentSchemaRegistry({ host: stack.registry.url, auth: stack.registry.auth }),
      telemetrySchema,
    );
    const simulator = await machineHealthSimulator({
      assets: ASSETS,
      seed: 42,
      tickS: 30,
      cataloguePath: DEFAULT_CATALOGUE,
      // Irrelevant here: every reading is sent stamped with the time it is sent.
      startTs: Date.now(),
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
  return { samples: samples.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** The backlog every throughput run reads: ASSETS × TICKS readings on a fresh topic. */
export async function produceBacklog(stack: BenchStack): Promise<{ topic: string; events: number }> {
  const topic = `bench-telemetry-${randomUUID().slice(0, 8)}`;
  progress(`kafka: producing ${ASSETS} assets × ${TICKS} ticks to ${PARTITIONS} partitions…`);
  const report = await produceMachineHealthTelemetry({
    brokers: [...stack.kafka.brokers],
    registry: stack.registry.url,
    topic,
    partitions: PARTITIONS,
    assets: ASSETS,
    ticks: TICKS,
    tickS: 30,
    rate: 0,
    seed: 42,
    cataloguePath: DEFAULT_CATALOGUE,
    // Ends now: the record timestamp is the event time, and Kafka's retention counts from it.
    startTs: anchoredStartTs(TICKS, 30_000, Date.now()),
  });
  return { topic, events: report.events };
}

/**
 * All machine-health figures through the broker: one backlog, then `runs`
 * rounds of exactly-once, at-least-once and exactly-once with ClickHouse
 * (interleaved, so a drift of the machine spreads over all three), then
 * `runs` latency runs.
 */
export async function kafkaJobBench(stack: BenchStack, runs: number): Promise<KafkaJobFigures> {
  const { topic, events } = await produceBacklog(stack);
  const eos: number[] = [];
  const alo: number[] = [];
  const ch: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const e = await throughput(stack, topic, events, {});
    eos.push(e.eventsPerSec);
    const a = await throughput(stack, topic, events, { guarantee: 'at-least-once' });
    alo.push(a.eventsPerSec);
    const c = await throughput(stack, topic, events, {
      clickhouse: { ...stack.clickhouse, database: `bench_${randomUUID().slice(0, 8)}` },
    });
    ch.push(c.eventsPerSec);
    progress(
      `kafka run ${run}/${runs}: exactly-once ${e.eventsPerSec}, at-least-once ${a.eventsPerSec}, with ClickHouse ${c.eventsPerSec} events/s`,
    );
  }
  const latencies: { samples: number; p50Ms: number; p99Ms: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    const l = await latencyRun(stack);
    latencies.push(l);
    progress(
      `kafka latency run ${run}/${runs} at ${LATENCY_RATE} events/s: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms`,
    );
  }
  const exactlyOnce = spread(eos);
  const atLeastOnce = spread(alo);
  return {
    stack: stack.from,
    job: 'machine-health',
    events: events,
    assets: ASSETS,
    partitions: PARTITIONS,
    epochs: EPOCHS,
    runs,
    exactlyOnce,
    atLeastOnce,
    exactlyOnceWithClickHouse: spread(ch),
    exactlyOnceCost: round(1 - exactlyOnce.median / atLeastOnce.median, 3),
    latency: {
      rate: LATENCY_RATE,
      seconds: LATENCY_SECONDS - 3,
      epochIntervalMs: LATENCY_EPOCH_MS,
      samplesPerRun: latencies.map((l) => l.samples),
      p50Ms: spread(latencies.map((l) => l.p50Ms)),
      p99Ms: spread(latencies.map((l) => l.p99Ms)),
    },
    targets: KAFKA_TARGETS,
  };
}
