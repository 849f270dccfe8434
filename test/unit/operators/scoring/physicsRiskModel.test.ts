import { describe, expect, it } from 'vitest';
import { PhysicsInputError, physicsRiskModel } from '../../../../operators/scoring/physicsRiskModel.js';
import { features, pump } from './assetFixtures.js';

describe('physicsRiskModel', () => {
  const physics = physicsRiskModel({ samples: 128, seed: 3 });

  it('gives a new, cool asset zero risk and no failure within the lookahead', () => {
    const a = physics.assessOne(pump, features({ wearEstimate: 0, temperatureC: 30, load: 0.8 }));
    expect(a.risk).toBe(0);
    expect(a.rulHours).toBeNull();
    expect(a.model).toBe('PHYSICS');
    expect(a.horizonHours).toBe(6);
  });

  it('raises risk with wear', () => {
    const risks = [0.5, 0.9, 0.95, 0.97, 0.99, 1.04].map((w) =>
      physics.riskOf(pump, features({ wearEstimate: w })),
    );
    for (let i = 1; i < risks.length; i++) expect(risks[i]).toBeGreaterThanOrEqual(risks[i - 1]);
    expect(risks[0]).toBe(0);
    expect(risks[risks.length - 1]).toBeGreaterThan(0.9);
  });

  it('raises risk with temperature and cooling loss, to about 1 near the trip limit', () => {
    const cooling = [1, 0.8, 0.7, 0.6, 0.5].map((cf) =>
      physics.riskOf(pump, features({ coolingFactor: cf })),
    );
    for (let i = 1; i < cooling.length; i++) expect(cooling[i]).toBeGreaterThanOrEqual(cooling[i - 1]);
    expect(cooling[0]).toBe(0);
    expect(cooling[cooling.length - 1]).toBe(1);
    const temps = [70, 85, 92, 94.5].map((t) =>
      physics.riskOf(pump, features({ temperatureC: t, coolingFactor: 0.72 })),
    );
    for (let i = 1; i < temps.length; i++) expect(temps[i]).toBeGreaterThanOrEqual(temps[i - 1]);
    expect(physics.riskOf(pump, features({ temperatureC: 95 }))).toBe(1);
  });

  it('gives a shorter RUL to a more worn asset, and RUL 0 to a failed one', () => {
    const worn = physics.assessOne(pump, features({ wearEstimate: 0.95 })).rulHours;
    const less = physics.assessOne(pump, features({ wearEstimate: 0.85 })).rulHours;
    expect(worn).not.toBeNull();
    expect(less).not.toBeNull();
    expect(worn!).toBeLessThan(less!);
    expect(physics.assessOne(pump, features({ wearEstimate: 1.05 })).rulHours).toBe(0);
  });

  it('is deterministic for a seed and independent of the batch an asset comes in', async () => {
    const f = features({ wearEstimate: 0.97, coolingFactor: 0.8 });
    const again = physicsRiskModel({ samples: 128, seed: 3 });
    const [alone] = await physics.assess([{ spec: pump, features: f }]);
    const [, inBatch] = await again.assess([
      { spec: pump, features: features({ wearEstimate: 0.3 }) },
      { spec: pump, features: f },
    ]);
    expect(inBatch).toEqual(alone);
    const other = physicsRiskModel({ samples: 128, seed: 4 }).assessOne(pump, f);
    expect(other.risk).not.toBe(alone.risk);
  });

  it('rejects a NaN feature with a typed error naming the batch item and field', async () => {
    await expect(
      physics.assess([
        { spec: pump, features: features() },
        { spec: pump, features: features({ load: Number.NaN }) },
      ]),
    ).rejects.toThrow(/batch item 1: asset pump-1: feature load is NaN/);
    await expect(
      physics.assess([{ spec: pump, features: features({ load: Number.NaN }) }]),
    ).rejects.toBeInstanceOf(PhysicsInputError);
  });
});
