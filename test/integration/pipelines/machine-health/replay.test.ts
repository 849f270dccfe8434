import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroDecodeError } from '../../../../connectors/avro/errors.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  type ProduceConfig,
  produceMachineHealthTelemetry,
} from '../../../../pipelines/machine-health/produce.js';
import { anchoredStartTs } from '../../../../pipelines/machine-health/produceTimeline.js';
import { runReplayFromCli } from '../../../../pipelines/machine-health/replay.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { closingWatermark } from '../../../../runtime/replay/replayRanges.js';
import { STACK } from '../../localStackSetup.js';
import { readToEnd } from '../../readTopics.js';
import {
  admin,
  type ClickHouseFacts,
  clickhouseFacts,
  embeddedReference,
  endOffsetSum,
  kpiFact,
  OUT_OF_ORDERNESS_MS,
  registrySerdes,
  TICK_MS,
} from './machineHealthOnKafka.js';

/**
 * `twinflow replay` on the real stack: a topic of seeded telemetry is
 * replayed into scratch databases, whole, from offsets and between two
 * times; each time the ClickHouse facts must equal the embedded runtime
 * over exactly the records in range (state starting empty, the last KPI
 * windows closed), and the replay must leave Kafka as it found it.
 */

const ASSETS = 32;
const TICKS = 240;
const PARTITIONS = 4;
const run = randomUUID().slice(0, 8);
const telemetryTopic = `it-replay-telemetry-${run}`;
const productionDatabase = `it_replay_prod_${run}`;
const database = (name: string) => `it_replay_${name}_${run}`;

interface Reading {
  readonly partition: number;
  /** Position within its partition: the offset, on a topic written without transactions. */
  readonly index: number;
  readonly telemetry: Telemetry;
}

let configFile: string;
let readings: Reading[];
/** Messages per partition, poison included. */
let partitionSizes: Map<number, number>;

