import type { AssetSpec } from './assetPhysics.js';

/**
 * Bearing-defect detection from the trend of two load-normalised wear
 * indices of the physics model (assetPhysics.ts):
 *
 * - vibration / (base · (0.5 + 0.5·load)) − 1 = 4·wear²  (vibrationOf)
 * - power / (rated · (0.15 + 0.85·load)) − 1 = 0.2·wear   (powerOf)
 *
 * Readings are averaged in buckets (default 5 min); a least-squares slope
 * over the last two hours of buckets, with its standard error from the spread of
 * the readings within the buckets (many degrees of freedom, so the test
 * does not false-alarm on a lucky straight line of a few means), turns each
 * index into a wear rate. The two rates are combined by inverse variance.
 * A natural bearing wears by about 0.0005 per hour; a defect by 50 to 200
 * times that, so a rate well above `minRatePerHour` and several standard
 * errors above zero is a defect, not noise.
 */

/** A bucket of one index: count, sum and sum of squares of the readings. */
type Bucket = [ts: number, n: number, sum: number, sumSq: number];

/** Per-asset state; plain JSON, so it snapshots. */
export interface WearTrendState {
  /** Closed buckets of the vibration and power indices, oldest first. */
  vibration: Bucket[];
  power: Bucket[];
  /** The buckets being filled. */
  openVibration: Bucket | null;
  openPower: Bucket | null;
  /** The last evaluation (kept between bucket closes). */
  ratePerHour: number;
  z: number;
}

export interface WearTrendOptions {
  /** Bucket length (default 300 000 ms). */
  readonly bucketMs?: number;
  /** Regression windows, in buckets (default 12 and 24: one and two hours); the most significant decides. */
  readonly windows?: readonly number[];
  /** Fewest closed buckets before a trend is judged (default 4). */
  readonly minBuckets?: number;
  /** Standard errors above zero that flag (default 4). */
  readonly zThreshold?: number;
  /** Smallest wear rate per hour that flags (default 0.005: ten times a healthy bearing at rated load). */
  readonly minRatePerHour?: number;
}

/** What one reading shows. */
export interface WearTrend {
  /** Estimated wear rate per hour (combined), 0 before enough buckets. */
  readonly ratePerHour: number;
  /** The rate in standard errors. */
  readonly z: number;
  /** z over its threshold, 0 when the rate is below minRatePerHour: >= 1 flags a bearing defect. */
  readonly score: number;
  readonly flagged: boolean;
}

/** The reading fields the trend needs; a null index is skipped (drop-out, spike, stuck sensor). */
export interface WearTrendReading {
  readonly ts: number;
  readonly load: number;
  readonly vibrationMmS: number | null;
  readonly powerKw: number | null;
}

/**
 * A fresh state for one asset.
 *
 * @example
 * const s = initialWearTrendState();
 */
export function initialWearTrendState(): WearTrendState {
  return { vibration: [], power: [], openVibration: null, openPower: null, ratePerHour: 0, z: 0 };
}

/**
 * Adds one running reading and re-evaluates the trend when a bucket closes.
 * Readings at low load (< 0.2) are skipped: the indices divide by load
 * terms and the defect wears little there. Mutates `state`.
 *
 * @example
 * const s = initialWearTrendState();
 * const t = updateWearTrend(s, spec, { ts, load: 0.8, vibrationMmS: 2.1, powerKw: 45.3 });
 * t.flagged; // true once wear grows faster than a healthy bearing can
 */
export function updateWearTrend(
  state: WearTrendState,
  spec: AssetSpec,
  reading: WearTrendReading,
  options: WearTrendOptions = {},
): WearTrend {
  const bucketMs = options.bucketMs ?? 300_000;
  const windows = options.windows ?? [12, 24];
  const keep = Math.max(...windows);
  const minBuckets = options.minBuckets ?? 4;
  const zThreshold = options.zThreshold ?? 4;
  const minRate = options.minRatePerHour ?? 0.005;
  const { ts, load } = reading;
  let closed = false;
  if (load >= 0.2) {
    if (reading.vibrationMmS !== null && spec.baseVibrationMmS > 0) {
      const x = reading.vibrationMmS / (spec.baseVibrationMmS * (0.5 + 0.5 * load)) - 1;
      const r = add(state.openVibration, state.vibration, ts, x, bucketMs, keep);
      state.openVibration = r.open;
      closed ||= r.closed;
    }
    if (reading.powerKw !== null && spec.ratedPowerKw > 0) {
      const x = reading.powerKw / (spec.ratedPowerKw * (0.15 + 0.85 * load)) - 1;
      const r = add(state.openPower, state.power, ts, x, bucketMs, keep);
      state.openPower = r.open;
      closed ||= r.closed;
    }
  }
  if (closed) evaluate(state, minBuckets, windows);
  const score = state.ratePerHour >= minRate ? state.z / zThreshold : 0;
  return { ratePerHour: state.ratePerHour, z: state.z, score, flagged: score >= 1 };
}

