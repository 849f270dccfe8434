import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import { type PhysicsRiskOptions, physicsRiskModel } from '../../operators/scoring/physicsRiskModel.js';
import type { AssetFeatures } from '../../operators/scoring/riskModel.js';
import { uniformSource } from '../../operators/scoring/seededRandom.js';
import {
  DEFAULT_HORIZON_HOURS,
  type FeatureEnvelope,
  SURROGATE_FEATURE_COUNT,
  SURROGATE_FEATURE_NAMES,
  writeSurrogateFeatures,
} from '../../operators/scoring/surrogateFeatures.js';
import type { SurrogateMetadata } from '../../operators/scoring/surrogateMetadata.js';
import { createMlp, fitMlp, foldInputScaling, type Mlp, predict } from './mlp.js';

/** Range each feature is sampled over, in SURROGATE_FEATURE_NAMES order. */
export const DEFAULT_SAMPLING_RANGES: FeatureEnvelope = {
  //    wear load  margin cooling wear/h  heatRatio span  tau/h
  min: [0, 0, -0.1, 0.3, 0, 0.3, 0.3, 0.01],
  // Wear per horizon reaches 3: a bearing defect multiplies the catalogue rate up to ~200 times,
  // and the twin scores with the rate it observes, so defective assets must be inside the envelope.
  max: [1, 1.2, 0.95, 1.2, 3, 0.9, 1.5, 0.3],
};

/** Settings of a training run; every field has a default, and the same settings give the same model. */
export interface TrainSurrogateOptions {
  readonly seed?: number;
  readonly trainStates?: number;
  readonly validationStates?: number;
  readonly hidden?: readonly number[];
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly version?: string;
  /** The physics model that labels the states (its seed and sample count define the target). */
  readonly physics?: PhysicsRiskOptions;
  readonly ranges?: FeatureEnvelope;
  /** Progress lines (labelling, epochs, validation); the CLI sends them to stderr. */
  readonly onProgress?: (line: string) => void;
}

/** A trained surrogate with its metadata and the held-out set it was validated on. */
export interface TrainedSurrogate {
  readonly net: Mlp;
  readonly metadata: SurrogateMetadata;
  /** Held-out feature rows (F per row) and their physics risk. */
  readonly validationX: Float64Array;
  readonly validationY: Float64Array;
}

/**
 * Samples asset states across the sampling ranges (seeded), labels each with
 * the physics model's risk over the horizon, trains a small MLP on them and
 * measures its error against physics on a held-out set. Half the states are
 * drawn uniformly; half sit near the thermal steady state of their load and
 * cooling, where a running twin spends its time, so the error bound is
 * tightest where it matters.
 *
 * @example
 * const { net, metadata } = trainSurrogate({ seed: 1, onProgress: (l) => process.stderr.write(`${l}\n`) });
 * metadata.validationMae; // e.g. 0.005
 */
export function trainSurrogate(options: TrainSurrogateOptions = {}): TrainedSurrogate {
  const seed = options.seed ?? 1;
  const ranges = options.ranges ?? DEFAULT_SAMPLING_RANGES;
  const nTrain = options.trainStates ?? 24_000;
  const nVal = options.validationStates ?? 4_000;
  const progress = options.onProgress ?? (() => {});
  const physicsOptions = { horizonHours: DEFAULT_HORIZON_HOURS, ...options.physics };
  const physics = physicsRiskModel(physicsOptions);
  const horizonHours = physics.horizonHours;
  const F = SURROGATE_FEATURE_COUNT;

  const t0 = Date.now();
  const u = uniformSource(seed);
  const label = (rows: number, what: string) => {
    const x = new Float64Array(rows * F);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const { spec, features } = sampleState(u, ranges, horizonHours, r % 2 === 1);
      writeSurrogateFeatures(spec, features, horizonHours, x, r * F);
      y[r] = physics.riskOf(spec, features);
      if ((r + 1) % 4000 === 0)
        progress(`labelled ${r + 1}/${rows} ${what} states with physics (${Date.now() - t0} ms)`);
    }
    return { x, y };
  };
  const train = label(nTrain, 'training');
  const val = label(nVal, 'validation');

  const envelope = envelopeOf(train.x, nTrain);
  // Train on inputs scaled to [-1, 1] (tanh units need it), then fold the scaling into layer 0.
  const shift = new Float64Array(F);
  const scale = new Float64Array(F);
  for (let i = 0; i < F; i++) {
    shift[i] = (envelope.max[i] + envelope.min[i]) / 2;
    scale[i] = 2 / Math.max(envelope.max[i] - envelope.min[i], 1e-12);
  }
  const scaled = new Float64Array(train.x.length);
  for (let k = 0; k < scaled.length; k++) scaled[k] = (train.x[k] - shift[k % F]) * scale[k % F];

  const net = createMlp([F, ...(options.hidden ?? [32, 32]), 1], seed + 1);
  const epochs = options.epochs ?? 100;
  fitMlp(net, scaled, train.y, {
    epochs,
    batchSize: options.batchSize ?? 64,
    learningRate: options.learningRate ?? 0.01,
    finalLearningRate: 0.0002,
    seed: seed + 2,
    onEpoch: (epoch, loss) => {
      if (epoch % 10 === 0 || epoch === epochs)
        progress(`epoch ${epoch}/${epochs} loss ${loss.toFixed(5)} (${Date.now() - t0} ms)`);
    },
  });
  foldInputScaling(net, shift, scale);

  const errors = validationErrors(net, val.x, val.y);
  progress(
    `validation on ${nVal} held-out states: MAE ${errors.mae.toFixed(4)}, p99 ${errors.p99.toFixed(4)}, max ${errors.max.toFixed(4)}`,
  );
  return {
    net,
    metadata: {
      featureNames: [...SURROGATE_FEATURE_NAMES],
      envelope,
      version: options.version ?? `mlp-${net.sizes.join('-')}-seed${seed}`,
      horizonHours,
      validationMae: round(errors.mae),
      validationMaxError: round(errors.max),
      validationP99Error: round(errors.p99),
      trainedOn: `${nTrain} states labelled by physics-mc-${physicsOptions.samples ?? 256} (seed ${physicsOptions.seed ?? 1})`,
    },
    validationX: val.x,
    validationY: val.y,
  };
}

