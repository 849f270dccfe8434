import { type AssetSpec, nextTemperature } from './assetPhysics.js';

/**
 * Cooling-loss detection from the physics model's residual: the twin runs
 * the asset's first-order thermal model (assetPhysics.ts) at the observed
 * load with normal cooling and the asset's own time constant, and compares
 * the measured temperature with it. Load changes move both alike, so the
 * residual is sensor noise on a healthy asset and grows towards
 * heatRise·load²·(1/cooling − 1) under a cooling loss. A one-sided CUSUM of
 * the residual (median of the last three, so one wild reading adds nothing)
 * flags a persistent excess.
 *
 * Why not the rate of temperature change: it moves with every load change
 * and is as noisy as the difference of two readings; the residual is not.
 */

/** Per-asset state; plain JSON, so it snapshots. */
export interface ThermalResidualState {
  /** The model's temperature with normal cooling; null before a first reading. */
  expectedC: number | null;
  prevTs: number | null;
  /** Last measured temperature: an exact repeat is a stuck sensor, not a reading. */
  lastMeasuredC: number | null;
  /** Last residuals, newest last (at most three). */
  recent: number[];
  /** Accumulated excess over the allowance, °C·readings. */
  cusum: number;
}

export interface ThermalResidualOptions {
  /** Residual allowed per reading before it accumulates, °C (default 1: over 3 σ of the sensor noise). */
  readonly allowanceC?: number;
  /** Accumulated excess that flags a cooling loss, °C (default 6). */
  readonly thresholdC?: number;
  /** Largest excess one reading adds, °C (default 3), so a burst of spikes cannot flag on its own. */
  readonly maxStepC?: number;
}

/** What one reading shows. */
export interface ThermalResidual {
  /** Measured minus expected temperature (median of the last three), null when not measured. */
  readonly residualC: number | null;
  /** CUSUM over its threshold: >= 1 flags a cooling loss. */
  readonly score: number;
  readonly flagged: boolean;
}

/** The reading fields the residual needs. */
export interface ThermalReading {
  readonly ts: number;
  readonly temperatureC: number | null;
  /** Load as a fraction of rated over the interval up to this reading (0 when not running). */
  readonly load: number;
  readonly running: boolean;
}

/**
 * A fresh state for one asset.
 *
 * @example
 * const s = initialThermalResidualState();
 */
export function initialThermalResidualState(): ThermalResidualState {
  return { expectedC: null, prevTs: null, lastMeasuredC: null, recent: [], cusum: 0 };
}

/**
 * Advances the thermal model to the reading and updates the residual CUSUM.
 * Only running readings accumulate; a stopped asset's temperature still
 * advances the model. Mutates `state`.
 *
 * @example
 * const s = initialThermalResidualState();
 * const r = updateThermalResidual(s, spec, { ts, temperatureC: 71.2, load: 0.9, running: true });
 * r.flagged; // true once the asset runs persistently hotter than its model
 */
export function updateThermalResidual(
  state: ThermalResidualState,
  spec: AssetSpec,
  reading: ThermalReading,
  options: ThermalResidualOptions = {},
): ThermalResidual {
  const allowance = options.allowanceC ?? 1;
  const threshold = options.thresholdC ?? 6;
  const maxStep = options.maxStepC ?? 3;
  const measured = reading.temperatureC;
  const dtS = state.prevTs === null ? 0 : Math.max(0, (reading.ts - state.prevTs) / 1000);
  state.prevTs = reading.ts;
  if (state.expectedC === null) {
    if (measured === null || !Number.isFinite(measured)) return { residualC: null, score: 0, flagged: false };
    state.expectedC = measured;
  } else if (dtS > 0) {
    state.expectedC = nextTemperature(
      spec,
      { temperatureC: state.expectedC, load: reading.load, coolingFactor: 1, wear: 0, wearFactor: 1 },
      dtS,
    );
  }
  const usable =
    measured !== null && Number.isFinite(measured) && measured !== state.lastMeasuredC && reading.running;
  if (measured !== null && Number.isFinite(measured)) state.lastMeasuredC = measured;
  if (!usable) return { residualC: null, score: state.cusum / threshold, flagged: state.cusum >= threshold };
  state.recent.push(measured - state.expectedC);
  if (state.recent.length > 3) state.recent.shift();
  const residual = median(state.recent);
  state.cusum = Math.min(2 * threshold, Math.max(0, state.cusum + Math.min(maxStep, residual - allowance)));
  return { residualC: residual, score: state.cusum / threshold, flagged: state.cusum >= threshold };
}

/**
 * Forgets the accumulated evidence (after maintenance or a repair, which
 * restore the cooling), and re-anchors the model on the next reading.
 *
 * @example
 * resetThermalResidual(state);
 */
export function resetThermalResidual(state: ThermalResidualState): void {
  state.recent = [];
  state.cusum = 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