/**
 * Forgets the trend (after maintenance or a repair, which replace the bearing).
 *
 * @example
 * resetWearTrend(state);
 */
export function resetWearTrend(state: WearTrendState): void {
  Object.assign(state, initialWearTrendState());
}

function add(
  open: Bucket | null,
  list: Bucket[],
  ts: number,
  x: number,
  bucketMs: number,
  keep: number,
): { open: Bucket; closed: boolean } {
  if (open !== null && ts - open[0] < bucketMs) {
    open[1]++;
    open[2] += x;
    open[3] += x * x;
    return { open, closed: false };
  }
  let closed = false;
  if (open !== null && open[1] >= 3) {
    list.push(open);
    if (list.length > keep) list.shift();
    closed = true;
  }
  return { open: [ts, 1, x, x * x], closed };
}

/** Slope (per hour) and its variance of one index's bucket means; null without enough buckets. */
function slopeOf(list: readonly Bucket[], minBuckets: number): { slope: number; variance: number } | null {
  if (list.length < minBuckets) return null;
  let pooled = 0;
  let dof = 0;
  for (const [, n, sum, sumSq] of list) {
    pooled += sumSq - (sum * sum) / n;
    dof += n - 1;
  }
  if (dof <= 0) return null;
  const sigma2 = Math.max(pooled / dof, 1e-12);
  // Weighted least squares: a bucket mean's variance is sigma² / n.
  let sxx = 0;
  let sxy = 0;
  let wSum = 0;
  let wt = 0;
  let wy = 0;
  for (const [ts, n, sum] of list) {
    wSum += n;
    wt += n * (ts / 3_600_000);
    wy += sum;
  }
  const tBar = wt / wSum;
  const yBar = wy / wSum;
  for (const [ts, n, sum] of list) {
    const dt = ts / 3_600_000 - tBar;
    sxx += n * dt * dt;
    sxy += n * dt * (sum / n - yBar);
  }
  if (sxx <= 0) return null;
  return { slope: sxy / sxx, variance: sigma2 / sxx };
}

/**
 * The wear rate over each window (the newest buckets), combined over the two
 * indices; keeps the window with the largest z. A short window sees a defect
 * that just started, which a long one averages with the flat time before it;
 * a long one sees a slow defect a short one cannot tell from noise.
 */
function evaluate(state: WearTrendState, minBuckets: number, windows: readonly number[]): void {
  state.ratePerHour = 0;
  state.z = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (const size of windows) {
    const e = combined(state.vibration.slice(-size), state.power.slice(-size), minBuckets);
    if (e !== null && e.z > best) {
      best = e.z;
      state.ratePerHour = e.rate;
      state.z = e.z;
    }
  }
}

function combined(
  vibration: readonly Bucket[],
  power: readonly Bucket[],
  minBuckets: number,
): { rate: number; z: number } | null {
  const estimates: Array<{ rate: number; variance: number }> = [];
  const p = slopeOf(power, minBuckets);
  // power index = 0.2·wear
  if (p !== null) estimates.push({ rate: p.slope / 0.2, variance: p.variance / 0.04 });
  const v = slopeOf(vibration, minBuckets);
  if (v !== null) {
    // vibration index = 4·wear², so d(index)/dt = 8·wear·d(wear)/dt, wear from the latest bucket.
    const last = vibration[vibration.length - 1];
    const wear = Math.max(0.05, Math.sqrt(Math.max(0, last[2] / last[1]) / 4));
    estimates.push({ rate: v.slope / (8 * wear), variance: v.variance / (64 * wear * wear) });
  }
  if (estimates.length === 0) return null;
  let w = 0;
  let wr = 0;
  for (const e of estimates) {
    w += 1 / e.variance;
    wr += e.rate / e.variance;
  }
  const rate = wr / w;
  return { rate, z: rate * Math.sqrt(w) };
}
