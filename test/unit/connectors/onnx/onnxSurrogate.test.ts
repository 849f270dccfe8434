import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxSurrogate } from '../../../../connectors/onnx/onnxSurrogate.js';
import { physicsRiskModel } from '../../../../operators/scoring/physicsRiskModel.js';
import { uniformSource } from '../../../../operators/scoring/seededRandom.js';
import {
  SURROGATE_FEATURE_COUNT,
  SURROGATE_FEATURE_NAMES,
  writeSurrogateFeatures,
} from '../../../../operators/scoring/surrogateFeatures.js';
import {
  SurrogateContractError,
  type SurrogateMetadata,
} from '../../../../operators/scoring/surrogateMetadata.js';
import { createMlp, predict } from '../../../../runtime/train/mlp.js';
import { mlpToOnnx } from '../../../../runtime/train/onnxExport.js';
import { DEFAULT_SAMPLING_RANGES, sampleState } from '../../../../runtime/train/trainSurrogate.js';
import { features, pump } from '../../operators/scoring/assetFixtures.js';

const metadata: SurrogateMetadata = {
  featureNames: [...SURROGATE_FEATURE_NAMES],
  envelope: DEFAULT_SAMPLING_RANGES,
  version: 'test-1',
  horizonHours: 6,
  validationMae: 0.01,
  validationMaxError: 0.2,
  validationP99Error: 0.1,
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('OnnxSurrogate', () => {
  it('scores an onnx-proto-built model as the TypeScript forward pass does', async () => {
    const net = createMlp([SURROGATE_FEATURE_COUNT, 16, 8, 1], 9);
    const surrogate = await OnnxSurrogate.fromBytes(mlpToOnnx(net, metadata), 'round-trip.onnx');
    try {
      const u = uniformSource(3);
      const n = 50;
      const rows = new Float32Array(n * SURROGATE_FEATURE_COUNT);
      for (let i = 0; i < rows.length; i++) rows[i] = 2 * u() - 1;
      const risks = await surrogate.scoreRows(rows, n);
      const asF64 = Float64Array.from(rows);
      for (let i = 0; i < n; i++)
        expect(risks[i]).toBeCloseTo(predict(net, asF64, i * SURROGATE_FEATURE_COUNT), 5);
      const [a] = await surrogate.assess([{ spec: pump, features: features() }]);
      expect(a.model).toBe('SURROGATE');
      expect(a.rulHours).toBeNull();
      expect(surrogate.metadata.version).toBe('test-1');
    } finally {
      await surrogate.close();
    }
  });

  it('rejects a model whose features differ from the contract, naming the mismatch', async () => {
    const swapped = [...SURROGATE_FEATURE_NAMES];
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
    const bytes = mlpToOnnx(createMlp([SURROGATE_FEATURE_COUNT, 4, 1], 1), {
      ...metadata,
      featureNames: swapped,
    });
    const err = await OnnxSurrogate.fromBytes(bytes, 'mine.onnx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SurrogateContractError);
    expect((err as Error).message).toMatch(
      /^mine.onnx: feature 2 is 'coolingFactor', the contract expects 'thermalMargin'/,
    );
    const short = mlpToOnnx(createMlp([SURROGATE_FEATURE_COUNT, 4, 1], 1), {
      ...metadata,
      featureNames: SURROGATE_FEATURE_NAMES.slice(0, 7),
    });
    await expect(OnnxSurrogate.fromBytes(short, 'short.onnx')).rejects.toThrow(/feature 7 is missing/);
    await expect(OnnxSurrogate.fromBytes(bytes, 'h.onnx', { horizonHours: 12 })).rejects.toThrow(
      SurrogateContractError,
    );
  });

  it('reads metadata from a JSON sidecar when the model file has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'twinflow-onnx-'));
    dirs.push(dir);
    const withProps = mlpToOnnx(createMlp([SURROGATE_FEATURE_COUNT, 4, 1], 2), metadata);
    // Strip metadata_props by re-encoding through onnx-proto.
    const onnxProto = (await import('onnx-proto')).default;
    const model = onnxProto.onnx.ModelProto.decode(withProps);
    model.metadataProps = [];
    const path = join(dir, 'user-model.onnx');
    await writeFile(path, onnxProto.onnx.ModelProto.encode(model).finish());
    await expect(OnnxSurrogate.load(path)).rejects.toThrow(/twinflow.feature_names is missing/);
    await writeFile(join(dir, 'user-model.json'), JSON.stringify({ ...metadata, version: 'sidecar-2' }));
    const surrogate = await OnnxSurrogate.load(path);
    expect(surrogate.metadata.version).toBe('sidecar-2');
    await surrogate.close();
  });

  it('ships a trained model that agrees with physics within its stated bound on unseen states', async () => {
    const surrogate = await OnnxSurrogate.load('models/machine-health-surrogate.onnx');
    try {
      const physics = physicsRiskModel();
      const u = uniformSource(987_654);
      const n = 400;
      const rows = new Float32Array(n * SURROGATE_FEATURE_COUNT);
      const truth = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const { spec, features: f } = sampleState(u, DEFAULT_SAMPLING_RANGES, 6, i % 2 === 1);
        writeSurrogateFeatures(spec, f, 6, rows, i * SURROGATE_FEATURE_COUNT);
        truth[i] = physics.riskOf(spec, f);
      }
      const risks = await surrogate.scoreRows(rows, n);
      let sum = 0;
      let max = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.abs(risks[i] - truth[i]);
        sum += e;
        max = Math.max(max, e);
      }
      const { validationMae, validationMaxError } = surrogate.metadata;
      expect(validationMae).toBeLessThan(0.01);
      // A fresh sample of 400 states: the mean error is within 2x of the held-out MAE, no error above the held-out max x1.5.
      expect(sum / n).toBeLessThan(2 * validationMae);
      expect(max).toBeLessThan(1.5 * validationMaxError);
    } finally {
      await surrogate.close();
    }
  });
});
