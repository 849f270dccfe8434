import { describe, expect, it } from 'vitest';
import { keyBy } from '../../../../operators/core/keyBy.js';
import { mapRecords } from '../../../../operators/core/mapRecords.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import { count } from '../../../../operators/windows/aggregators/count.js';
import { tumbling } from '../../../../operators/windows/assigners.js';
import { windowAggregate } from '../../../../operators/windows/windowAggregate.js';
import { type ClosedLoopSource, runEmbedded } from '../../../../runtime/embedded/runEmbedded.js';
import { lateTo, type StreamingJob } from '../../../../runtime/job/streamingJob.js';

interface Reading {
  readonly room: string;
  readonly ts: number;
  readonly celsius: number;
}

interface Decision {
  readonly room: string;
  readonly ts: number;
  readonly heat: boolean;
}

/** A thermostat: heat on below 20 °C. Its only Kafka output is the decisions to heat. */
const thermostat: StreamingJob<Reading, Decision> = {
  input: {
    schema: {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'room', type: 'string' },
        { name: 'ts', type: 'long' },
        { name: 'celsius', type: 'double' },
      ],
    },
    eventTime: (r) => r.ts,
    watermarks: boundedOutOfOrderness(0),
    check: (r) => (Number.isFinite(r.celsius) ? undefined : `celsius: ${r.celsius} is not a number`),
  },
  graph: (input$) =>
    input$.pipe(mapRecords((r: Reading) => ({ room: r.room, ts: r.ts, heat: r.celsius < 20 }))),
  kafkaOutputs: [
    {
      name: 'heating',
      topic: 'heating',
      schema: { type: 'string' },
      messages: (d) => (d.heat ? [{ key: d.room, value: d.room }] : []),
    },
  ],
};

/** A room that cools by 1 °C a tick and warms by 3 °C in a tick the thermostat said heat; one NaN reading at tick 5. */
function room(ticks: number): ClosedLoopSource<Reading, Decision> & { readonly seen: number[] } {
  let tick = 0;
  let celsius = 22;
  const seen: number[] = [];
  return {
    seen,
    step: () => {
      if (tick >= ticks) return undefined;
      tick++;
      seen.push(celsius);
      return [{ room: 'r1', ts: tick * 1_000, celsius: tick === 5 ? Number.NaN : celsius }];
    },
    apply: (outputs) => {
      celsius += outputs.some((d) => d.heat) ? 3 : -1;
    },
  };
}

describe('runEmbedded', () => {
  it("closes the loop: each tick's outputs reach the source before the next tick", async () => {
    const source = room(12);
    const result = await runEmbedded(thermostat, { source });
    // 22 → 21 → 20 → 19 (heat) → 22 → …: ticks 4, 8 and 12 heat. The NaN at tick 5 decides nothing, so the room cools.
    expect(source.seen).toEqual([22, 21, 20, 19, 22, 21, 20, 19, 22, 21, 20, 19]);
    expect(result.ticks).toBe(12);
    expect(result.records).toBe(12);
    expect(result.kafkaMessages).toEqual({ heating: 3 });
    expect(result.lastTs).toBe(12_000);
  });

  it('dead-letters a value the input contract refuses and goes on', async () => {
    const result = await runEmbedded(thermostat, { source: room(8) });
    expect(result.deadLetters).toEqual([
      {
        reason: 'invalid-value',
        message: 'celsius: NaN is not a number',
        value: { room: 'r1', ts: 5_000, celsius: Number.NaN },
      },
    ]);
  });

  it('flushes the sinks once per epoch and at the end, with outputs that do not depend on the epoch size', async () => {
    const run = async (epochTicks: number) => {
      const written: Decision[] = [];
      const flushed: number[] = [];
      await runEmbedded(thermostat, {
        source: room(10),
        epochTicks,
        sinks: { write: (d) => void written.push(d), flush: async (epoch) => void flushed.push(epoch) },
      });
      return { written, flushed };
    };
    const a = await run(3);
    const b = await run(100);
    expect(a.flushed).toEqual([1, 2, 3, 4]);
    expect(b.flushed).toEqual([1]);
    expect(a.written).toEqual(b.written);
    expect(a.written).toHaveLength(9);
  });

  it('stops after maxTicks and reports progress', async () => {
    const progress: number[] = [];
    const result = await runEmbedded(thermostat, {
      source: room(100),
      maxTicks: 6,
      progressEvery: 2,
      onProgress: (p) => progress.push(p.tick),
    });
    expect(result.ticks).toBe(6);
    expect(progress).toEqual([2, 4, 6]);
  });

  it('counts the late side output per operator', async () => {
    const perMinute: StreamingJob<Reading, number> = {
      input: thermostat.input,
      graph: (input$, snapshots, context) =>
        input$.pipe(
          keyBy((r) => r.room),
          windowAggregate(tumbling(60_000), count(), {
            id: 'readings',
            snapshots,
            lateOutput: lateTo(context, 'readings'),
          }),
          mapRecords((w) => w.value),
        ),
    };
    // Tick 3 carries a reading from minute 0, after the watermark has passed minute 1.
    const ticks = [
      [{ room: 'r1', ts: 1_000, celsius: 20 }],
      [{ room: 'r1', ts: 121_000, celsius: 20 }],
      [{ room: 'r1', ts: 2_000, celsius: 20 }],
    ];
    const result = await runEmbedded(perMinute, { source: { step: () => ticks.shift() } });
    expect(result.late).toEqual({ readings: 1 });
  });

  it('fails with the graph', async () => {
    const broken: StreamingJob<Reading, Decision> = {
      ...thermostat,
      graph: (input$) =>
        input$.pipe(
          mapRecords((r: Reading): Decision => {
            if (r.ts === 3_000) throw new Error('model exploded at 3 s');
            return { room: r.room, ts: r.ts, heat: false };
          }),
        ),
    };
    await expect(runEmbedded(broken, { source: room(10) })).rejects.toThrow('model exploded at 3 s');
  });
});
