/**
 * A job of framework parts only, exactly-once through the broker: decode →
 * keyBy → one-minute tumbling stats per sensor → one output topic, no twin
 * logic and no ClickHouse. What twinflow itself costs per event on this
 * machine, against which a twin's own operators can be weighed.
 */
import { randomUUID } from 'node:crypto';
import { publishTelemetry } from '../connectors/kafka/publishTelemetry.js';
import { keyBy } from '../operators/core/keyBy.js';
import { boundedOutOfOrderness } from '../operators/time/watermarkStrategy.js';
import type { Stats } from '../operators/windows/aggregators/stats.js';
import { stats } from '../operators/windows/aggregators/stats.js';
import { tumbling } from '../operators/windows/assigners.js';
import { type WindowResult, windowAggregate } from '../operators/windows/windowAggregate.js';
import { exactlyOnceJobFor } from '../runtime/exactlyOnce/exactlyOnceJobFor.js';
import type { StreamingJob } from '../runtime/job/streamingJob.js';
import type { BenchStack } from './benchStack.js';
import { progress, type Spread, spread } from './measure.js';

const SENSORS = 1_000;
const TICKS = 60;
const TICK_MS = 1_000;
const PARTITIONS = 4;
const EPOCHS = { intervalMs: 1_000, maxRecords: 5_000 } as const;
const TARGET = 60_000;
const START_TS = Date.UTC(2026, 0, 5);

interface SensorReading {
  readonly sensorId: string;
  readonly ts: number;
  readonly value: number;
}

const sensorReadingSchema = {
  type: 'record',
  name: 'SensorReading',
  namespace: 'bench.framework',
  fields: [
    { name: 'sensorId', type: 'string' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'value', type: 'double' },
  ],
} as const;

const sensorMinuteSchema = {
  type: 'record',
  name: 'SensorMinute',
  namespace: 'bench.framework',
  fields: [
    { name: 'sensorId', type: 'string' },
    { name: 'minute', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'count', type: 'long' },
    { name: 'mean', type: 'double' },
    { name: 'max', type: 'double' },
  ],
} as const;

type SensorMinute = WindowResult<Stats>;

export function sensorStatsJob(outputTopic: string): StreamingJob<SensorReading, SensorMinute> {
  return {
    input: {
      schema: sensorReadingSchema,
      eventTime: (r) => r.ts,
      watermarks: boundedOutOfOrderness(2_000, { idleTimeoutMs: 30_000 }),
    },
    graph: (input$, snapshots) =>
      input$.pipe(
        keyBy((r) => r.sensorId),
        windowAggregate(
          tumbling(60_000),
          stats((r: SensorReading) => r.value),
          { id: 'sensor-minute', snapshots },
        ),
      ),
    kafkaOutputs: [
      {
        name: 'minutes',
        topic: outputTopic,
        schema: sensorMinuteSchema,
        messages: (w) => [
          {
            key: w.key,
            value: {
              sensorId: w.key,
              minute: w.start,
              count: w.value.count,
              mean: w.value.mean,
              max: w.value.max,
            },
          },
        ],
      },
    ],
    migrations: [],
  };
}

export interface FrameworkFigures {
  readonly job: string;
  readonly events: number;
  readonly sensors: number;
  readonly partitions: number;
  readonly epochs: typeof EPOCHS;
  readonly runs: number;
  /** events/s, exactly-once, from the state restore to the commit of the epoch holding the last record. */
  readonly exactlyOnce: Spread;
  readonly targetEventsPerSec: number;
}

async function produce(stack: BenchStack): Promise<{ topic: string; events: number }> {
  const topic = `bench-sensors-${randomUUID().slice(0, 8)}`;
  let tick = 0;
  const report = await publishTelemetry<SensorReading>({
    brokers: stack.kafka.brokers,
    registry: stack.registry.url,
    topic,
    partitions: PARTITIONS,
    schema: sensorReadingSchema,
    ticks: TICKS,
    keyOf: (r) => r.sensorId,
    source: {
      step() {
        const ts = START_TS + tick++ * TICK_MS;
        return Array.from({ length: SENSORS }, (_, s) => ({
          sensorId: `sensor-${s}`,
          ts,
          value: Math.sin(s + tick / 10) * 10,
        }));
      },
    },
  });
  return { topic, events: report.events };
}

async function run(stack: BenchStack, topic: string, events: number): Promise<number> {
  const id = randomUUID().slice(0, 8);
  let restoredAt: number | undefined;
  let committed = 0;
  let finished!: () => void;
  const allCommitted = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const { job, close } = await exactlyOnceJobFor(sensorStatsJob(`bench-minutes-${id}`), {
    kafka: stack.kafka,
    registry: stack.registry,
    groupId: `bench-fw-${id}`,
    instanceId: `bench-fw-${id}`,
    topics: {
      input: topic,
      changelog: `bench-fw-state-${id}`,
      deadLetter: `bench-fw-dlq-${id}`,
      partitions: PARTITIONS,
    },
    epochs: EPOCHS,
    log: (e) => {
      if (e.event === 'restored' && restoredAt === undefined) restoredAt = performance.now();
      if (e.event === 'committed') {
        committed += e.records;
        if (committed >= events) finished();
      }
    },
  });
  const done = job.run();
  try {
    await Promise.race([
      allCommitted,
      done.then(() => Promise.reject(new Error('the job stopped before the backlog was committed'))),
    ]);
    const seconds = (performance.now() - (restoredAt ?? performance.now())) / 1000;
    return Math.round(events / seconds);
  } finally {
    await job.stop('bench');
    await done;
    await close();
  }
}

export async function frameworkJobBench(stack: BenchStack, runs: number): Promise<FrameworkFigures> {
  progress(`framework: producing ${SENSORS} sensors × ${TICKS} ticks…`);
  const { topic, events } = await produce(stack);
  const perRun: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const eventsPerSec = await run(stack, topic, events);
    perRun.push(eventsPerSec);
    progress(`framework run ${i}/${runs}: exactly-once ${eventsPerSec} events/s`);
  }
  return {
    job: 'decode → keyBy → tumbling(1 min) stats → one topic',
    events,
    sensors: SENSORS,
    partitions: PARTITIONS,
    epochs: EPOCHS,
    runs,
    exactlyOnce: spread(perRun),
    targetEventsPerSec: TARGET,
  };
}
