/**
 * How a source derives watermarks from the event times it sees (Flink's
 * WatermarkStrategy): one generator per input or partition.
 */
export interface WatermarkStrategy {
  /** A partition with no records for this long (processing time) stops holding back the combined watermark. */
  readonly idleTimeoutMs?: number;
  createGenerator(): WatermarkGenerator;
}

export interface WatermarkGenerator {
  /** Notes a record's event time. */
  onEvent(ts: number): void;
  /** The watermark the events so far allow (−Infinity before the first). */
  current(): number;
}

/**
 * Watermark = highest event time seen − `maxOutOfOrdernessMs` − 1: records
 * may arrive up to that much behind the newest one without being late.
 *
 * @example
 * withEventTime((t) => t.ts, boundedOutOfOrderness(5_000, { idleTimeoutMs: 60_000 }))
 */
export function boundedOutOfOrderness(
  maxOutOfOrdernessMs: number,
  options: { idleTimeoutMs?: number } = {},
): WatermarkStrategy {
  if (!Number.isFinite(maxOutOfOrdernessMs) || maxOutOfOrdernessMs < 0) {
    throw new RangeError(
      `boundedOutOfOrderness: maxOutOfOrdernessMs must be >= 0, got ${maxOutOfOrdernessMs}`,
    );
  }
  const idle = options.idleTimeoutMs;
  if (idle !== undefined && !(idle > 0)) {
    throw new RangeError(`boundedOutOfOrderness: idleTimeoutMs must be > 0, got ${idle}`);
  }
  const lag = maxOutOfOrdernessMs + 1;
  return {
    idleTimeoutMs: idle,
    createGenerator() {
      let maxTs = Number.NEGATIVE_INFINITY;
      return {
        onEvent(ts) {
          if (ts > maxTs) maxTs = ts;
        },
        current: () => maxTs - lag,
      };
    },
  };
}
