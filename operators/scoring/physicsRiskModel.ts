import {
  type AssetCondition,
  type AssetSpec,
  type FailureCause,
  nextTemperature,
  steadyTemperature,
  wearRatePerS,
} from './assetPhysics.js';
import type { AssetFeatures, RiskAssessment, RiskModel } from './riskModel.js';
import { normalSource, uniformSource } from './seededRandom.js';

/** Settings of the Monte Carlo physics model; every field has a default. */
export interface PhysicsRiskOptions {
  /** Monte Carlo samples per asset (default 256). */
  readonly samples?: number;
  /** Seed of the parameter samples; the same seed gives the same assessments (default 1). */
  readonly seed?: number;
  readonly horizonHours?: number;
  /** Integration step within the horizon, seconds (default 300). */
  readonly stepS?: number;
  /** How far RUL looks; a median time to failure beyond it is null (default 168 h = 7 days). */
  readonly lookaheadHours?: number;
  /** Integration step past the horizon, seconds (default 1800): RUL needs less time resolution than risk. */
  readonly lookaheadStepS?: number;
  /** Sigma of the lognormal wear-rate scale (default 0.3, about ±30 %). */
  readonly wearRateSigma?: number;
  /** Heat rise uniform within ±this fraction (default 0.1). */
  readonly heatRiseSpread?: number;
  /** Standard deviation of the load drift over the horizon, as a fraction of load (default 0.05). */
  readonly loadDriftSd?: number;
  /** Standard deviation of the wear estimate's error (default 0.02): wear is inferred, not measured. */
  readonly wearEstimateSd?: number;
}

/** The physics model, with synchronous single-asset entry points for training and cross-checks. */
export interface PhysicsRiskModel extends RiskModel {
  readonly horizonHours: number;
  /** Risk and RUL of one asset. */
  assessOne(spec: AssetSpec, features: AssetFeatures): RiskAssessment;
  /** Failure probability within the horizon only (no RUL lookahead): what the surrogate learns. */
  riskOf(spec: AssetSpec, features: AssetFeatures): number;
  /**
   * Every parameter sample's own outcome over the lookahead, unsummarised:
   * what a what-if compares (two calls share the samples, so their
   * difference is the change's alone, not sampling noise).
   */
  sampleOutcomes(spec: AssetSpec, features: AssetFeatures): SampleOutcomes;
}

/** Per-sample outcomes of {@link PhysicsRiskModel.sampleOutcomes}, in sample order. */
export interface SampleOutcomes {
  /** Seconds until the sample fails; Infinity when it survives the lookahead. */
  readonly timeToFailureS: Float64Array;
  /** What failed first, or null for a survivor. */
  readonly cause: ReadonlyArray<FailureCause | null>;
  readonly horizonS: number;
  readonly lookaheadS: number;
}

