import { describe, expect, it } from 'vitest';
import { readOnnxMetadataProps } from '../../../../connectors/onnx/onnxModelFile.js';
import { SURROGATE_FEATURE_NAMES } from '../../../../operators/scoring/surrogateFeatures.js';
import { parseSurrogateMetadata } from '../../../../operators/scoring/surrogateMetadata.js';
import { mlpToOnnx } from '../../../../runtime/train/onnxExport.js';
import { trainSurrogate, validationErrors } from '../../../../runtime/train/trainSurrogate.js';

const tiny = {
  seed: 4,
  trainStates: 600,
  validationStates: 200,
  epochs: 8,
  hidden: [8],
  physics: { samples: 32 },
};

describe('trainSurrogate', () => {
  it('learns physics risk better than a constant guess, and reports its held-out error', () => {
    const lines: string[] = [];
    const t = trainSurrogate({ ...tiny, onProgress: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('epoch 8/8 loss'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^validation on 200 held-out states: MAE/);
    const { mae, max } = validationErrors(t.net, t.validationX, t.validationY);
    expect(t.metadata.validationMae).toBeCloseTo(mae, 4);
    expect(t.metadata.validationMaxError).toBeCloseTo(max, 4);
    const meanY = t.validationY.reduce((a, b) => a + b, 0) / t.validationY.length;
    const constantMae = t.validationY.reduce((a, y) => a + Math.abs(y - meanY), 0) / t.validationY.length;
    expect(mae).toBeLessThan(constantMae);
    expect(t.metadata.featureNames).toEqual(SURROGATE_FEATURE_NAMES);
    // The envelope is what training saw, bounds included (a new asset's wear 0), widened by 1e-6.
    expect(t.metadata.envelope.min[0]).toBeCloseTo(0, 5);
    expect(t.metadata.envelope.min[0]).toBeLessThanOrEqual(0);
    expect(t.metadata.envelope.max[1]).toBeCloseTo(1.2, 5);
    expect(t.metadata.envelope.max[1]).toBeGreaterThanOrEqual(1.2);
  });

  it('is deterministic: the same settings give byte-identical ONNX files with parseable metadata', () => {
    const a = trainSurrogate(tiny);
    const b = trainSurrogate(tiny);
    const bytesA = mlpToOnnx(a.net, a.metadata);
    expect(Buffer.from(bytesA).equals(Buffer.from(mlpToOnnx(b.net, b.metadata)))).toBe(true);
    const meta = parseSurrogateMetadata(readOnnxMetadataProps(bytesA, 'tiny.onnx'), 'tiny.onnx', 6);
    expect(meta).toEqual(a.metadata);
  });
});