/** Two messages that are not Avro at the end of the topic: the job would dead-letter them. */
async function appendPoison(): Promise<void> {
  const producer = new KafkaJS.Kafka({
    kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
  }).producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  try {
    await producer.send({
      topic: telemetryTopic,
      messages: [
        { key: 'asset-poison-1', value: Buffer.from('not avro at all') },
        { key: 'asset-poison-2', value: Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 2, 4, 6]) },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}

beforeAll(async () => {
  const produceConfig: ProduceConfig = {
    brokers: [STACK.kafkaBroker],
    registry: STACK.registryUrl,
    topic: telemetryTopic,
    partitions: PARTITIONS,
    assets: ASSETS,
    ticks: TICKS,
    tickS: TICK_MS / 1000,
    rate: 0,
    seed: 42,
    cataloguePath: DEFAULT_CATALOGUE,
    // Ends now: the record timestamp is the event time, and Kafka's retention counts from it.
    startTs: anchoredStartTs(TICKS, TICK_MS, Date.now()),
  };
  const report = await produceMachineHealthTelemetry(produceConfig);
  expect(report.events).toBe(ASSETS * TICKS);
  await appendPoison();
  const serde = registrySerdes().telemetry;
  readings = [];
  partitionSizes = new Map();
  for (const m of await readToEnd([STACK.kafkaBroker], telemetryTopic)) {
    const index = partitionSizes.get(m.partition) ?? 0;
    partitionSizes.set(m.partition, index + 1);
    try {
      readings.push({ partition: m.partition, index, telemetry: (await serde.decode(m.value)).value });
    } catch (error) {
      if (!(error instanceof AvroDecodeError)) throw error;
    }
  }
  expect(readings).toHaveLength(ASSETS * TICKS);

  configFile = join(mkdtempSync(join(tmpdir(), 'it-replay-')), 'job.yaml');
  writeFileSync(
    configFile,
    [
      'job: { name: machine-health, instanceId: it-replay-0 }',
      `kafka: { brokers: ["${STACK.kafkaBroker}"] }`,
      `schemaRegistry: { url: "${STACK.registryUrl}" }`,
      `clickhouse: { url: "${STACK.clickhouseUrl}", database: ${productionDatabase} }`,
      `topics: { input: ${telemetryTopic}, partitions: ${PARTITIONS} }`,
      // Small epochs: the replay crosses many barriers (ClickHouse flushes).
      'epochs: { intervalMs: 1000, maxRecords: 1000 }',
      `pipeline: { assets: ${ASSETS}, tickMs: ${TICK_MS}, outOfOrdernessMs: ${OUT_OF_ORDERNESS_MS} }`,
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  const client = createClient({ url: STACK.clickhouseUrl });
  try {
    for (const name of ['whole', 'half', 'window']) {
      await client.command({ query: `DROP DATABASE IF EXISTS ${database(name)}` });
    }
  } finally {
    await client.close();
  }
});

interface Replayed {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function replay(argv: string[]): Promise<Replayed> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
  const code = await runReplayFromCli(['--config', configFile, ...argv], io);
  return { code, out, err };
}

/**
 * The embedded runtime over `records` (state starting empty) closed with the
 * replay's closing watermark; its facts in the form clickhouseFacts gives them.
 */
async function reference(records: readonly Telemetry[]): Promise<ClickHouseFacts> {
  const r = await embeddedReference(records, ASSETS, { closeAt: (maxTs) => closingWatermark(maxTs, 60_000) });
  return {
    telemetry: r.readings,
    kpis: r.kpis.map((k) => kpiFact(k.assetId, k.start, k.kpi.oee ?? 0, k.kpi.readings, k.late)).sort(),
    commands: r.commands.map((c) => c.commandId).sort(),
    alerts: [...r.alerts].sort(),
  };
}

/** clickhouseFacts with the KPI rows in kpiFact form and the ids unwrapped, to compare with a reference. */
async function factsOf(db: string): Promise<ClickHouseFacts> {
  const facts = await clickhouseFacts(db);
  const field = (rows: string[], name: string) =>
    rows.map((r) => String((JSON.parse(r) as Record<string, unknown>)[name]));
  return {
    telemetry: facts.telemetry,
    kpis: facts.kpis
      .map((r) => {
        const row = JSON.parse(r) as Record<string, unknown>;
        return kpiFact(row.asset_id, row.minute, row.oee, row.readings, row.late);
      })
      .sort(),
    commands: field(facts.commands, 'command_id').sort(),
    alerts: field(facts.alerts, 'alert_id').sort(),
  };
}

/** Named differences first: a plain toEqual of thousands of rows says little. */
function expectSameFacts(actual: ClickHouseFacts, expected: ClickHouseFacts): void {
  const missing = (a: readonly string[], b: readonly string[]) => {
    const other = new Set(b);
    return a.filter((x) => !other.has(x)).slice(0, 5);
  };
  expect({
    telemetry: actual.telemetry,
    kpisMissing: missing(expected.kpis, actual.kpis),
    kpisExtra: missing(actual.kpis, expected.kpis),
    commandsMissing: missing(expected.commands, actual.commands),
    commandsExtra: missing(actual.commands, expected.commands),
    alertsMissing: missing(expected.alerts, actual.alerts),
    alertsExtra: missing(actual.alerts, expected.alerts),
  }).toEqual({
    telemetry: expected.telemetry,
    kpisMissing: [],
    kpisExtra: [],
    commandsMissing: [],
    commandsExtra: [],
    alertsMissing: [],
    alertsExtra: [],
  });
  expect(actual).toEqual(expected);
}

async function eventTimeSpan(db: string): Promise<{ min: number; max: number }> {
  const client = createClient({ url: STACK.clickhouseUrl });
  try {
    const rs = await client.query({
      query: `SELECT toUnixTimestamp64Milli(min(ts)) AS min, toUnixTimestamp64Milli(max(ts)) AS max FROM ${db}.telemetry_enriched_dedup`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ min: string; max: string }>();
    return { min: Number(row!.min), max: Number(row!.max) };
  } finally {
    await client.close();
  }
}

async function groupIds(): Promise<string[]> {
  const a = admin();
  await a.connect();
  try {
    return (await a.listGroups()).groups.map((g) => g.groupId);
  } finally {
    await a.disconnect();
  }
}

async function topicNames(): Promise<string[]> {
  const a = admin();
  await a.connect();
  try {
    return (await a.listTopics()).filter((t) => t.includes(run));
  } finally {
    await a.disconnect();
  }
}

describe('twinflow replay', () => {
  it('replays the whole topic into a scratch database: equal to the embedded runtime, Kafka untouched', async () => {
    const groupsBefore = await groupIds();
    const endsBefore = await endOffsetSum(telemetryTopic);
    const result = await replay(['--database', database('whole'), '--from-beginning']);
    expect(result.code, result.err.join('\n')).toBe(0);

    const expected = await reference(readings.map((r) => r.telemetry));
    expect(expected.commands.length + expected.alerts.length).toBeGreaterThan(0);
    expect(expected.kpis.length).toBeGreaterThanOrEqual(ASSETS * ((TICKS * TICK_MS) / 60_000));
    expectSameFacts(await factsOf(database('whole')), expected);

    expect(result.out[0]).toMatch(/; skipped 2 poison \(the job dead-letters them\)$/);
    expect(result.out[0]).toMatch(
      new RegExp(
        `^replayed ${ASSETS * TICKS} records of ${telemetryTopic} \\(offsets 0:0→\\d+ 1:0→\\d+ 2:0→\\d+ 3:0→\\d+\\)`,
      ),
    );
    expect(result.out).toContain(
      `${expected.commands.length} commands, ${expected.alerts.length} alerts, ${expected.kpis.length} KPI rows`,
    );
    expect(result.out.at(-1)).toBe(
      `  TWINFLOW__CLICKHOUSE__DATABASE=${database('whole')} twinflow sql --config ${configFile} "SELECT action, count() FROM commands_dedup GROUP BY action"`,
    );
    expect(result.err[0]).toBe(
      `replay: from the beginning, ${telemetryTopic} → database ${database('whole')} at ${STACK.clickhouseUrl}`,
    );
    // A what-if: no topic created, nothing appended, no consumer group left behind, the job's database untouched.
    expect(await topicNames()).toEqual([telemetryTopic]);
    expect(await endOffsetSum(telemetryTopic)).toBe(endsBefore);
    expect((await groupIds()).filter((g) => !groupsBefore.includes(g) && g.startsWith('replay-'))).toEqual(
      [],
    );
  }, 180_000);

  it('replays from offsets: the second half of each partition, only later event times, equal to the embedded runtime over it', async () => {
    // Each partition from its first reading of the middle tick (an asset's readings are in order in its partition).
    const middle = [...new Set(readings.map((r) => r.telemetry.ts))].sort((a, b) => a - b)[TICKS / 2]!;
    const half = new Map<number, number>();
    for (const r of readings) {
      if (r.telemetry.ts >= middle && r.index < (half.get(r.partition) ?? Number.POSITIVE_INFINITY)) {
        half.set(r.partition, r.index);
      }
    }
    expect([...half.keys()].sort()).toEqual([...partitionSizes.keys()].sort());
    const offsets = [...half].map(([p, o]) => `${p}:${o}`).join(',');
    const result = await replay(['--database', database('half'), '--from-offsets', offsets]);
    expect(result.code, result.err.join('\n')).toBe(0);

    const later = readings.filter((r) => r.index >= half.get(r.partition)!);
    const earlier = readings.filter((r) => r.index < half.get(r.partition)!);
    expectSameFacts(await factsOf(database('half')), await reference(later.map((r) => r.telemetry)));
    const span = await eventTimeSpan(database('half'));
    expect(span.min).toBeGreaterThan(Math.max(...earlier.map((r) => r.telemetry.ts)));
    expect(span.max).toBe(Math.max(...readings.map((r) => r.telemetry.ts)));
  }, 180_000);

  it('replays between two event times, the end exclusive', async () => {
    const times = [...new Set(readings.map((r) => r.telemetry.ts))].sort((a, b) => a - b);
    const from = times[60]!;
    const until = times[150]!;
    const result = await replay([
      '--database',
      database('window'),
      '--from-time',
      new Date(from).toISOString(),
      '--until-time',
      new Date(until).toISOString(),
    ]);
    expect(result.code, result.err.join('\n')).toBe(0);

    const inRange = readings.filter((r) => r.telemetry.ts >= from && r.telemetry.ts < until);
    expect(inRange).toHaveLength(ASSETS * 90);
    expectSameFacts(await factsOf(database('window')), await reference(inRange.map((r) => r.telemetry)));
    expect(await eventTimeSpan(database('window'))).toEqual({ min: from, max: times[149] });
    expect(result.out[1]).toBe(
      `event time ${new Date(from).toISOString()} → ${new Date(times[149]!).toISOString()}`,
    );
  }, 180_000);

  it('refuses the job’s own database and writes nothing there', async () => {
    await expect(replay(['--database', productionDatabase, '--from-beginning'])).rejects.toThrow(UsageError);
    const client = createClient({ url: STACK.clickhouseUrl });
    try {
      const rs = await client.query({
        query: `EXISTS DATABASE ${productionDatabase}`,
        format: 'JSONEachRow',
      });
      expect(await rs.json<{ result: number }>()).toEqual([{ result: 0 }]);
    } finally {
      await client.close();
    }
  });
});
