import { UsageError } from '../cli/flags.js';

/**
 * Where a replay starts reading its input topic.
 *
 * @example
 * const start: ReplayStart = { kind: 'offsets', offsets: new Map([[0, 120], [1, 98]]) };
 */
export type ReplayStart =
  | { readonly kind: 'beginning' }
  | { readonly kind: 'time'; readonly ts: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, number> };

/**
 * A partition's offsets when the replay starts: `low` the first one still
 * in the log, `end` the read_committed end (the next offset to be written).
 *
 * @example
 * const marks: PartitionMarks = { partition: 0, low: 0, end: 2_400 };
 */
export interface PartitionMarks {
  readonly partition: number;
  readonly low: number;
  readonly end: number;
}

/**
 * The offsets of one partition a replay reads: `from` inclusive, `to`
 * exclusive (empty when equal).
 *
 * @example
 * const range: ReplayRange = { partition: 0, from: 1_200, to: 2_400 };
 */
export interface ReplayRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The ranges a replay reads, from the topic's offsets at its start: each
 * partition up to its end then, from where `start` says. `byTime` is, for
 * --from-time, each partition's first offset timestamped at or after the
 * time (a partition missing from it has none: nothing to read). Starts
 * below a partition's first offset (removed by retention) move up to it,
 * with a note. Throws UsageError when --from-offsets names a partition the
 * topic does not have.
 *
 * @example
 * replayRanges('telemetry', { kind: 'beginning' }, [{ partition: 0, low: 0, end: 10 }]);
 * // { ranges: [{ partition: 0, from: 0, to: 10 }], notes: [] }
 */
export function replayRanges(
  topic: string,
  start: ReplayStart,
  marks: readonly PartitionMarks[],
  byTime: ReadonlyMap<number, number> = new Map(),
): { ranges: ReplayRange[]; notes: string[] } {
  const sorted = [...marks].sort((a, b) => a.partition - b.partition);
  const notes: string[] = [];
  if (start.kind === 'offsets') {
    const known = new Set(sorted.map((m) => m.partition));
    const unknown = [...start.offsets.keys()].filter((p) => !known.has(p));
    if (unknown.length > 0) {
      throw new UsageError(
        `replay: --from-offsets names partition ${unknown.join(', ')}, but topic ${topic} has partitions ${describePartitions(sorted)}`,
      );
    }
    const unnamed = sorted.filter((m) => !start.offsets.has(m.partition)).map((m) => m.partition);
    if (unnamed.length > 0) {
      notes.push(`partition ${unnamed.join(', ')} not named in --from-offsets: not read`);
    }
  }
  const ranges: ReplayRange[] = [];
  for (const { partition, low, end } of sorted) {
    let from: number;
    if (start.kind === 'beginning') from = low;
    else if (start.kind === 'time') from = byTime.get(partition) ?? end;
    else {
      const asked = start.offsets.get(partition);
      if (asked === undefined) continue;
      from = asked;
      if (asked < low) {
        notes.push(`partition ${partition}: offset ${asked} is gone (retention); starting at ${low}`);
      } else if (asked > end) {
        notes.push(`partition ${partition}: offset ${asked} is past the end (${end}); nothing to read`);
      }
    }
    ranges.push({ partition, from: Math.min(Math.max(from, low), end), to: end });
  }
  return { ranges, notes };
}

function describePartitions(marks: readonly PartitionMarks[]): string {
  if (marks.length === 0) return 'none';
  const ids = marks.map((m) => m.partition);
  const contiguous = ids.every((p, i) => p === ids[0]! + i);
  return contiguous && ids.length > 2 ? `${ids[0]}-${ids[ids.length - 1]}` : ids.join(', ');
}

/**
 * The watermark that closes every tumbling window holding a record up to
 * `maxTs` (a window fires at its end − 1), and no later: a watermark at
 * +Infinity would also fire every asset's silence timer, and the twin
 * would answer the end of the replay with DATA_STALE alerts and fail-safe
 * commands that the plant never caused.
 *
 * @example
 * closingWatermark(90_000, 60_000); // 119_999: the window [60 000, 120 000) fires
 */
export function closingWatermark(maxTs: number, windowMs: number): number {
  return Math.floor(maxTs / windowMs) * windowMs + windowMs - 1;
}
