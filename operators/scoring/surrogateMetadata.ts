import type { RiskModel } from './riskModel.js';
import {
  type FeatureEnvelope,
  SURROGATE_FEATURE_COUNT,
  SURROGATE_FEATURE_NAMES,
} from './surrogateFeatures.js';

/**
 * What a surrogate model declares about itself, stored in the ONNX file's
 * metadata_props (and a JSON sidecar beside it): the feature contract, the
 * envelope it was trained on, its version and its measured error.
 */
export interface SurrogateMetadata {
  readonly featureNames: readonly string[];
  readonly envelope: FeatureEnvelope;
  readonly version: string;
  readonly horizonHours: number;
  /** Mean absolute error of risk against the physics model on held-out states. */
  readonly validationMae: number;
  readonly validationMaxError: number;
  /** 99th percentile of the absolute error on held-out states. */
  readonly validationP99Error: number;
  readonly trainedOn?: string;
}

/** metadata_props keys; a user's own model sets the same ones. */
export const METADATA_KEYS = {
  featureNames: 'twinflow.feature_names',
  envelope: 'twinflow.training_envelope',
  version: 'twinflow.model_version',
  horizonHours: 'twinflow.horizon_hours',
  validationMae: 'twinflow.validation_mae',
  validationMaxError: 'twinflow.validation_max_error',
  validationP99Error: 'twinflow.validation_p99_error',
  trainedOn: 'twinflow.trained_on',
} as const;

/** A surrogate whose declared contract differs from SURROGATE_FEATURE_NAMES or lacks a field. */
export class SurrogateContractError extends Error {
  override readonly name = 'SurrogateContractError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly source: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Flattens metadata into metadata_props entries (all values are strings).
 *
 * @example
 * const props = metadataToProps(meta); // [{ key: 'twinflow.feature_names', value: '["wearEstimate",...]' }, ...]
 */
export function metadataToProps(meta: SurrogateMetadata): { key: string; value: string }[] {
  const props: { key: string; value: string }[] = [
    { key: METADATA_KEYS.featureNames, value: JSON.stringify(meta.featureNames) },
    { key: METADATA_KEYS.envelope, value: JSON.stringify(meta.envelope) },
    { key: METADATA_KEYS.version, value: meta.version },
    { key: METADATA_KEYS.horizonHours, value: String(meta.horizonHours) },
    { key: METADATA_KEYS.validationMae, value: String(meta.validationMae) },
    { key: METADATA_KEYS.validationMaxError, value: String(meta.validationMaxError) },
    { key: METADATA_KEYS.validationP99Error, value: String(meta.validationP99Error) },
  ];
  if (meta.trainedOn !== undefined) props.push({ key: METADATA_KEYS.trainedOn, value: meta.trainedOn });
  return props;
}

/**
 * Parses and checks metadata_props against the feature contract and the
 * expected horizon. `source` names the file in error messages.
 *
 * @example
 * const meta = parseSurrogateMetadata(new Map(props.map((p) => [p.key, p.value])), 'models/x.onnx', 6);
 */
export function parseSurrogateMetadata(
  props: ReadonlyMap<string, string>,
  source: string,
  expectedHorizonHours: number,
): SurrogateMetadata {
  const names = parseJson(props, METADATA_KEYS.featureNames, source);
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new SurrogateContractError(
      `${source}: ${METADATA_KEYS.featureNames} is not a JSON array of strings`,
      source,
    );
  }
  checkFeatureNames(names, source);
  const envelope = parseJson(props, METADATA_KEYS.envelope, source) as Partial<FeatureEnvelope> | null;
  if (!envelope || !isNumbers(envelope.min) || !isNumbers(envelope.max)) {
    throw new SurrogateContractError(
      `${source}: ${METADATA_KEYS.envelope} must be {"min": [${SURROGATE_FEATURE_COUNT} numbers], "max": [${SURROGATE_FEATURE_COUNT} numbers]}`,
      source,
    );
  }
  const horizonHours = parseNumber(props, METADATA_KEYS.horizonHours, source);
  if (horizonHours !== expectedHorizonHours) {
    throw new SurrogateContractError(
      `${source}: model predicts risk over ${horizonHours} h, this pipeline scores over ${expectedHorizonHours} h`,
      source,
    );
  }
  const trainedOn = props.get(METADATA_KEYS.trainedOn);
  return {
    featureNames: names,
    envelope: { min: envelope.min, max: envelope.max },
    version: props.get(METADATA_KEYS.version) ?? 'unversioned',
    horizonHours,
    validationMae: parseNumber(props, METADATA_KEYS.validationMae, source),
    validationMaxError: parseNumber(props, METADATA_KEYS.validationMaxError, source),
    validationP99Error: props.has(METADATA_KEYS.validationP99Error)
      ? parseNumber(props, METADATA_KEYS.validationP99Error, source)
      : Number.NaN,
    ...(trainedOn === undefined ? {} : { trainedOn }),
  };
}

/**
 * Throws a SurrogateContractError naming the first position where `names`
 * differs from SURROGATE_FEATURE_NAMES.
 *
 * @example
 * checkFeatureNames(['wearEstimate', 'load', ...], 'my-model.onnx');
 */
export function checkFeatureNames(names: readonly string[], source: string): void {
  const n = Math.max(names.length, SURROGATE_FEATURE_COUNT);
  for (let i = 0; i < n; i++) {
    if (names[i] !== SURROGATE_FEATURE_NAMES[i]) {
      const got = i < names.length ? `'${names[i]}'` : 'missing';
      const want =
        i < SURROGATE_FEATURE_COUNT ? `'${SURROGATE_FEATURE_NAMES[i]}'` : 'nothing (extra feature)';
      throw new SurrogateContractError(
        `${source}: feature ${i} is ${got}, the contract expects ${want} (features: ${SURROGATE_FEATURE_NAMES.join(', ')})`,
        source,
      );
    }
  }
}

function parseJson(props: ReadonlyMap<string, string>, key: string, source: string): unknown {
  const raw = props.get(key);
  if (raw === undefined) throw new SurrogateContractError(`${source}: metadata ${key} is missing`, source);
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new SurrogateContractError(`${source}: metadata ${key} is not JSON: ${raw.slice(0, 80)}`, source, {
      cause,
    });
  }
}

function parseNumber(props: ReadonlyMap<string, string>, key: string, source: string): number {
  const raw = props.get(key);
  const v = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(v))
    throw new SurrogateContractError(
      `${source}: metadata ${key} is ${raw ?? 'missing'}, not a number`,
      source,
    );
  return v;
}

function isNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.length === SURROGATE_FEATURE_COUNT && v.every((x) => typeof x === 'number');
}

/**
 * A risk model that scores surrogate feature rows and declares its
 * envelope: what the hybrid model needs to route between it and physics.
 *
 * @example
 * const risks = await surrogate.scoreRows(rows, count); // rows: count × SURROGATE_FEATURE_COUNT
 */
export interface SurrogateRiskModel extends RiskModel {
  readonly metadata: SurrogateMetadata;
  /** Risk of `count` rows of SURROGATE_FEATURE_COUNT features, in one batched inference. */
  scoreRows(rows: Float32Array, count: number): Promise<Float32Array>;
}
