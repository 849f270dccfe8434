import { stdOf } from './ewmaZScore.js';

/**
 * Two-sided tabular CUSUM of standardised readings against a slowly moving
 * reference. Where an EWMA z-score forgets a slow drift as fast as it comes,
 * CUSUM adds up small persistent deviations, so a bearing warming or wearing
 * by a fraction of the noise per reading is caught. State is plain JSON.
 */

/** Serialisable detector state of one signal. */
export interface CusumState {
  n: number;
  mean: number;
  variance: number;
  /** Accumulated upward and downward deviation, in standard deviations. */
  high: number;
  low: number;
}

export interface CusumOptions {
  /** Weight of a new reading in the reference (default 0.002: slow, so a drift is not absorbed). */
  readonly alpha?: number;
  /** Readings that set the reference before anything accumulates (default 50). */
  readonly warmup?: number;
  /** Allowance per reading, in std (default 0.5): deviations below it drain the sums. */
  readonly k?: number;
  /** Decision threshold, in std (default 10: on Gaussian noise a false alarm every ~10^5 readings). */
  readonly h?: number;
  readonly minStd?: number;
  readonly relativeMinStd?: number;
  /** Sums are capped at this many h (default 2), so the alarm clears soon after the signal returns. */
  readonly cap?: number;
}

/**
 * A fresh detector.
 *
 * @example
 * const s = cusumInit();
 */
export function cusumInit(): CusumState {
  return { n: 0, mean: 0, variance: 0, high: 0, low: 0 };
}

/**
 * Adds `x` and returns max(high, low) / h: at or above 1 the signal has
 * shifted. Mutates `state`.
 *
 * @example
 * const s = cusumInit();
 * for (const x of readings) if (cusumUpdate(s, x) >= 1) console.log('drift at', x);
 */
export function cusumUpdate(state: CusumState, x: number, options: CusumOptions = {}): number {
  const alpha = options.alpha ?? 0.002;
  const warmup = options.warmup ?? 50;
  const k = options.k ?? 0.5;
  const h = options.h ?? 10;
  const cap = (options.cap ?? 2) * h;
  const std = stdOf(state.variance, state.mean, options.minStd ?? 1e-9, options.relativeMinStd ?? 0.002);
  let used = x;
  if (state.n >= warmup) {
    const z = (x - state.mean) / std;
    state.high = Math.min(cap, Math.max(0, state.high + z - k));
    state.low = Math.min(cap, Math.max(0, state.low - z - k));
    // The reference learns from clamped readings: a shift must not pull its own baseline along.
    used = Math.min(state.mean + 3 * std, Math.max(state.mean - 3 * std, x));
  }
  const a = Math.max(alpha, 1 / (state.n + 1));
  const diff = used - state.mean;
  const incr = a * diff;
  state.mean += incr;
  state.variance = (1 - a) * (state.variance + diff * incr);
  state.n++;
  return Math.max(state.high, state.low) / h;
}
