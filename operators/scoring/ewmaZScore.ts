/**
 * Streaming z-score against an exponentially weighted mean and variance.
 * Fast to react (a step or a spike shows at once) and quick to forget (a
 * new level becomes normal within a few 1/alpha readings). The state is
 * plain JSON, so it lives in processKeyed state and survives snapshots.
 */

/** Serialisable detector state of one signal. */
export interface EwmaZState {
  n: number;
  mean: number;
  variance: number;
}

export interface EwmaZOptions {
  /** Weight of a new reading (default 0.02: about 50 readings of memory). */
  readonly alpha?: number;
  /** Readings before z is reported (default 30); until then z is 0. */
  readonly warmup?: number;
  /** Floor of the standard deviation, absolute (default 1e-9) ... */
  readonly minStd?: number;
  /** ... and relative to |mean| (default 0.002): a near-constant signal must not make every wiggle infinite. */
  readonly relativeMinStd?: number;
  /** A reading updates the statistics clamped to mean ± this many std (default 4), so one outlier cannot widen them. */
  readonly clampZ?: number;
}

/**
 * A fresh detector.
 *
 * @example
 * const s = ewmaZInit(); // { n: 0, mean: 0, variance: 0 }
 */
export function ewmaZInit(): EwmaZState {
  return { n: 0, mean: 0, variance: 0 };
}

/**
 * Scores `x` against the statistics so far (0 while warming up), then adds
 * it to them; mutates `state`.
 *
 * @example
 * const s = ewmaZInit();
 * for (const x of readings) if (Math.abs(ewmaZUpdate(s, x)) > 4) console.log('deviation', x);
 */
export function ewmaZUpdate(state: EwmaZState, x: number, options: EwmaZOptions = {}): number {
  const alpha = options.alpha ?? 0.02;
  const warmup = options.warmup ?? 30;
  const clampZ = options.clampZ ?? 4;
  const std = stdOf(state.variance, state.mean, options.minStd ?? 1e-9, options.relativeMinStd ?? 0.002);
  const z = state.n >= warmup ? (x - state.mean) / std : 0;
  const used =
    state.n >= warmup ? Math.min(state.mean + clampZ * std, Math.max(state.mean - clampZ * std, x)) : x;
  // 1/(n+1) while young: the first readings get an exact mean and variance, not a biased start at 0.
  const a = Math.max(alpha, 1 / (state.n + 1));
  const diff = used - state.mean;
  const incr = a * diff;
  state.mean += incr;
  state.variance = (1 - a) * (state.variance + diff * incr);
  state.n++;
  return z;
}

/** Standard deviation with the absolute and relative floors applied. */
export function stdOf(variance: number, mean: number, minStd: number, relativeMinStd: number): number {
  return Math.max(Math.sqrt(variance), minStd, relativeMinStd * Math.abs(mean));
}
