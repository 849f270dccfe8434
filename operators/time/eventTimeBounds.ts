/**
 * How far a record's event time may stray before it is refused rather than
 * processed. One bad clock must neither push the watermark ahead (a sensor
 * stamping the year 2100 would make every later record late) nor drag
 * windows into the distant past. `maxAheadMs` bounds event time against
 * processing time (the clock of the machine reading the record);
 * `maxBehindMs` bounds it against the watermark its own partition had
 * reached, so a replay of old data, whose event times are old but ordered,
 * passes.
 *
 * @example
 * const bounds: EventTimeBounds = { maxAheadMs: 3_600_000, maxBehindMs: 86_400_000 };
 */
export interface EventTimeBounds {
  readonly maxAheadMs: number;
  readonly maxBehindMs: number;
}

/**
 * The defaults: one hour ahead of processing time (clock skew of devices and
 * gateways), one day behind the partition's watermark (a gateway's buffer
 * flushed after an outage).
 *
 * @example
 * DEFAULT_EVENT_TIME_BOUNDS.maxAheadMs; // 3600000
 */
export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = { maxAheadMs: 3_600_000, maxBehindMs: 86_400_000 };

/** Which bound a refused event time broke. */
export type EventTimeBound = 'ahead' | 'behind';

/**
 * Why an event time is out of bounds (which bound, and a message with the
 * figures), or undefined when it is within them. A partition with no
 * watermark yet (−Infinity) has no history to be behind.
 *
 * @example
 * eventTimeOutOfBounds(Date.UTC(2100, 0, 1), Date.now(), -Infinity, DEFAULT_EVENT_TIME_BOUNDS);
 * // { bound: 'ahead', message: 'event time 2100-01-01T00:00:00.000Z is 73 years ahead of processing time …' }
 */
export function eventTimeOutOfBounds(
  ts: number,
  nowMs: number,
  partitionWatermark: number,
  bounds: EventTimeBounds,
): { readonly bound: EventTimeBound; readonly message: string } | undefined {
  if (ts > nowMs + bounds.maxAheadMs) {
    return {
      bound: 'ahead',
      message: `event time ${iso(ts)} is ${span(ts - nowMs)} ahead of processing time ${iso(nowMs)} (at most ${span(bounds.maxAheadMs)})`,
    };
  }
  if (Number.isFinite(partitionWatermark) && ts < partitionWatermark - bounds.maxBehindMs) {
    return {
      bound: 'behind',
      message: `event time ${iso(ts)} is ${span(partitionWatermark - ts)} behind its partition's watermark ${iso(partitionWatermark)} (at most ${span(bounds.maxBehindMs)})`,
    };
  }
  return undefined;
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

function span(ms: number): string {
  const units: [number, string][] = [
    [365.25 * 86_400_000, 'years'],
    [86_400_000, 'days'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, name] of units) if (ms >= size) return `${Math.floor(ms / size)} ${name}`;
  return `${ms} ms`;
}
