/**
 * The trend of the fouling estimate: one sample per interval of event time
 * (hourly by default), a least-squares slope over the last samples, and the
 * time until the fouling reaches a limit at that slope. A regression over
 * two days, not the difference of two estimates, because a single estimate
 * carries the noise of four thermometers.
 */

/** Samples, oldest first: plain JSON, so it snapshots with the keyed state. */
export type TrendSamples = Array<[ts: number, foulingM2KW: number]>;

export interface TrendOptions {
  readonly sampleMs: number;
  readonly maxSamples: number;
}

/**
 * Adds a sample when `sampleMs` have passed since the last one; drops the oldest beyond `maxSamples`.
 *
 * @example
 * const s: TrendSamples = []; addTrendSample(s, 0, 1e-5, { sampleMs: 3_600_000, maxSamples: 48 });
 */
export function addTrendSample(
  samples: TrendSamples,
  ts: number,
  fouling: number,
  options: TrendOptions,
): void {
  const last = samples.at(-1);
  if (last !== undefined && ts - last[0] < options.sampleMs) return;
  samples.push([ts, fouling]);
  if (samples.length > options.maxSamples) samples.shift();
}

/**
 * Least-squares slope of the samples, per day; null with fewer than `minSamples`.
 *
 * @example
 * trendSlopePerDay([[0, 0], [86_400_000, 2e-5]], 2); // 2e-5
 */
export function trendSlopePerDay(samples: TrendSamples, minSamples: number): number | null {
  const n = samples.length;
  if (n < Math.max(2, minSamples)) return null;
  const t0 = samples[0][0];
  let sx = 0;
  let sy = 0;
  for (const [t, y] of samples) {
    sx += (t - t0) / 86_400_000;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const [t, y] of samples) {
    const dx = (t - t0) / 86_400_000 - mx;
    sxy += dx * (y - my);
    sxx += dx * dx;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * Hours until `fouling` reaches `limit` at `slopePerDay`: 0 when it already
 * has, null when it is not growing (or there is no slope yet).
 *
 * @example
 * hoursUntilLimit(1e-5, 1e-5, 3e-5); // 48
 */
export function hoursUntilLimit(fouling: number, slopePerDay: number | null, limit: number): number | null {
  if (fouling >= limit) return 0;
  if (slopePerDay === null || !(slopePerDay > 0)) return null;
  return ((limit - fouling) / slopePerDay) * 24;
}
