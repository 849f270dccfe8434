import { describe, expect, it } from 'vitest';
import { planReplay, seekTimestamp, type TopicOffsetLookup } from '../../../../runtime/replay/replayPlan.js';
import type { PartitionMarks } from '../../../../runtime/replay/replayRanges.js';

const TICK = 30_000;
const START = Date.parse('2026-12-04T14:00Z');

/**
 * A topic as twinflow produce writes it: `assets` readings per tick, one
 * asset per partition in turn, each record timestamped with its event time.
 * The lookup answers offsetsForTimes as Kafka does (the first offset at or
 * after the time, the end where there is none) and records what it was asked.
 */
function fakeTopic(partitions: number, assetsPerPartition: number, ticks: number) {
  const timestamps = new Map<number, number[]>();
  for (let p = 0; p < partitions; p++) {
    const log: number[] = [];
    for (let t = 0; t < ticks; t++) for (let a = 0; a < assetsPerPartition; a++) log.push(START + t * TICK);
    timestamps.set(p, log);
  }
  const asked: number[] = [];
  const lookup: TopicOffsetLookup = {
    marks: async (): Promise<PartitionMarks[]> =>
      [...timestamps].map(([partition, log]) => ({ partition, low: 0, end: log.length })),
    atTime: async (_topic, ts) => {
      asked.push(ts);
      const out = new Map<number, number>();
      for (const [partition, log] of timestamps) {
        const at = log.findIndex((stamp) => stamp >= ts);
        out.set(partition, at < 0 ? log.length : at);
      }
      return out;
    },
  };
  return { lookup, asked };
}

describe('seekTimestamp', () => {
  it('is the start less the allowed disorder', () => {
    expect(seekTimestamp(Date.parse('2026-12-04T19:00Z'), 5_000)).toBe(Date.parse('2026-12-04T18:59:55Z'));
  });
});

describe('planReplay', () => {
  it('reads only the last hour of a six-hour topic, plus at most the disorder margin, from a start time', async () => {
    const ticks = 6 * 120;
    const assets = 3;
    const { lookup, asked } = fakeTopic(4, assets, ticks);
    const lastHour = START + (ticks - 120) * TICK;
    const plan = await planReplay(lookup, 'telemetry', { kind: 'time', ts: lastHour }, 5_000);
    expect(asked).toEqual([lastHour - 5_000]);
    expect(plan.seekTs).toBe(lastHour - 5_000);
    const toRead = plan.ranges.reduce((n, r) => n + r.to - r.from, 0);
    // 5 s is less than a tick: exactly the last hour's 120 ticks per asset.
    expect(toRead).toBe(4 * assets * 120);
    expect(plan.ranges).toEqual(
      [0, 1, 2, 3].map((partition) => ({
        partition,
        from: (ticks - 120) * assets,
        to: ticks * assets,
      })),
    );
    expect(plan.notes[0]).toBe(
      'seeking each partition to its first record timestamped at or after 2026-12-04T18:59:55.000Z ' +
        '(the start less the allowed disorder, 5000 ms)',
    );
  });

  it('reads the ticks within the disorder before the start as well, no more', async () => {
    const { lookup } = fakeTopic(2, 1, 240);
    const from = START + 120 * TICK;
    const plan = await planReplay(lookup, 'telemetry', { kind: 'time', ts: from }, 65_000);
    // 65 s before the start takes in the readings at −30 s and −60 s; the one at −90 s stays unread.
    expect(plan.ranges.map((r) => r.from)).toEqual([118, 118]);
  });

  it('asks no offsets by time for a replay from the beginning or from offsets', async () => {
    const { lookup, asked } = fakeTopic(2, 1, 10);
    const whole = await planReplay(lookup, 'telemetry', { kind: 'beginning' }, 5_000);
    expect(whole.ranges).toEqual([
      { partition: 0, from: 0, to: 10 },
      { partition: 1, from: 0, to: 10 },
    ]);
    expect(whole.seekTs).toBeUndefined();
    await planReplay(lookup, 'telemetry', { kind: 'offsets', offsets: new Map([[0, 4]]) }, 5_000);
    expect(asked).toEqual([]);
  });

  it('reads nothing from a start after the newest record', async () => {
    const { lookup } = fakeTopic(2, 1, 10);
    const plan = await planReplay(lookup, 'telemetry', { kind: 'time', ts: START + 3_600_000 }, 5_000);
    expect(plan.ranges).toEqual([
      { partition: 0, from: 10, to: 10 },
      { partition: 1, from: 10, to: 10 },
    ]);
  });
});
