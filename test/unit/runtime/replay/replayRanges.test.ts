import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../runtime/cli/flags.js';
import {
  closingWatermark,
  type PartitionMarks,
  replayRanges,
} from '../../../../runtime/replay/replayRanges.js';

describe('replayRanges', () => {
  const marks: PartitionMarks[] = [
    { partition: 2, low: 0, end: 50 },
    { partition: 0, low: 10, end: 100 },
    { partition: 1, low: 0, end: 0 },
  ];

  it('reads every partition from its first offset to its end, in partition order', () => {
    expect(replayRanges('t', { kind: 'beginning' }, marks)).toEqual({
      ranges: [
        { partition: 0, from: 10, to: 100 },
        { partition: 1, from: 0, to: 0 },
        { partition: 2, from: 0, to: 50 },
      ],
      notes: [],
    });
  });

  it('starts each partition at its offset for the time; one without reads nothing', () => {
    const byTime = new Map([
      [0, 60],
      [2, 50],
    ]);
    expect(replayRanges('t', { kind: 'time', ts: 0 }, marks, byTime).ranges).toEqual([
      { partition: 0, from: 60, to: 100 },
      { partition: 1, from: 0, to: 0 },
      { partition: 2, from: 50, to: 50 },
    ]);
  });

  it('reads only the partitions --from-offsets names, moving starts into the log, with notes', () => {
    const offsets = new Map([
      [0, 3],
      [2, 70],
    ]);
    expect(replayRanges('t', { kind: 'offsets', offsets }, marks)).toEqual({
      ranges: [
        { partition: 0, from: 10, to: 100 },
        { partition: 2, from: 50, to: 50 },
      ],
      notes: [
        'partition 1 not named in --from-offsets: not read',
        'partition 0: offset 3 is gone (retention); starting at 10',
        'partition 2: offset 70 is past the end (50); nothing to read',
      ],
    });
  });

  it('refuses --from-offsets naming a partition the topic does not have', () => {
    expect(() =>
      replayRanges('telemetry', { kind: 'offsets', offsets: new Map([[5, 0]]) }, [
        ...marks,
        { partition: 3, low: 0, end: 1 },
      ]),
    ).toThrow(
      new UsageError('replay: --from-offsets names partition 5, but topic telemetry has partitions 0-3'),
    );
  });
});

describe('closingWatermark', () => {
  it('fires the window holding the last reading and no later one', () => {
    expect(closingWatermark(90_000, 60_000)).toBe(119_999);
    expect(closingWatermark(60_000, 60_000)).toBe(119_999);
    expect(closingWatermark(59_999, 60_000)).toBe(59_999);
  });
});
