import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import type { AssetTruth, GroundTruth, StateChange } from '../../../../connectors/simulator/groundTruth.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import { plantCosts, runSavings } from '../../../../pipelines/machine-health/plantCosts.js';

const H = 3_600_000;

function asset(over: Partial<AssetTruth>): AssetTruth {
  return {
    timeInStateS: { RUNNING: 0, IDLE: 0, FAILED: 0, MAINTENANCE: 0, STOPPED: 0 },
    unplannedDowntimeS: 0,
    plannedDowntimeS: 0,
    failures: 0,
    energyKwh: 0,
    goodUnits: 0,
    rejectedUnits: 0,
    wear: 0,
    timeline: [],
    ...over,
  };
}

function truth(assets: Record<string, AssetTruth>): GroundTruth {
  const sum = (f: (a: AssetTruth) => number) => Object.values(assets).reduce((s, a) => s + f(a), 0);
  return {
    from: 0,
    to: 24 * H,
    failures: [],
    faults: [],
    commands: [],
    assets,
    totals: {
      failures: sum((a) => a.failures),
      unplannedDowntimeS: sum((a) => a.unplannedDowntimeS),
      plannedDowntimeS: sum((a) => a.plannedDowntimeS),
      energyKwh: sum((a) => a.energyKwh),
      goodUnits: sum((a) => a.goodUnits),
      rejectedUnits: sum((a) => a.rejectedUnits),
    },
  };
}

const maintenance: StateChange[] = [
  { ts: H, state: 'MAINTENANCE', reason: 'maintenance' },
  { ts: 3 * H, state: 'RUNNING', reason: 'maintained' },
];

describe('plantCosts', () => {
  it('prices failures, downtime, maintenances, dispatches and energy with each line’s rates', async () => {
    const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
    const l1 = catalogue.costs.byLine['north-l1'];
    const air = catalogue.costs.byLine['south-air'];
    expect(l1.unplannedDowntimePerHour).not.toBe(air.unplannedDowntimePerHour); // the reference overrides north-l1
    const costs = plantCosts(
      truth({
        'pump-001': asset({ failures: 1, unplannedDowntimeS: 8 * 3600, energyKwh: 100, goodUnits: 1000 }),
        'compressor-001': asset({
          timeline: maintenance,
          plannedDowntimeS: 7200,
          energyKwh: 50,
          goodUnits: 500,
        }),
      }),
      catalogue,
      [
        { assetId: 'pump-001', action: 'DISPATCH_TECHNICIAN' },
        { assetId: 'pump-001', action: 'DISPATCH_TECHNICIAN' },
        { assetId: 'pump-001', action: 'REDUCE_LOAD' },
        { assetId: 'compressor-001', action: 'SCHEDULE_MAINTENANCE' },
      ],
    );
    expect(costs.currency).toBe('EUR');
    expect(costs.byAsset['pump-001'].cost).toEqual({
      unplannedDowntime: 8 * l1.unplannedDowntimePerHour,
      repairs: l1.repairPerFailure,
      maintenance: 0,
      dispatches: 2 * l1.dispatchPerEvent,
      energy: 100 * l1.energyPerKwh,
      total:
        8 * l1.unplannedDowntimePerHour +
        l1.repairPerFailure +
        2 * l1.dispatchPerEvent +
        100 * l1.energyPerKwh,
    });
    // The maintenance is counted from what the asset did (entries into MAINTENANCE), not from the command.
    expect(costs.byAsset['compressor-001'].facts).toMatchObject({ maintenances: 1, dispatches: 0 });
    expect(costs.byLine['south-air'].cost.maintenance).toBe(air.maintenancePerEvent);
    expect(costs.facts).toEqual({
      unplannedDowntimeH: 8,
      failures: 1,
      maintenances: 1,
      dispatches: 2,
      energyKwh: 150,
      goodUnits: 1500,
    });
    expect(costs.cost.total).toBeCloseTo(
      costs.byLine['north-l1'].cost.total + costs.byLine['south-air'].cost.total,
      9,
    );
  });

  it('names an asset the catalogue does not know', async () => {
    const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
    expect(() => plantCosts(truth({ 'pump-999': asset({}) }), catalogue)).toThrow(/pump-999/);
  });
});

describe('runSavings', () => {
  it('is the costs avoided plus the margin of the units made more, per day and per asset-day', async () => {
    const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
    const l1 = catalogue.costs.byLine['north-l1'];
    const baseline = plantCosts(
      truth({
        'pump-001': asset({ failures: 1, unplannedDowntimeS: 8 * 3600, energyKwh: 100, goodUnits: 1000 }),
        'pump-002': asset({ energyKwh: 100, goodUnits: 1000 }),
      }),
      catalogue,
    );
    const twin = plantCosts(
      truth({
        'pump-001': asset({ timeline: maintenance, energyKwh: 90, goodUnits: 900 }),
        'pump-002': asset({ energyKwh: 100, goodUnits: 1000 }),
      }),
      catalogue,
      [{ assetId: 'pump-001', action: 'DISPATCH_TECHNICIAN' }],
    );
    const s = runSavings(baseline, twin, catalogue, 2);
    const saved =
      8 * l1.unplannedDowntimePerHour +
      l1.repairPerFailure -
      l1.maintenancePerEvent -
      l1.dispatchPerEvent +
      10 * l1.energyPerKwh;
    expect(s.saved.total).toBeCloseTo(saved, 9);
    expect(s.productionValue).toBeCloseTo(-100 * l1.marginPerUnit, 9);
    expect(s.net).toBeCloseTo(saved - 100 * l1.marginPerUnit, 9);
    expect(s.netPerDay).toBeCloseTo(s.net / 2, 9);
    expect(s.netPerAssetDay).toBeCloseTo(s.net / 2 / 2, 9);
    expect(s.byLine['north-l1'].net).toBeCloseTo(s.net, 9);
    expect(() => runSavings(baseline, twin, catalogue, 0)).toThrow(/days must be > 0/);
  });
});
