import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetsAtTime } from '../../../../connectors/kafka/partitionRangeReader.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  type ProduceConfig,
  produceMachineHealthTelemetry,
} from '../../../../pipelines/machine-health/produce.js';
import { anchoredStartTs } from '../../../../pipelines/machine-health/produceTimeline.js';
import { runReplayFromCli } from '../../../../pipelines/machine-health/replay.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { STACK } from '../../localStackSetup.js';
import { readToEnd } from '../../readTopics.js';
import { admin, OUT_OF_ORDERNESS_MS, registrySerdes, TICK_MS } from './machineHealthOnKafka.js';

/**
 * `twinflow replay --from-time` on the real stack reads only what it needs:
 * six simulated hours are produced (anchored to end now, each record
 * timestamped with its event time), and a replay of the last hour must read
 * about an hour of the topic (the last hour's readings, plus at most the
 * readings within the out-of-orderness before it), not the whole topic.
 */

const ASSETS = 16;
const READINGS_PER_HOUR = 3_600_000 / TICK_MS;
const TICKS = 6 * READINGS_PER_HOUR;
const PARTITIONS = 4;
const run = randomUUID().slice(0, 8);
const telemetryTopic = `it-replay-time-telemetry-${run}`;
const database = `it_replay_time_${run}`;

interface Reading {
  readonly partition: number;
  /** Position within its partition: the offset, on a topic written without transactions. */
  readonly index: number;
  readonly ts: number;
}

let configFile: string;
let readings: Reading[];
/** Messages per partition. */
let sizes: Map<number, number>;

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
    startTs: anchoredStartTs(TICKS, TICK_MS, Date.now()),
  };
  const report = await produceMachineHealthTelemetry(produceConfig);
  expect(report.events).toBe(ASSETS * TICKS);
  const serde = registrySerdes().telemetry;
  // Every partition, an empty one included (16 assets need not hash to all 4): offsetsForTimes answers its end, 0.
  sizes = new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, 0] as const));
  readings = [];
  for (const m of await readToEnd([STACK.kafkaBroker], telemetryTopic)) {
    const index = sizes.get(m.partition) ?? 0;
    sizes.set(m.partition, index + 1);
    readings.push({ partition: m.partition, index, ts: (await serde.decode(m.value)).value.ts });
  }
  // Retention kept the whole run: its record timestamps are recent.
  expect(readings).toHaveLength(ASSETS * TICKS);

  configFile = join(mkdtempSync(join(tmpdir(), 'it-replay-time-')), 'job.yaml');
  writeFileSync(
    configFile,
    [
      'job: { name: machine-health, instanceId: it-replay-time-0 }',
      `kafka: { brokers: ["${STACK.kafkaBroker}"] }`,
      `schemaRegistry: { url: "${STACK.registryUrl}" }`,
      `clickhouse: { url: "${STACK.clickhouseUrl}", database: it_replay_time_prod_${run} }`,
      `topics: { input: ${telemetryTopic}, partitions: ${PARTITIONS} }`,
      'epochs: { intervalMs: 1000, maxRecords: 1000 }',
      `pipeline: { assets: ${ASSETS}, tickMs: ${TICK_MS}, outOfOrdernessMs: ${OUT_OF_ORDERNESS_MS} }`,
    ].join('\n'),
  );
}, 180_000);

afterAll(async () => {
  const client = createClient({ url: STACK.clickhouseUrl });
  try {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  } finally {
    await client.close();
  }
  const a = admin();
  await a.connect();
  try {
    await a.deleteTopics({ topics: [telemetryTopic] });
  } catch {
    // Best effort: a topic left behind has a unique name and harms no other test.
  } finally {
    await a.disconnect();
  }
});

/**
 * Per partition, the offset of its first reading with an event time at or
 * after `ts`; its end where it has none (what offsetsForTimes answers then).
 */
function firstIndexAtOrAfter(ts: number): Map<number, number> {
  const first = new Map(sizes);
  for (const r of readings) {
    if (r.ts >= ts && r.index < first.get(r.partition)!) first.set(r.partition, r.index);
  }
  return first;
}

describe('twinflow replay --from-time', () => {
  it('stamps every record with its event time: offsetsForTimes finds the first reading of a time', async () => {
    const times = [...new Set(readings.map((r) => r.ts))].sort((a, b) => a - b);
    for (const at of [times[0]!, times[TICKS / 2]!, times[TICKS - 1]!]) {
      const found = await offsetsAtTime({ brokers: [STACK.kafkaBroker] }, telemetryTopic, at);
      expect(new Map([...found].sort(([a], [b]) => a - b))).toEqual(
        new Map([...firstIndexAtOrAfter(at)].sort(([a], [b]) => a - b)),
      );
    }
  });

  it('replays the last hour of six reading about an hour of the topic, not all of it', async () => {
    const times = [...new Set(readings.map((r) => r.ts))].sort((a, b) => a - b);
    expect(times).toHaveLength(TICKS);
    const from = times[TICKS - READINGS_PER_HOUR]!;
    const out: string[] = [];
    const err: string[] = [];
    const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
    const code = await runReplayFromCli(
      ['--config', configFile, '--database', database, '--from-time', new Date(from).toISOString()],
      io,
    );
    expect(code, err.join('\n')).toBe(0);

    const lastHour = ASSETS * READINGS_PER_HOUR;
    // The readings the seek may take in before the start: those within the out-of-orderness.
    const margin = ASSETS * Math.ceil(OUT_OF_ORDERNESS_MS / TICK_MS);
    const summary = /^replayed (\d+) records of \S+ \(offsets ([^)]*)\) .*; read (\d+) messages/.exec(
      out[0]!,
    );
    expect(summary, out[0]).not.toBeNull();
    const [, records, ranges, read] = summary!;
    expect(Number(records)).toBe(lastHour);
    expect(Number(read)).toBeGreaterThanOrEqual(lastHour);
    expect(Number(read)).toBeLessThanOrEqual(lastHour + margin);
    expect(Number(read)).toBeLessThan(readings.length / 5);
    // The ranges planned are what was read: each partition from its seek offset to its end.
    const planned = ranges!.split(' ').map((range) => {
      const [partition, span] = range.split(':');
      const [a, b] = span!.split('→').map(Number);
      return { partition: Number(partition), from: a!, to: b! };
    });
    expect(planned.reduce((n, r) => n + r.to - r.from, 0)).toBe(Number(read));
    const seekFrom = firstIndexAtOrAfter(from - OUT_OF_ORDERNESS_MS);
    for (const r of planned) expect(r.from).toBe(seekFrom.get(r.partition));
    expect(err).toContain(
      `replay: seeking each partition to its first record timestamped at or after ${new Date(from - OUT_OF_ORDERNESS_MS).toISOString()} ` +
        `(the start less the allowed disorder, ${OUT_OF_ORDERNESS_MS} ms)`,
    );

    const client = createClient({ url: STACK.clickhouseUrl });
    try {
      const rs = await client.query({
        query:
          'SELECT count() AS n, toUnixTimestamp64Milli(min(ts)) AS min, toUnixTimestamp64Milli(max(ts)) AS max ' +
          `FROM ${database}.telemetry_enriched_dedup`,
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ n: string; min: string; max: string }>();
      expect({ n: Number(row!.n), min: Number(row!.min), max: Number(row!.max) }).toEqual({
        n: lastHour,
        min: from,
        max: times[TICKS - 1],
      });
    } finally {
      await client.close();
    }
  }, 180_000);
});