/**
 * Mean, 99th percentile and maximum absolute error of `net` against targets.
 *
 * @example
 * validationErrors(net, x, y).mae;
 */
export function validationErrors(
  net: Mlp,
  x: Float64Array,
  y: Float64Array,
): { mae: number; p99: number; max: number } {
  const errs = new Float64Array(y.length);
  let sum = 0;
  for (let r = 0; r < y.length; r++) {
    errs[r] = Math.abs(predict(net, x, r * net.sizes[0]) - y[r]);
    sum += errs[r];
  }
  errs.sort();
  return { mae: sum / y.length, p99: errs[Math.floor(0.99 * (y.length - 1))], max: errs[y.length - 1] };
}

/**
 * A spec and twin state whose surrogate features fall inside `ranges`
 * (ambient fixed at 20 °C: the features are dimensionless, so it drops out).
 *
 * @example
 * const { spec, features } = sampleState(uniformSource(1), DEFAULT_SAMPLING_RANGES, 6, true);
 */
export function sampleState(
  u: () => number,
  ranges: FeatureEnvelope,
  horizonHours: number,
  nearSteadyState: boolean,
): { spec: AssetSpec; features: AssetFeatures } {
  // Overshoot and clamp, so about 2 % of draws sit exactly on each bound (a new asset's wear 0, an idle
  // load 0): the envelope is the min/max seen, and those states must be inside it.
  const draw = (i: number) =>
    ranges.min[i] + Math.min(1, Math.max(0, 1.04 * u() - 0.02)) * (ranges.max[i] - ranges.min[i]);
  const wear = draw(0);
  const load = draw(1);
  let margin = draw(2);
  const cooling = draw(3);
  // Squared draw: most assets wear at catalogue rates near 0, so sample that end densely.
  const wearPerHorizon =
    ranges.min[4] + Math.min(1, Math.max(0, 1.04 * u() - 0.02)) ** 2 * (ranges.max[4] - ranges.min[4]);
  const heatRatio = draw(5);
  const span = draw(6) * 100;
  const tauPerHorizon = draw(7);
  if (nearSteadyState) {
    const steady = (heatRatio * load * load) / Math.max(cooling, 0.05);
    margin = Math.min(ranges.max[2], Math.max(ranges.min[2], steady * (0.85 + 0.3 * u())));
  }
  const ambientC = 20;
  const spec: AssetSpec = {
    id: 'training',
    kind: 'training',
    site: 'training',
    line: 'training',
    ratedPowerKw: 1,
    ratedRpm: 1,
    ratedPressureBar: 1,
    ambientC,
    heatRiseAtRatedC: heatRatio * span,
    thermalTimeConstantS: tauPerHorizon * horizonHours * 3600,
    temperatureAlarmC: ambientC + 0.9 * span,
    temperatureLimitC: ambientC + span,
    baseVibrationMmS: 1,
    vibrationAlarmMmS: 5,
    wearPerHourAtRated: wearPerHorizon / horizonHours,
    idealCycleTimeS: 1,
    repairTimeS: 1,
    maintenanceTimeS: 1,
  };
  return {
    spec,
    features: { temperatureC: ambientC + margin * span, wearEstimate: wear, load, coolingFactor: cooling },
  };
}

function envelopeOf(x: Float64Array, rows: number): FeatureEnvelope {
  const F = SURROGATE_FEATURE_COUNT;
  const min = new Array<number>(F).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(F).fill(Number.NEGATIVE_INFINITY);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < F; i++) {
      const v = x[r * F + i];
      if (v < min[i]) min[i] = v;
      if (v > max[i]) max[i] = v;
    }
  }
  // Rounded outward to 1e-6 with a 1e-6 margin: readable bounds, and a training row converted to float32
  // for the tensor (0.95 -> 0.949999988, 1.2 -> 1.2000000477) is still inside.
  return {
    min: min.map((v) => Math.floor(v * 1e6 - 1) / 1e6),
    max: max.map((v) => Math.ceil(v * 1e6 + 1) / 1e6),
  };
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}
