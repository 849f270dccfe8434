import { access, readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import type { AssetFeatures, RiskAssessment } from '../../operators/scoring/riskModel.js';
import {
  DEFAULT_HORIZON_HOURS,
  SURROGATE_FEATURE_COUNT,
  writeSurrogateFeatures,
} from '../../operators/scoring/surrogateFeatures.js';
import {
  METADATA_KEYS,
  parseSurrogateMetadata,
  SurrogateContractError,
  type SurrogateMetadata,
  type SurrogateRiskModel,
} from '../../operators/scoring/surrogateMetadata.js';
import { readOnnxMetadataProps, SURROGATE_INPUT, SURROGATE_OUTPUT } from './onnxModelFile.js';

/** Options of OnnxSurrogate.load / fromBytes. */
export interface OnnxSurrogateOptions {
  /** Horizon the pipeline scores over; the model must declare the same (default 6 h). */
  readonly horizonHours?: number;
  /** onnxruntime threads per inference (default 1: scoring runs beside the stream, not instead of it). */
  readonly intraOpNumThreads?: number;
}

/** onnxruntime failed to run the model on a batch; retriable, as a hybrid falls back to physics. */
export class SurrogateInferenceError extends Error {
  override readonly name = 'SurrogateInferenceError';
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * An ONNX surrogate risk model scored with onnxruntime-node, batched. The
 * model's metadata (metadata_props, or a `.json` sidecar beside the file)
 * must declare the feature contract of SURROGATE_FEATURE_NAMES, a training
 * envelope and the horizon; a user's own model works when it declares the
 * same, with an input "features" [N, F] float and an output "risk" [N, 1].
 * RUL is not predicted (rulHours null): the hybrid asks physics when it
 * needs it.
 *
 * @example
 * const surrogate = await OnnxSurrogate.load('models/machine-health-surrogate.onnx');
 * const [a] = await surrogate.assess([{ spec, features }]); // a.model === 'SURROGATE'
 * await surrogate.close();
 */
export class OnnxSurrogate implements SurrogateRiskModel {
  readonly name: string;
  readonly horizonHours: number;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly metadata: SurrogateMetadata,
    readonly source: string,
  ) {
    this.name = `onnx-surrogate-${metadata.version}`;
    this.horizonHours = metadata.horizonHours;
  }

  /** Loads a model file; metadata from its metadata_props, else from `<name>.json` beside it. */
  static async load(path: string, options: OnnxSurrogateOptions = {}): Promise<OnnxSurrogate> {
    const bytes = await readFile(path);
    let sidecar: ReadonlyMap<string, string> | undefined;
    const props = readOnnxMetadataProps(bytes, path);
    if (!props.has(METADATA_KEYS.featureNames)) sidecar = await readSidecar(path);
    return OnnxSurrogate.fromBytes(bytes, path, options, sidecar ?? props);
  }

  /**
   * Loads a model from bytes; `source` names it in errors. `props` overrides
   * the metadata read from the bytes.
   */
  static async fromBytes(
    bytes: Uint8Array,
    source: string,
    options: OnnxSurrogateOptions = {},
    props?: ReadonlyMap<string, string>,
  ): Promise<OnnxSurrogate> {
    const metadata = parseSurrogateMetadata(
      props ?? readOnnxMetadataProps(bytes, source),
      source,
      options.horizonHours ?? DEFAULT_HORIZON_HOURS,
    );
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
    });
    if (!session.inputNames.includes(SURROGATE_INPUT) || !session.outputNames.includes(SURROGATE_OUTPUT)) {
      await session.release();
      throw new SurrogateContractError(
        `${source}: graph has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; ` +
          `the contract needs input '${SURROGATE_INPUT}' [N, ${SURROGATE_FEATURE_COUNT}] and output '${SURROGATE_OUTPUT}' [N, 1]`,
        source,
      );
    }
    return new OnnxSurrogate(session, metadata, source);
  }

  async scoreRows(rows: Float32Array, count: number): Promise<Float32Array> {
    if (count === 0) return new Float32Array(0);
    const data =
      rows.length === count * SURROGATE_FEATURE_COUNT
        ? rows
        : rows.subarray(0, count * SURROGATE_FEATURE_COUNT);
    let output: ort.Tensor | undefined;
    try {
      const result = await this.session.run({
        [SURROGATE_INPUT]: new ort.Tensor('float32', data, [count, SURROGATE_FEATURE_COUNT]),
      });
      output = result[SURROGATE_OUTPUT];
    } catch (cause) {
      throw new SurrogateInferenceError(
        `${this.source}: inference on a batch of ${count} failed: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    if (output === undefined || output.type !== 'float32' || output.data.length !== count) {
      throw new SurrogateInferenceError(
        `${this.source}: output '${SURROGATE_OUTPUT}' has ${output?.data.length ?? 0} ${output?.type ?? ''} values for ${count} rows`,
      );
    }
    return output.data as Float32Array;
  }

  async assess(
    batch: ReadonlyArray<{ readonly spec: AssetSpec; readonly features: AssetFeatures }>,
  ): Promise<RiskAssessment[]> {
    // One buffer per batch, not shared between calls: inference is async and calls may overlap.
    const rows = new Float32Array(batch.length * SURROGATE_FEATURE_COUNT);
    for (let i = 0; i < batch.length; i++) {
      writeSurrogateFeatures(
        batch[i].spec,
        batch[i].features,
        this.horizonHours,
        rows,
        i * SURROGATE_FEATURE_COUNT,
      );
    }
    const risks = await this.scoreRows(rows, batch.length);
    const out: RiskAssessment[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      out[i] = { risk: risks[i], rulHours: null, horizonHours: this.horizonHours, model: 'SURROGATE' };
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function readSidecar(onnxPath: string): Promise<ReadonlyMap<string, string> | undefined> {
  const path = `${onnxPath.replace(/\.onnx$/, '')}.json`;
  try {
    await access(path);
  } catch {
    return undefined;
  }
  const raw = await readFile(path, 'utf8');
  let meta: Partial<SurrogateMetadata>;
  try {
    meta = JSON.parse(raw) as Partial<SurrogateMetadata>;
  } catch (cause) {
    throw new SurrogateContractError(`${path}: sidecar is not JSON`, path, { cause });
  }
  const props = new Map<string, string>();
  if (meta.featureNames !== undefined)
    props.set(METADATA_KEYS.featureNames, JSON.stringify(meta.featureNames));
  if (meta.envelope !== undefined) props.set(METADATA_KEYS.envelope, JSON.stringify(meta.envelope));
  if (meta.version !== undefined) props.set(METADATA_KEYS.version, meta.version);
  for (const key of ['horizonHours', 'validationMae', 'validationMaxError', 'validationP99Error'] as const) {
    if (meta[key] !== undefined) props.set(METADATA_KEYS[key], String(meta[key]));
  }
  if (meta.trainedOn !== undefined) props.set(METADATA_KEYS.trainedOn, meta.trainedOn);
  return props;
}
