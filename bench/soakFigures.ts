/**
 * The soak's figures from its sample series, pure: the least-squares slope
 * of memory after warm-up, and how long consumer lag took to come back
 * after a fault. Kept apart from the run so they are tested without a stack.
 */

/**
 * The slope of the least-squares line through `points` (y per unit of x);
 * null for fewer than two points or when every x is the same (no line).
 *
 * @example
 * leastSquaresSlope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]); // 2
 */
export function leastSquaresSlope(
  points: readonly { readonly x: number; readonly y: number }[],
): number | null {
  if (points.length < 2) return null;
  let sumX = 0;
  let sumY = 0;
  for (const p of points) {
    sumX += p.x;
    sumY += p.y;
  }
  const meanX = sumX / points.length;
  const meanY = sumY / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/**
 * One reading of the job's memory: ms from the start of production, which
 * job process it came from (0 the first, one more per restart), MB.
 *
 * @example
 * const sample: MemorySample = { atMs: 65_000, process: 0, heapUsedMB: 88.2, rssMB: 310.5 };
 */
export interface MemorySample {
  readonly atMs: number;
  readonly process: number;
  readonly heapUsedMB: number;
  readonly rssMB: number;
}

/**
 * The samples memory is judged on: those of the last job process (a
 * restarted process starts its heap afresh, so a series across processes
 * would show the restart, not a trend), after that process's warm-up
 * (`warmupMs` from the start of production, or from its first sample when
 * it started later), up to `untilMs` (the end of production: a job with no
 * input left is not under load).
 *
 * @example
 * memoryWindow(samples, 240_000, 1_200_000); // the last process's samples from 4 min to 20 min
 */
export function memoryWindow(
  samples: readonly MemorySample[],
  warmupMs: number,
  untilMs: number,
): MemorySample[] {
  if (samples.length === 0) return [];
  const last = samples[samples.length - 1].process;
  const own = samples.filter((s) => s.process === last);
  const from = Math.max(0, own[0].atMs) + warmupMs;
  return own.filter((s) => s.atMs >= from && s.atMs <= untilMs);
}

/**
 * Memory is flat when the growth the least-squares line predicts over the
 * measured window is at most this share of the mean level: a scale-free
 * bound (as bench/heapFlat's ratio is), because heap read without a forced
 * collection swings by tens of MB between collections.
 */
export const FLAT_GROWTH_SHARE = 0.1;

/**
 * A memory series after warm-up, summarised.
 *
 * @example
 * const trend: MemoryTrend = memoryTrend([{ atMs: 0, mb: 100 }, { atMs: 3_600_000, mb: 101 }]);
 * trend.slopeMBPerHour; // 1
 */
export interface MemoryTrend {
  readonly samples: number;
  readonly fromS: number | null;
  readonly toS: number | null;
  readonly firstMB: number | null;
  readonly lastMB: number | null;
  readonly maxMB: number | null;
  readonly meanMB: number | null;
  readonly slopeMBPerHour: number | null;
  /** slope × the window's length. */
  readonly growthOverWindowMB: number | null;
  /** growthOverWindowMB ≤ FLAT_GROWTH_SHARE × meanMB; null with too few samples to say. */
  readonly flat: boolean | null;
}

/**
 * The least-squares slope of `points` in MB per hour, with first, last,
 * max and mean, and whether the series is flat ({@link FLAT_GROWTH_SHARE}).
 *
 * @example
 * memoryTrend([{ atMs: 0, mb: 100 }, { atMs: 1_800_000, mb: 100.5 }, { atMs: 3_600_000, mb: 101 }]).flat; // true
 */
export function memoryTrend(points: readonly { readonly atMs: number; readonly mb: number }[]): MemoryTrend {
  if (points.length === 0) {
    return {
      samples: 0,
      fromS: null,
      toS: null,
      firstMB: null,
      lastMB: null,
      maxMB: null,
      meanMB: null,
      slopeMBPerHour: null,
      growthOverWindowMB: null,
      flat: null,
    };
  }
  const first = points[0];
  const last = points[points.length - 1];
  const meanMB = points.reduce((sum, p) => sum + p.mb, 0) / points.length;
  const slopeMBPerHour = leastSquaresSlope(points.map((p) => ({ x: p.atMs / 3_600_000, y: p.mb })));
  const growthOverWindowMB =
    slopeMBPerHour === null ? null : (slopeMBPerHour * (last.atMs - first.atMs)) / 3_600_000;
  return {
    samples: points.length,
    fromS: first.atMs / 1000,
    toS: last.atMs / 1000,
    firstMB: first.mb,
    lastMB: last.mb,
    maxMB: Math.max(...points.map((p) => p.mb)),
    meanMB,
    slopeMBPerHour,
    growthOverWindowMB,
    flat: growthOverWindowMB === null ? null : growthOverWindowMB <= FLAT_GROWTH_SHARE * meanMB,
  };
}

/**
 * Consumer lag at one moment (ms from the start of production): end
 * offsets minus the group's committed offsets, summed over the input's
 * partitions; undefined when they could not be read (the broker
 * restarting).
 *
 * @example
 * const sample: LagSample = { atMs: 400_000, lag: 3_250 };
 */
export interface LagSample {
  readonly atMs: number;
  readonly lag: number | undefined;
}

/**
 * When the job counts as caught up while input keeps arriving: lag at most
 * `maxLag` records in every sample for at least `holdMs`. A live job's
 * committed offsets trail the end by the epoch it is reading and the one it
 * is committing, so zero is seen only once input stops; and a single low
 * sample proves nothing (a producer held up by the same fault has not yet
 * sent its backlog).
 *
 * @example
 * const rule: CaughtUpRule = { maxLag: 10_000, holdMs: 10_000 };
 */
export interface CaughtUpRule {
  readonly maxLag: number;
  readonly holdMs: number;
}

/**
 * How lag came back after one fault.
 *
 * @example
 * const r: LagRecovery = { seconds: 42, recoveredAtMs: 462_000, peakLag: 610_000 };
 */
export interface LagRecovery {
  /** From the fault's end to the first sample of the caught-up stretch; null if it never came. */
  readonly seconds: number | null;
  readonly recoveredAtMs: number | null;
  /** The highest lag read from the fault's start to the recovery (or to `untilMs`). */
  readonly peakLag: number | null;
}

/**
 * The recovery after a fault that lasted from `startMs` to `endMs`: the
 * first stretch, starting at or after `endMs` and no later than `untilMs`
 * (the next fault, or the end of the samples), in which every sample is
 * caught up under `rule` for at least `holdMs`. A sample whose lag could
 * not be read breaks a stretch: nothing is known of it.
 *
 * @example
 * lagRecovery(samples, { startMs: 360_000, endMs: 480_000, untilMs: 780_000 }, { maxLag: 10_000, holdMs: 10_000 });
 * // { seconds: 38, recoveredAtMs: 518_000, peakLag: 612_450 }
 */
export function lagRecovery(
  samples: readonly LagSample[],
  fault: { readonly startMs: number; readonly endMs: number; readonly untilMs: number },
  rule: CaughtUpRule,
): LagRecovery {
  let stretchFrom: number | undefined;
  let recoveredAtMs: number | null = null;
  for (const s of samples) {
    if (s.atMs < fault.endMs) continue;
    if (s.atMs > fault.untilMs) break;
    if (s.lag === undefined || s.lag > rule.maxLag) {
      stretchFrom = undefined;
      continue;
    }
    stretchFrom ??= s.atMs;
    if (s.atMs - stretchFrom >= rule.holdMs) {
      recoveredAtMs = stretchFrom;
      break;
    }
  }
  let peakLag: number | null = null;
  const peakUntil = recoveredAtMs ?? fault.untilMs;
  for (const s of samples) {
    if (s.atMs < fault.startMs || s.atMs > peakUntil || s.lag === undefined) continue;
    peakLag = Math.max(peakLag ?? 0, s.lag);
  }
  return {
    seconds: recoveredAtMs === null ? null : (recoveredAtMs - fault.endMs) / 1000,
    recoveredAtMs,
    peakLag,
  };
}
