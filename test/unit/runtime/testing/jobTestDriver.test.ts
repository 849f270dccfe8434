import { describe, expect, it } from 'vitest';
import { tableOutput } from '../../../../connectors/clickhouse/clickhouseOutputs.js';
import { keyBy } from '../../../../operators/core/keyBy.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import { sum } from '../../../../operators/windows/aggregators/sum.js';
import { tumbling } from '../../../../operators/windows/assigners.js';
import { type WindowResult, windowAggregate } from '../../../../operators/windows/windowAggregate.js';
import { lateTo, type StreamingJob } from '../../../../runtime/job/streamingJob.js';
import { JobTestDriver } from '../../../../runtime/testing/jobTestDriver.js';

interface Reading {
  readonly pumpId: string;
  readonly ts: number;
  readonly kwh: number;
}

/** Energy per pump and minute; a Kafka alert above 10 kWh; a table of windows and one of each pump's latest. */
const pumpEnergy: StreamingJob<Reading, WindowResult<number>> = {
  input: {
    schema: {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'pumpId', type: 'string' },
        { name: 'ts', type: 'long' },
        { name: 'kwh', type: 'double' },
      ],
    },
    eventTime: (r) => r.ts,
    watermarks: boundedOutOfOrderness(0),
    check: (r) => (Number.isFinite(r.kwh) ? undefined : `kwh: ${r.kwh} is not a number`),
  },
  graph: (input$, snapshots, context) =>
    input$.pipe(
      keyBy((r) => r.pumpId),
      windowAggregate(
        tumbling(60_000),
        sum((r: Reading) => r.kwh),
        { id: 'kwh', snapshots, lateOutput: lateTo(context, 'kwh') },
      ),
    ),
  kafkaOutputs: [
    {
      name: 'alerts',
      topic: 'pump-alerts',
      schema: { type: 'record', name: 'Alert', fields: [{ name: 'pump', type: 'string' }] },
      messages: (w) => (w.value > 10 ? [{ key: w.key, value: { pump: w.key } }] : []),
    },
  ],
  clickhouseTables: [
    tableOutput<WindowResult<number>, { pump: string; minute: number; kwh: number; epoch: number }>({
      name: 'kwh',
      table: 'pump_kwh',
      idOf: (r) => `${r.pump}@${r.minute}`,
      rowOf: (w, epoch) => ({ pump: w.key, minute: w.start, kwh: w.value, epoch }),
    }),
    tableOutput<WindowResult<number>, { pump: string; minute: number }>({
      name: 'latest',
      table: 'pump_latest',
      idOf: (r) => `${r.pump}@${r.minute}`,
      latestPerEpochBy: (r) => r.pump,
      rowOf: (w) => ({ pump: w.key, minute: w.start }),
    }),
  ],
};

const readings = (minute: number): Reading[] => [
  { pumpId: 'p1', ts: minute * 60_000 + 1_000, kwh: 4 },
  { pumpId: 'p2', ts: minute * 60_000 + 2_000, kwh: 9 },
  { pumpId: 'p2', ts: minute * 60_000 + 3_000, kwh: 3 },
];

describe('JobTestDriver', () => {
  it('fires windows at the watermark and shows each named output: Kafka messages and table rows', async () => {
    const driver = new JobTestDriver(pumpEnergy);
    await driver.pipeAll([...readings(0), ...readings(1)]);
    expect(driver.outputs()).toEqual([]);
    await driver.advanceWatermark(60_000);
    expect(driver.outputs().map((w) => `${w.key}@${w.start}=${w.value}`)).toEqual(['p1@0=4', 'p2@0=12']);
    expect(driver.kafka('alerts')).toEqual([{ key: 'p2', value: { pump: 'p2' } }]);
    expect(driver.table('kwh')).toEqual([
      { pump: 'p1', minute: 0, kwh: 4, epoch: 1 },
      { pump: 'p2', minute: 0, kwh: 12, epoch: 1 },
    ]);
    // A latest-per-epoch table is written at the barrier, as the ClickHouse sinks write it.
    expect(driver.table('latest')).toEqual([]);
    await driver.advanceWatermark(120_000);
    expect(await driver.barrier()).toBe(1);
    expect(driver.table('latest')).toEqual([
      { pump: 'p1', minute: 60_000 },
      { pump: 'p2', minute: 60_000 },
    ]);
    expect(driver.watermark()).toBe(120_000);
    driver.close();
  });

  it('keeps the late side output: a record too late for its window, with the operator that refused it', async () => {
    const driver = new JobTestDriver(pumpEnergy);
    await driver.pipe({ pumpId: 'p1', ts: 1_000, kwh: 4 });
    await driver.advanceWatermark(60_000);
    await driver.pipe({ pumpId: 'p1', ts: 30_000, kwh: 7 });
    await driver.advanceWatermark(120_000);
    expect(driver.late()).toEqual([
      { operator: 'kwh', value: { pumpId: 'p1', ts: 30_000, kwh: 7 }, ts: 30_000 },
    ]);
    // Not counted into the window that already fired, and not a dead letter: a late record is valid input.
    expect(driver.outputs().map((w) => `${w.key}@${w.start}=${w.value}`)).toEqual(['p1@0=4']);
    expect(driver.deadLetters()).toEqual([]);
    driver.close();
  });

  it('dead-letters what the source would: a value the contract refuses, bytes that do not decode', async () => {
    const driver = new JobTestDriver(pumpEnergy);
    await driver.pipe({ pumpId: 'p1', ts: 1_000, kwh: Number.NaN });
    await driver.pipeBytes(await driver.encode({ pumpId: 'p1', ts: 2_000, kwh: 5 }));
    await driver.pipeBytes(Uint8Array.from([0, 0, 0]));
    await driver.advanceWatermark(60_000);
    expect(driver.deadLetters().map((d) => `${d.reason}: ${d.message.split('\n')[0]}`)).toEqual([
      'invalid-value: kwh: NaN is not a number',
      expect.stringMatching(/^undecodable: /),
    ]);
    expect(driver.outputs()).toEqual([expect.objectContaining({ key: 'p1', value: 5 })]);
    expect(() => driver.kafka('commands')).toThrow('the job has no Kafka output "commands"; it has alerts');
  });

  it('restarts from the last completed barrier like a crashed job: the same windows as an uninterrupted run', async () => {
    const uninterrupted = new JobTestDriver(pumpEnergy);
    await uninterrupted.pipeAll([...readings(0), ...readings(1)]);
    await uninterrupted.advanceWatermark(120_000);

    const crashed = new JobTestDriver(pumpEnergy);
    await crashed.pipeAll(readings(0));
    await crashed.barrier();
    await crashed.pipeAll(readings(1).slice(0, 1));
    // The crash loses what came after barrier 1; the source replays it from the committed offsets.
    crashed.restart();
    await crashed.pipeAll(readings(1));
    await crashed.advanceWatermark(120_000);
    expect(crashed.outputs()).toEqual(uninterrupted.outputs());
  });
});