/** A feature the physics model cannot simulate from (NaN, infinite, or out of physical range). */
export class PhysicsInputError extends Error {
  override readonly name = 'PhysicsInputError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly assetId: string,
    readonly field: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_LOAD = 1.2;

/**
 * Failure probability over the horizon and remaining useful life, by forward-
 * simulating the thermal and wear equations of assetPhysics.ts for N sampled
 * parameter sets (wear-rate scale, heat rise, load drift, wear-estimate
 * error) from the twin's current state at its current load and cooling.
 * Risk is the share of samples that fail (wear >= 1 or temperature >= limit)
 * within the horizon; RUL the median time to failure within the lookahead.
 *
 * Every asset is simulated with the same parameter samples (common random
 * numbers, drawn once from the seed): an assessment depends on its inputs
 * alone, not on the batch it came in, which an exactly-once replay needs, and
 * risk is monotone in wear and temperature rather than noisy.
 *
 * @example
 * const physics = physicsRiskModel({ samples: 256, seed: 7 });
 * const [a] = await physics.assess([{ spec, features }]);
 * a.risk; // 0..1, a.rulHours; hours or null, a.model === 'PHYSICS'
 */
export function physicsRiskModel(options: PhysicsRiskOptions = {}): PhysicsRiskModel {
  const n = options.samples ?? 256;
  const horizonHours = options.horizonHours ?? 6;
  const horizonS = horizonHours * 3600;
  const stepS = options.stepS ?? 300;
  const lookaheadS = Math.max(horizonS, (options.lookaheadHours ?? 168) * 3600);
  const lookaheadStepS = options.lookaheadStepS ?? 1800;
  const sigma = options.wearRateSigma ?? 0.3;
  const spread = options.heatRiseSpread ?? 0.1;
  const driftSd = options.loadDriftSd ?? 0.05;
  const wearSd = options.wearEstimateSd ?? 0.02;
  if (!(Number.isInteger(n) && n > 0))
    throw new RangeError(`physicsRiskModel: samples ${n} is not a positive integer`);
  if (!(stepS > 0 && lookaheadStepS > 0 && horizonS > 0)) {
    throw new RangeError(
      `physicsRiskModel: steps and horizon must be > 0 (stepS ${stepS}, horizonHours ${horizonHours})`,
    );
  }

  const uniform = uniformSource(options.seed ?? 1);
  const normal = normalSource(uniform);
  const wearScale = new Float64Array(n);
  const heatScale = new Float64Array(n);
  const loadDrift = new Float64Array(n);
  const wearError = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    wearScale[j] = Math.exp(sigma * normal());
    heatScale[j] = 1 + spread * (2 * uniform() - 1);
    loadDrift[j] = driftSd * normal();
    wearError[j] = wearSd * normal();
  }
  const timeToFailure = new Float64Array(n);
  // What the last simulate() call failed of (null: it survived); a variable, so the hot loop returns a number.
  let lastCause: FailureCause | null = null;
  // Reused across steps and assets: the inner loop allocates nothing.
  const c: AssetCondition = { temperatureC: 0, wear: 0, load: 0, coolingFactor: 1, wearFactor: 1 };

  /** Seconds until sample j fails, or Infinity if it survives `untilS`. */
  function simulate(spec: AssetSpec, f: AssetFeatures, j: number, untilS: number): number {
    const limit = spec.temperatureLimitC;
    let temperature = f.temperatureC;
    let wear = Math.max(0, f.wearEstimate + wearError[j]);
    lastCause = null;
    if (wear >= 1 || temperature >= limit) {
      lastCause = wear >= 1 ? 'bearing' : 'overheat';
      return 0;
    }
    // A hotter-running asset is the same as a weaker cooler to steadyTemperature: scaling cooling
    // scales the heat rise without touching the spec (the wear law's reference temperature stays rated).
    c.coolingFactor = f.coolingFactor / heatScale[j];
    const drift = loadDrift[j];
    // Temperature moves monotonically toward the steady temperature of the current load, and wear
    // rate grows with temperature and load, so the hottest steady state bounds the whole run: a
    // sample that cannot fail even there survives without being integrated (most healthy assets).
    const maxLoad = Math.min(MAX_LOAD, Math.max(0, f.load * (1 + Math.max(drift, 0))));
    c.load = maxLoad;
    c.temperatureC = Math.max(temperature, steadyTemperature(spec, maxLoad, c.coolingFactor));
    if (c.temperatureC < limit && wear + wearRatePerS(spec, c, wearScale[j]) * untilS < 1) {
      return Number.POSITIVE_INFINITY;
    }
    let t = 0;
    while (t < untilS) {
      const dt = t < horizonS ? Math.min(stepS, horizonS - t) : Math.min(lookaheadStepS, untilS - t);
      const driftShare = Math.min(t + dt / 2, horizonS) / horizonS;
      const load = Math.min(MAX_LOAD, Math.max(0, f.load * (1 + drift * driftShare)));
      c.load = load;
      c.wear = wear;
      c.temperatureC = temperature;
      const rate0 = wearRatePerS(spec, c, wearScale[j]);
      const nextT = nextTemperature(spec, c, dt);
      c.temperatureC = nextT;
      const rate1 = wearRatePerS(spec, c, wearScale[j]);
      const nextWear = wear + ((rate0 + rate1) / 2) * dt;
      if (nextT >= limit || nextWear >= 1) {
        // Linear interpolation inside the step, so RUL does not snap to the step grid.
        const tHeat = nextT >= limit ? (dt * (limit - temperature)) / (nextT - temperature) : dt;
        const tWear = nextWear >= 1 ? (dt * (1 - wear)) / (nextWear - wear) : dt;
        lastCause = nextT >= limit && tHeat <= tWear ? 'overheat' : 'bearing';
        return t + Math.min(tHeat, tWear);
      }
      temperature = nextT;
      wear = nextWear;
      t += dt;
    }
    return Number.POSITIVE_INFINITY;
  }

