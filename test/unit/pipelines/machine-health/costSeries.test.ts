import { describe, expect, it } from 'vitest';
import { cumulativeCost } from '../../../../pipelines/machine-health/costSeries.js';
import { runMachineHealthEmbedded } from '../../../../pipelines/machine-health/embeddedJob.js';

describe('cumulativeCost', () => {
  it('accumulates to each run’s total cost, never decreasing', async () => {
    // A baseline-only run: ground truth and the hourly series of a plant with failures.
    const r = await runMachineHealthEmbedded({ assets: 24, days: 1, seed: 7, baselineOnly: true });
    const series = r.series!.baseline;
    const cost = cumulativeCost(series, r.baselineTruth, r.catalogue);
    expect(cost).toHaveLength(series.ts.length);
    for (let k = 1; k < cost.length; k++) expect(cost[k]).toBeGreaterThanOrEqual(cost[k - 1]);
    expect(r.costs.baseline.facts.failures).toBeGreaterThan(0);
    expect(cost.at(-1)).toBeCloseTo(r.costs.baseline.cost.total, 6);
  });

  it('charges a dispatch in the bucket it was decided in', async () => {
    const r = await runMachineHealthEmbedded({ assets: 12, days: 0.25, seed: 3, baselineOnly: true });
    const series = r.series!.baseline;
    const without = cumulativeCost(series, r.baselineTruth, r.catalogue);
    const at = series.ts[2]! - 1;
    const rate = r.catalogue.costs.byLine['north-l1']!.dispatchPerEvent;
    const withOne = cumulativeCost(series, r.baselineTruth, r.catalogue, [
      { assetId: 'pump-001', action: 'DISPATCH_TECHNICIAN', decidedAt: at },
      { assetId: 'pump-001', action: 'REDUCE_LOAD', decidedAt: at },
    ]);
    expect(withOne.map((x, k) => Math.round(x - without[k]))).toEqual(
      series.ts.map((_, k) => (k >= 2 ? rate : 0)),
    );
  });
});
