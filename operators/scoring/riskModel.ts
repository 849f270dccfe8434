import type { AssetSpec } from './assetPhysics.js';

/**
 * What a risk model sees of an asset: the twin's estimate of its physical
 * condition (wear is not measured; it is inferred from smoothed vibration).
 */
export interface AssetFeatures {
  readonly temperatureC: number;
  readonly wearEstimate: number;
  /** Fraction of rated load (0..1.2). */
  readonly load: number;
  /** Twin's estimate of cooling effectiveness (1 normal; lower after a cooling loss), from temperature vs load. */
  readonly coolingFactor: number;
}

export type ModelUsed = 'SURROGATE' | 'PHYSICS' | 'RULE' | 'FAILSAFE';

/** A failure-risk estimate over a horizon. */
export interface RiskAssessment {
  /** Probability of failure within the horizon, 0..1. */
  readonly risk: number;
  /** Remaining useful life in hours (median time to failure), null beyond what the model looks at. */
  readonly rulHours: number | null;
  readonly horizonHours: number;
  readonly model: ModelUsed;
  /** Why this model decided (e.g. "outside surrogate envelope: wear 0.93 > 0.9"). */
  readonly note?: string;
}

/** Scores many assets at once (batched, as an ONNX session or a Monte Carlo run prefers). */
export interface RiskModel {
  readonly name: string;
  assess(
    batch: ReadonlyArray<{ readonly spec: AssetSpec; readonly features: AssetFeatures }>,
  ): Promise<RiskAssessment[]>;
}

/** Per-signal anomaly state of one asset after a reading. */
export interface AnomalyScore {
  /** Largest normalised deviation over signals (|z| or CUSUM / threshold). */
  readonly score: number;
  /** Signals currently anomalous, e.g. ["vibrationMmS:cusum", "temperatureC:z"]. */
  readonly signals: readonly string[];
}