  function riskOf(spec: AssetSpec, features: AssetFeatures): number {
    validate(spec, features);
    let failed = 0;
    for (let j = 0; j < n; j++) if (simulate(spec, features, j, horizonS) <= horizonS) failed++;
    return failed / n;
  }

  function assessOne(spec: AssetSpec, features: AssetFeatures): RiskAssessment {
    validate(spec, features);
    let failed = 0;
    for (let j = 0; j < n; j++) {
      const ttf = simulate(spec, features, j, lookaheadS);
      timeToFailure[j] = ttf;
      if (ttf <= horizonS) failed++;
    }
    timeToFailure.sort();
    const median = timeToFailure[n >> 1];
    return {
      risk: failed / n,
      rulHours: Number.isFinite(median) ? Math.round((median / 3600) * 100) / 100 : null,
      horizonHours,
      model: 'PHYSICS',
    };
  }

  function sampleOutcomes(spec: AssetSpec, features: AssetFeatures): SampleOutcomes {
    validate(spec, features);
    const ttf = new Float64Array(n);
    const cause: Array<FailureCause | null> = new Array(n);
    for (let j = 0; j < n; j++) {
      ttf[j] = simulate(spec, features, j, lookaheadS);
      cause[j] = lastCause;
    }
    return { timeToFailureS: ttf, cause, horizonS, lookaheadS };
  }

  return {
    name: `physics-mc-${n}`,
    horizonHours,
    assessOne,
    riskOf,
    sampleOutcomes,
    async assess(batch) {
      const out: RiskAssessment[] = new Array(batch.length);
      for (let i = 0; i < batch.length; i++) {
        const item = batch[i];
        try {
          out[i] = assessOne(item.spec, item.features);
        } catch (err) {
          if (err instanceof PhysicsInputError) {
            throw new PhysicsInputError(`batch item ${i}: ${err.message}`, err.assetId, err.field, {
              cause: err,
            });
          }
          throw err;
        }
      }
      return out;
    },
  };
}

function validate(spec: AssetSpec, f: AssetFeatures): void {
  check(spec, 'temperatureC', f.temperatureC, Number.NEGATIVE_INFINITY);
  check(spec, 'wearEstimate', f.wearEstimate, 0);
  check(spec, 'load', f.load, 0);
  check(spec, 'coolingFactor', f.coolingFactor, 0);
  if (!(spec.temperatureLimitC > spec.ambientC && spec.thermalTimeConstantS > 0)) {
    throw new PhysicsInputError(
      `asset ${spec.id}: spec needs temperatureLimitC > ambientC and thermalTimeConstantS > 0`,
      spec.id,
      'spec',
    );
  }
}

function check(spec: AssetSpec, field: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new PhysicsInputError(
      `asset ${spec.id}: feature ${field} is ${value}, not a finite number >= ${min}`,
      spec.id,
      field,
    );
  }
}
