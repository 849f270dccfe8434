import type { Telemetry } from '../control/contracts.js';
import { type CusumOptions, type CusumState, cusumInit, cusumUpdate } from './cusum.js';
import { type EwmaZOptions, type EwmaZState, ewmaZInit, ewmaZUpdate } from './ewmaZScore.js';
import type { AnomalyScore } from './riskModel.js';

/** The telemetry signals watched, each with its own detectors. */
export const ANOMALY_SIGNALS = ['temperatureC', 'vibrationMmS', 'powerKw', 'pressureBar'] as const;

export type AnomalySignal = (typeof ANOMALY_SIGNALS)[number];

/** Detector state of one signal; plain JSON. */
export interface SignalAnomalyState {
  ewma: EwmaZState;
  cusum: CusumState;
  last: number | null;
  /** How many consecutive readings repeated `last` exactly. */
  repeats: number;
}

/** Detector state of one asset, kept in its keyed state. */
export type AnomalyState = Record<AnomalySignal, SignalAnomalyState>;

export interface AnomalyDetectorOptions {
  readonly ewma?: EwmaZOptions;
  readonly cusum?: CusumOptions;
  /** |z| at which a reading is a deviation (default 5: the EWMA variance is itself noisy, so z has heavier tails than a Gaussian). */
  readonly zThreshold?: number;
  /** |z| at which it is a spike (default 10). */
  readonly spikeZ?: number;
  /** Identical consecutive readings that mean a stuck sensor (default 20): real sensors are noisy. */
  readonly stuckAfter?: number;
}

/**
 * A fresh state for one asset.
 *
 * @example
 * const state = initialAnomalyState();
 */
export function initialAnomalyState(): AnomalyState {
  const one = (): SignalAnomalyState => ({ ewma: ewmaZInit(), cusum: cusumInit(), last: null, repeats: 0 });
  return { temperatureC: one(), vibrationMmS: one(), powerKw: one(), pressureBar: one() };
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Updates an asset's detectors with one reading and scores it: per signal an
 * EWMA z-score (`signal:z`, or `signal:spike` when extreme), a CUSUM for
 * slow drift (`signal:cusum`) and a stuck-sensor check (`signal:stuck`).
 * A null signal (sensor drop-out) is skipped; so is a reading from an asset
 * that is not RUNNING, whose signals legitimately jump when it stops and
 * starts. Score is the largest deviation normalised to its threshold (>= 1
 * is anomalous). Mutates `state`.
 *
 * @example
 * const state = initialAnomalyState();
 * const { score, signals } = detectAnomaly(state, telemetry); // e.g. 1.4, ['vibrationMmS:cusum']
 */
export function detectAnomaly(
  state: AnomalyState,
  reading: Telemetry,
  options: AnomalyDetectorOptions = {},
): AnomalyScore {
  if (reading.runState !== 'RUNNING') return { score: 0, signals: NONE };
  const zThreshold = options.zThreshold ?? 5;
  const spikeZ = options.spikeZ ?? 10;
  const stuckAfter = options.stuckAfter ?? 20;
  let score = 0;
  let signals: string[] | undefined;
  for (const name of ANOMALY_SIGNALS) {
    const x = reading[name];
    if (x === null || !Number.isFinite(x)) continue;
    const s = state[name];
    s.repeats = x === s.last ? s.repeats + 1 : 0;
    s.last = x;
    if (s.repeats >= stuckAfter) {
      // A frozen value would collapse the variance; leave the statistics as they were.
      score = Math.max(score, 1);
      signals = flag(signals, `${name}:stuck`);
      continue;
    }
    const z = Math.abs(ewmaZUpdate(s.ewma, x, options.ewma));
    const c = cusumUpdate(s.cusum, x, options.cusum);
    score = Math.max(score, z / zThreshold, c);
    if (z >= spikeZ) signals = flag(signals, `${name}:spike`);
    else if (z >= zThreshold) signals = flag(signals, `${name}:z`);
    if (c >= 1) signals = flag(signals, `${name}:cusum`);
  }
  return { score, signals: signals ?? NONE };
}

/** Appends a label, allocating the list only for the first: most readings flag nothing. */
function flag(signals: string[] | undefined, label: string): string[] {
  if (signals === undefined) return [label];
  signals.push(label);
  return signals;
}
