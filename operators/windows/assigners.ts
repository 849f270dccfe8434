/**
 * Window assigners, epoch-aligned as Flink's: which windows a record at
 * event time `ts` belongs to. Every window is `[start, start + size)`.
 */

/** Tumbling and sliding windows: a fixed grid of `size`-wide windows every `slide`. */
export interface AlignedWindowAssigner {
  readonly kind: 'aligned';
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
}

/** Session windows: `[ts, ts + gap)`, merged per key when they overlap or touch. */
export interface SessionWindowAssigner {
  readonly kind: 'session';
  readonly gap: number;
}

export type WindowAssigner = AlignedWindowAssigner | SessionWindowAssigner;

function requirePositiveInteger(what: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new RangeError(`${what}: ${name} must be a positive integer of ms, got ${v}`);
}

function requireOffset(what: string, offset: number, period: number): void {
  if (!Number.isSafeInteger(offset) || Math.abs(offset) >= period) {
    throw new RangeError(`${what}: offsetMs must be an integer with |offsetMs| < ${period}, got ${offset}`);
  }
}

/**
 * Fixed-size, non-overlapping windows.
 *
 * @example
 * windowAggregate(tumbling(60_000), stats((t) => t.temperature)) // one window per minute
 */
export function tumbling(sizeMs: number, offsetMs = 0): AlignedWindowAssigner {
  requirePositiveInteger('tumbling', 'sizeMs', sizeMs);
  requireOffset('tumbling', offsetMs, sizeMs);
  return { kind: 'aligned', size: sizeMs, slide: sizeMs, offset: offsetMs };
}

/**
 * Windows of `sizeMs` starting every `slideMs` (hopping windows); a record
 * belongs to about `sizeMs / slideMs` of them.
 *
 * @example
 * windowAggregate(sliding(5 * 60_000, 60_000), mean((t) => t.vibration)) // 5-minute mean every minute
 */
export function sliding(sizeMs: number, slideMs: number, offsetMs = 0): AlignedWindowAssigner {
  requirePositiveInteger('sliding', 'sizeMs', sizeMs);
  requirePositiveInteger('sliding', 'slideMs', slideMs);
  requireOffset('sliding', offsetMs, slideMs);
  return { kind: 'aligned', size: sizeMs, slide: slideMs, offset: offsetMs };
}

/**
 * Activity sessions per key: a session ends after `gapMs` without records.
 *
 * @example
 * windowAggregate(session(10 * 60_000), count()) // runs of a machine separated by 10 minutes of silence
 */
export function session(gapMs: number): SessionWindowAssigner {
  requirePositiveInteger('session', 'gapMs', gapMs);
  return { kind: 'session', gap: gapMs };
}

/** Start of the latest aligned window containing `ts` (Flink's getWindowStartWithOffset). */
export function lastWindowStart(ts: number, assigner: AlignedWindowAssigner): number {
  const slide = assigner.slide;
  const rem = (ts - assigner.offset) % slide;
  return ts - (rem < 0 ? rem + slide : rem);
}
