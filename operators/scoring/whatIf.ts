import type { AssetSpec, FailureCause } from './assetPhysics.js';
import { physicsRiskModel, type SampleOutcomes } from './physicsRiskModel.js';
import type { AssetFeatures } from './riskModel.js';

/** What a what-if changes; a field left out stays as the asset is now. */
export interface WhatIfChange {
  /** Fraction of rated load held over the horizon (0..1.2, the physics model's range). */
  readonly load?: number;
  /** Cooling effectiveness (1 normal, lower after a cooling loss, higher for extra cooling). */
  readonly coolingFactor?: number;
}

/** One what-if question about one asset. */
export interface WhatIfQuestion {
  readonly spec: AssetSpec;
  /** The asset now: the twin's estimate of temperature, wear, load and cooling. */
  readonly now: AssetFeatures;
  readonly change: WhatIfChange;
  readonly horizonHours: number;
  /** Monte Carlo samples (default 1000, at most {@link WHAT_IF_LIMITS}.samples). */
  readonly samples?: number;
  /** Seed of the parameter samples (default 1); both scenarios use the same samples. */
  readonly seed?: number;
  /** How far RUL looks (default 168 h, and never less than the horizon). */
  readonly lookaheadHours?: number;
  /** The asset's load-limit bounds, in percent of rated: a load outside them is answered but flagged. */
  readonly loadBounds?: { readonly minLoadLimitPct: number; readonly maxLoadLimitPct: number };
}

/** The physics model's answer for one scenario. */
export interface WhatIfOutcome {
  /** What was simulated: the asset now, with the change applied or not. */
  readonly features: AssetFeatures;
  /** Share of samples that fail within the horizon. */
  readonly risk: number;
  /** 95 % Wilson interval of `risk`: how far the Monte Carlo estimate itself may be off. */
  readonly riskInterval: readonly [low: number, high: number];
  /**
   * Time to failure over the samples, hours: the spread is the model's
   * parameter uncertainty. Null beyond the lookahead (more than that share
   * of samples survive it).
   */
  readonly rulHours: {
    readonly p10: number | null;
    readonly median: number | null;
    readonly p90: number | null;
  };
  /** Probability of failing within the horizon by each cause (they add up to `risk`). */
  readonly causesWithinHorizon: Readonly<Record<FailureCause, number>>;
  /** The same within the RUL lookahead: what ends the asset if nothing changes later. */
  readonly causesWithinLookahead: Readonly<Record<FailureCause, number>>;
}

/** Both scenarios, simulated with the same parameter samples. */
export interface WhatIfAnswer {
  readonly assetId: string;
  readonly horizonHours: number;
  readonly lookaheadHours: number;
  readonly samples: number;
  readonly seed: number;
  readonly change: WhatIfChange;
  readonly asIs: WhatIfOutcome;
  readonly changed: WhatIfOutcome;
  /** `changed.risk - asIs.risk`: paired samples, so it is the change's effect, not noise between two runs. */
  readonly riskDelta: number;
  /** Things to know about the answer (a load outside the asset's bounds, …); empty when none. */
  readonly warnings: readonly string[];
}

