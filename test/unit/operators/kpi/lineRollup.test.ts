import { describe, expect, it } from 'vitest';
import { type KpiMinute, kpiOf } from '../../../../operators/kpi/kpiAggregator.js';
import { lineRollup, rollupLine } from '../../../../operators/kpi/lineRollup.js';

function row(
  assetId: string | null,
  s: {
    plannedS: number;
    runningS: number;
    idealS: number;
    good: number;
    rejected: number;
    energyKwh: number;
  },
): KpiMinute {
  return kpiOf({
    assetId,
    readings: 60,
    plannedS: s.plannedS,
    runningS: s.runningS,
    goodUnits: s.good,
    rejectedUnits: s.rejected,
    energyKwh: s.energyKwh,
    idealS: s.idealS,
  });
}

// A: a whole minute at half speed (OEE 0.5). B: a third of a minute, flat out (OEE 1).
const a = row('a', { plannedS: 60, runningS: 60, idealS: 30, good: 30, rejected: 0, energyKwh: 3 });
const b = row('b', { plannedS: 20, runningS: 20, idealS: 20, good: 10, rejected: 0, energyKwh: 1 });

describe('rollupLine', () => {
  it('weights assets by time and units: OEE of sums, not the average of OEEs', () => {
    expect([a.oee, b.oee]).toEqual([0.5, 1]);
    const line = rollupLine([a, b]);
    // Σ ideal 50 s of Σ planned 80 s, all good: 0.625, where the average of ratios says 0.75.
    expect(line.oee).toBe(0.625);
    expect(line).toMatchObject({
      assets: 2,
      plannedS: 80,
      runningS: 80,
      availability: 1,
      performance: 0.625,
      quality: 1,
      goodUnits: 40,
      energyKwh: 4,
      energyPerUnitKwh: 0.1,
      downtimeS: 0,
      readings: 120,
    });
    expect(line).not.toHaveProperty('assetId');
  });

  it('weights quality by units and availability by planned time', () => {
    const c = row('c', { plannedS: 60, runningS: 30, idealS: 30, good: 90, rejected: 10, energyKwh: 1 });
    const d = row('d', { plannedS: 20, runningS: 20, idealS: 20, good: 5, rejected: 5, energyKwh: 1 });
    const line = rollupLine([c, d]);
    expect(line.availability).toBe(50 / 80);
    expect(line.quality).toBe(95 / 110);
    expect(line.downtimeS).toBe(30);
  });

  it('keeps an asset whose performance was capped from lifting the others', () => {
    const fast = row('f', { plannedS: 60, runningS: 60, idealS: 90, good: 45, rejected: 0, energyKwh: 1 });
    const slow = row('s', { plannedS: 60, runningS: 60, idealS: 30, good: 15, rejected: 0, energyKwh: 1 });
    expect(rollupLine([fast, slow]).performance).toBe(0.75);
  });

  it('lets a late re-firing of an asset replace its earlier row', () => {
    const aLate = row('a', { plannedS: 60, runningS: 60, idealS: 60, good: 30, rejected: 0, energyKwh: 3 });
    expect(rollupLine([a, b, aLate])).toEqual(rollupLine([aLate, b]));
    expect(rollupLine([a, b, aLate]).assets).toBe(2);
  });

  it('gives null ratios for an empty line', () => {
    expect(rollupLine([])).toMatchObject({ assets: 0, oee: null, availability: null });
  });
});

describe('lineRollup', () => {
  it('as an aggregator, merges partial accumulators to the same result as rollupLine', () => {
    const agg = lineRollup();
    const left = agg.add(agg.create(), a);
    const right = agg.add(agg.create(), b);
    const merged = agg.merge(JSON.parse(JSON.stringify(left)), right);
    expect(agg.result(merged)).toEqual(rollupLine([a, b]));
  });
});
