import type { AssetSpec } from './assetPhysics.js';
import type { AssetFeatures } from './riskModel.js';

/**
 * The surrogate's feature contract: a fixed, named, dimensionless vector from
 * an asset's spec and the twin's features. Dimensionless so one model serves
 * every asset kind: in these units the physics of assetPhysics.ts depends on
 * nothing else (temperature as a fraction of the ambient-to-limit span, wear
 * rate per horizon, the time constant per horizon), so the surrogate sees
 * everything the physics model does. A user's own ONNX model must declare
 * exactly these names, in this order.
 */
export const SURROGATE_FEATURE_NAMES = [
  'wearEstimate',
  'load',
  'thermalMargin',
  'coolingFactor',
  'wearPerHorizonAtRated',
  'heatRiseRatio',
  'thermalSpanHectoC',
  'timeConstantPerHorizon',
] as const;

export type SurrogateFeatureName = (typeof SURROGATE_FEATURE_NAMES)[number];

export const SURROGATE_FEATURE_COUNT = SURROGATE_FEATURE_NAMES.length;

/** Horizon the shipped surrogate is trained for; part of the contract. */
export const DEFAULT_HORIZON_HOURS = 6;

/**
 * Writes the feature vector of one asset into `out` at `offset` (no
 * allocation, so a batch fills one tensor buffer).
 *
 * @example
 * const row = new Float32Array(SURROGATE_FEATURE_COUNT);
 * writeSurrogateFeatures(spec, { temperatureC: 60, wearEstimate: 0.2, load: 0.8, coolingFactor: 1 }, 6, row, 0);
 * row[2]; // (60 - ambient) / (limit - ambient)
 */
export function writeSurrogateFeatures(
  spec: AssetSpec,
  features: AssetFeatures,
  horizonHours: number,
  out: Float32Array | Float64Array,
  offset: number,
): void {
  const span = spec.temperatureLimitC - spec.ambientC;
  out[offset] = features.wearEstimate;
  out[offset + 1] = features.load;
  out[offset + 2] = (features.temperatureC - spec.ambientC) / span;
  out[offset + 3] = features.coolingFactor;
  out[offset + 4] = spec.wearPerHourAtRated * horizonHours;
  out[offset + 5] = spec.heatRiseAtRatedC / span;
  out[offset + 6] = span / 100;
  out[offset + 7] = spec.thermalTimeConstantS / (horizonHours * 3600);
}

/**
 * Per-feature range the surrogate was trained on: outside it the surrogate
 * extrapolates and is not trusted.
 */
export interface FeatureEnvelope {
  readonly min: readonly number[];
  readonly max: readonly number[];
}

/**
 * Index of the first feature of the vector at `offset` outside `envelope`,
 * or -1 when all are inside (NaN counts as outside).
 *
 * @example
 * const i = firstOutsideEnvelope(row, 0, envelope);
 * if (i >= 0) console.log(describeOutsideEnvelope(row, 0, i, envelope));
 */
export function firstOutsideEnvelope(
  vector: Float32Array | Float64Array,
  offset: number,
  envelope: FeatureEnvelope,
): number {
  for (let i = 0; i < SURROGATE_FEATURE_COUNT; i++) {
    const v = vector[offset + i];
    if (!(v >= envelope.min[i] && v <= envelope.max[i])) return i;
  }
  return -1;
}

/**
 * Says which feature left the envelope and by how much, for the
 * assessment's note.
 *
 * @example
 * describeOutsideEnvelope(row, 0, 0, envelope); // "outside surrogate envelope: wearEstimate 1.08 > 1"
 */
export function describeOutsideEnvelope(
  vector: Float32Array | Float64Array,
  offset: number,
  index: number,
  envelope: FeatureEnvelope,
): string {
  const v = vector[offset + index];
  const name = SURROGATE_FEATURE_NAMES[index];
  if (Number.isNaN(v)) return `outside surrogate envelope: ${name} is NaN`;
  return v < envelope.min[index]
    ? `outside surrogate envelope: ${name} ${round(v)} < ${round(envelope.min[index])}`
    : `outside surrogate envelope: ${name} ${round(v)} > ${round(envelope.max[index])}`;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
