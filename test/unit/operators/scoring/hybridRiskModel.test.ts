import { describe, expect, it } from 'vitest';
import { hybridRiskModel } from '../../../../operators/scoring/hybridRiskModel.js';
import { physicsRiskModel } from '../../../../operators/scoring/physicsRiskModel.js';
import type { RiskModel } from '../../../../operators/scoring/riskModel.js';
import {
  SURROGATE_FEATURE_COUNT,
  SURROGATE_FEATURE_NAMES,
} from '../../../../operators/scoring/surrogateFeatures.js';
import type { SurrogateRiskModel } from '../../../../operators/scoring/surrogateMetadata.js';
import { features, pump } from './assetFixtures.js';

const envelope = {
  min: [0, 0, -0.1, 0.3, 0, 0.3, 0.3, 0.01],
  max: [0.9, 1.2, 0.95, 1.2, 0.15, 0.9, 1.5, 0.3],
};

/** A stand-in surrogate: a fixed answer per row, or a failure. */
function fakeSurrogate(score: (row: Float32Array) => number): SurrogateRiskModel & { rowsSeen: number } {
  const model = {
    name: 'fake',
    rowsSeen: 0,
    metadata: {
      featureNames: [...SURROGATE_FEATURE_NAMES],
      envelope,
      version: 'test',
      horizonHours: 6,
      validationMae: 0.01,
      validationMaxError: 0.1,
      validationP99Error: 0.05,
    },
    async scoreRows(rows: Float32Array, count: number) {
      model.rowsSeen += count;
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        out[i] = score(rows.subarray(i * SURROGATE_FEATURE_COUNT, (i + 1) * SURROGATE_FEATURE_COUNT));
      }
      return out;
    },
    async assess() {
      throw new Error('not used by the hybrid');
    },
  };
  return model;
}

const physics = physicsRiskModel({ samples: 64, seed: 5 });

describe('hybridRiskModel', () => {
  it('lets the surrogate decide inside its envelope and physics outside, saying why', async () => {
    const surrogate = fakeSurrogate(() => 0.01);
    const hybrid = hybridRiskModel({ surrogate, physics, crossCheckEvery: 0 });
    const [inside, outside] = await hybrid.assess([
      { spec: pump, features: features({ wearEstimate: 0.3 }) },
      { spec: pump, features: features({ wearEstimate: 0.97 }) },
    ]);
    expect(inside).toMatchObject({ model: 'SURROGATE', risk: expect.closeTo(0.01, 6) });
    expect(outside.model).toBe('PHYSICS');
    expect(outside.note).toBe('outside surrogate envelope: wearEstimate 0.97 > 0.9');
    expect(outside.risk).toBe(physics.assessOne(pump, features({ wearEstimate: 0.97 })).risk);
    expect(surrogate.rowsSeen).toBe(1);
    expect(hybrid.counters()).toMatchObject({
      assessed: 2,
      surrogate: 1,
      physics: 1,
      outsideEnvelope: 1,
      surrogateShare: 0.5,
    });
  });

  it('falls back to physics on a cross-check that drifts past the tolerance', async () => {
    const hybrid = hybridRiskModel({
      surrogate: fakeSurrogate(() => 0.9),
      physics,
      tolerance: 0.1,
      crossCheckEvery: 1,
    });
    const [a] = await hybrid.assess([{ spec: pump, features: features() }]);
    expect(a.model).toBe('PHYSICS');
    expect(a.risk).toBe(0);
    expect(a.note).toMatch(/cross-check drift: surrogate 0.9 vs physics 0 \(tolerance 0.1\)/);
    expect(hybrid.counters()).toMatchObject({ crossChecks: 1, drifts: 1, physics: 1 });
  });

  it('keeps the surrogate when a cross-check agrees, and samples the same items on a replay', async () => {
    const batch = Array.from({ length: 64 }, (_, i) => ({
      spec: pump,
      features: features({ load: 0.5 + i / 200 }),
    }));
    const run = async () => {
      const hybrid = hybridRiskModel({ surrogate: fakeSurrogate(() => 0), physics, crossCheckEvery: 8 });
      const out = await hybrid.assess(batch);
      return { out, counters: hybrid.counters() };
    };
    const first = await run();
    const second = await run();
    expect(first.out.every((a) => a.model === 'SURROGATE')).toBe(true);
    expect(first.counters.crossChecks).toBeGreaterThan(0);
    expect(first.counters.crossChecks).toBeLessThan(64);
    expect(first.counters.drifts).toBe(0);
    expect(second).toEqual(first);
  });

  it('uses physics when the surrogate throws or returns nonsense', async () => {
    const throwing = fakeSurrogate(() => {
      throw new Error('session gone');
    });
    const [a] = await hybridRiskModel({ surrogate: throwing, physics }).assess([
      { spec: pump, features: features() },
    ]);
    expect(a.model).toBe('PHYSICS');
    expect(a.note).toMatch(/surrogate failed, physics decided: session gone/);
    const nan = hybridRiskModel({ surrogate: fakeSurrogate(() => Number.NaN), physics, crossCheckEvery: 0 });
    const [b] = await nan.assess([{ spec: pump, features: features() }]);
    expect(b.model).toBe('PHYSICS');
    expect(nan.counters().surrogateFailures).toBe(1);
  });

  it('is FAILSAFE with risk 1 when physics fails too, without failing the rest of the batch', async () => {
    const flakyPhysics: RiskModel = {
      name: 'flaky',
      async assess(batch) {
        if (batch.some((b) => b.features.load > 1)) throw new Error('solver diverged');
        return physics.assess(batch);
      },
    };
    const hybrid = hybridRiskModel({
      surrogate: fakeSurrogate(() => {
        throw new Error('down');
      }),
      physics: flakyPhysics,
    });
    const [bad, good] = await hybrid.assess([
      { spec: pump, features: features({ load: 1.1 }) },
      { spec: pump, features: features({ load: 0.5 }) },
    ]);
    expect(bad).toMatchObject({ model: 'FAILSAFE', risk: 1, rulHours: null });
    expect(bad.note).toMatch(/surrogate failed.*physics failed too: solver diverged/);
    expect(good.model).toBe('PHYSICS');
    expect(hybrid.counters()).toMatchObject({ failsafe: 1, physics: 1, surrogate: 0 });
  });
});