/** A what-if the model cannot answer as asked; `field` names the input at fault. */
export class WhatIfInputError extends Error {
  override readonly name = 'WhatIfInputError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Bounds of a what-if: the physics model's load range and what one question may cost. */
export const WHAT_IF_LIMITS = {
  maxLoad: 1.2,
  maxCoolingFactor: 2,
  /** Cooling factors the twin itself estimates; outside them an answer is flagged. */
  estimatedCooling: [0.2, 1.2],
  samples: 20_000,
  horizonHours: 720,
} as const;

const Z95 = 1.959963984540054;

/**
 * What the physics model expects of an asset over `horizonHours` as it is
 * now and with a change held over the horizon (a load, a cooling factor):
 * failure risk with its Monte Carlo interval, RUL percentiles over the
 * model's parameter samples, and the split by cause. Both scenarios run on
 * the same samples of the physics model (physicsRiskModel.ts), so the
 * difference between them is the change's.
 *
 * It only answers: nothing here decides or commands; the controller's
 * decisions stay the controller's. Throws {@link WhatIfInputError} for a
 * question it cannot answer (no change, a horizon <= 0, a load outside
 * 0..1.2, a cooling factor <= 0, …).
 *
 * @example
 * const a = whatIf({ spec, now: { temperatureC: 88, wearEstimate: 0.9, load: 1, coolingFactor: 0.8 },
 *   change: { load: 0.6 }, horizonHours: 6, seed: 7 });
 * a.asIs.risk;      // e.g. 0.41
 * a.changed.risk;   // e.g. 0.02, with a.changed.rulHours.median longer
 */
export function whatIf(question: WhatIfQuestion): WhatIfAnswer {
  const { spec, now, change } = question;
  const horizonHours = question.horizonHours;
  const samples = question.samples ?? 1000;
  const seed = question.seed ?? 1;
  if (!(Number.isFinite(horizonHours) && horizonHours > 0)) {
    throw new WhatIfInputError(`horizon must be a positive duration, got ${horizonHours} h`, 'horizon');
  }
  if (horizonHours > WHAT_IF_LIMITS.horizonHours) {
    throw new WhatIfInputError(
      `horizon ${horizonHours} h is beyond the ${WHAT_IF_LIMITS.horizonHours} h a what-if looks at`,
      'horizon',
    );
  }
  if (!(Number.isInteger(samples) && samples > 0 && samples <= WHAT_IF_LIMITS.samples)) {
    throw new WhatIfInputError(
      `samples must be an integer 1..${WHAT_IF_LIMITS.samples}, got ${samples}`,
      'samples',
    );
  }
  if (!Number.isInteger(seed)) throw new WhatIfInputError(`seed must be an integer, got ${seed}`, 'seed');
  if (change.load === undefined && change.coolingFactor === undefined) {
    throw new WhatIfInputError('name at least one change: load or cooling', 'change');
  }
  const warnings: string[] = [];
  if (change.load !== undefined) checkLoad(change.load, question, warnings);
  if (change.coolingFactor !== undefined) checkCooling(change.coolingFactor, warnings);
  const lookaheadHours = Math.max(horizonHours, question.lookaheadHours ?? 168);
  const model = physicsRiskModel({ samples, seed, horizonHours, lookaheadHours });
  const changedFeatures: AssetFeatures = {
    ...now,
    ...(change.load === undefined ? {} : { load: change.load }),
    ...(change.coolingFactor === undefined ? {} : { coolingFactor: change.coolingFactor }),
  };
  const asIs = summarise(now, model.sampleOutcomes(spec, now));
  const changed = summarise(changedFeatures, model.sampleOutcomes(spec, changedFeatures));
  return {
    assetId: spec.id,
    horizonHours,
    lookaheadHours,
    samples,
    seed,
    change,
    asIs,
    changed,
    riskDelta: changed.risk - asIs.risk,
    warnings,
  };
}

function checkLoad(load: number, question: WhatIfQuestion, warnings: string[]): void {
  if (!(Number.isFinite(load) && load >= 0 && load <= WHAT_IF_LIMITS.maxLoad)) {
    throw new WhatIfInputError(
      `load must be a fraction of rated load 0..${WHAT_IF_LIMITS.maxLoad} (the physics model's range), got ${load}`,
      'load',
    );
  }
  const bounds = question.loadBounds;
  if (bounds === undefined) return;
  const pct = load * 100;
  if (pct < bounds.minLoadLimitPct || pct > bounds.maxLoadLimitPct) {
    warnings.push(
      `load ${round(pct, 1)} % is outside asset ${question.spec.id}'s bounds ${bounds.minLoadLimitPct}..${bounds.maxLoadLimitPct} %: the controller could never command it`,
    );
  }
}

function checkCooling(cooling: number, warnings: string[]): void {
  if (!(Number.isFinite(cooling) && cooling > 0 && cooling <= WHAT_IF_LIMITS.maxCoolingFactor)) {
    throw new WhatIfInputError(
      `cooling must be a factor > 0 and <= ${WHAT_IF_LIMITS.maxCoolingFactor} (1 is normal cooling), got ${cooling}`,
      'cooling',
    );
  }
  const [low, high] = WHAT_IF_LIMITS.estimatedCooling;
  if (cooling < low || cooling > high) {
    warnings.push(`cooling ${cooling} is outside ${low}..${high}, the range the twin itself estimates`);
  }
}

function summarise(features: AssetFeatures, outcomes: SampleOutcomes): WhatIfOutcome {
  const n = outcomes.timeToFailureS.length;
  const inHorizon = { bearing: 0, overheat: 0 };
  const inLookahead = { bearing: 0, overheat: 0 };
  for (let j = 0; j < n; j++) {
    const cause = outcomes.cause[j];
    if (cause === null || cause === undefined) continue;
    inLookahead[cause]++;
    if ((outcomes.timeToFailureS[j] as number) <= outcomes.horizonS) inHorizon[cause]++;
  }
  const failed = inHorizon.bearing + inHorizon.overheat;
  const sorted = Float64Array.from(outcomes.timeToFailureS).sort();
  // floor(q·n): for q = 0.5 the same sample physicsRiskModel reports as the RUL.
  const quantileHours = (q: number): number | null => {
    const s = sorted[Math.min(n - 1, Math.floor(q * n))] as number;
    return Number.isFinite(s) ? round(s / 3600, 2) : null;
  };
  return {
    features,
    risk: failed / n,
    riskInterval: wilson(failed, n),
    rulHours: { p10: quantileHours(0.1), median: quantileHours(0.5), p90: quantileHours(0.9) },
    causesWithinHorizon: { bearing: inHorizon.bearing / n, overheat: inHorizon.overheat / n },
    causesWithinLookahead: { bearing: inLookahead.bearing / n, overheat: inLookahead.overheat / n },
  };
}

/** 95 % Wilson score interval of `k` successes in `n`: sensible at 0 and n, where the normal one collapses. */
function wilson(k: number, n: number): [number, number] {
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At 0 and n the bounds are exactly 0 and 1; the formula leaves rounding noise there.
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
