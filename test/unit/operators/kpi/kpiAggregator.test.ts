import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import { type StreamElement, tumbling, values, windowAggregate } from '../../../../operators/index.js';
import { type KpiAccumulator, kpiAggregator, kpiOf } from '../../../../operators/kpi/kpiAggregator.js';
import { reading, spec } from '../control/fixtures.js';

// spec.idealCycleTimeS is 2 s per unit.
const agg = kpiAggregator(() => spec);

function scored(
  ts: number,
  d: { plannedS: number; runningS: number; good: number; rejected: number; energyKwh: number },
): ScoredReading {
  return {
    ...reading(ts),
    dtS: d.plannedS,
    plannedS: d.plannedS,
    runningS: d.runningS,
    goodDelta: d.good,
    rejectedDelta: d.rejected,
    energyKwh: d.energyKwh,
  };
}

function over(readings: ScoredReading[]) {
  let acc = agg.create();
  for (const r of readings) acc = agg.add(acc, r);
  return acc;
}

describe('kpiAggregator', () => {
  it('computes availability, performance, quality, OEE, downtime and energy per unit (hand-computed)', () => {
    const acc = over([
      scored(0, { plannedS: 30, runningS: 30, good: 12, rejected: 1, energyKwh: 0.5 }),
      scored(30_000, { plannedS: 30, runningS: 18, good: 7, rejected: 0, energyKwh: 0.25 }),
    ]);
    const k = agg.result(acc);
    // planned 60 s, running 48 s, 20 units × 2 s = 40 s ideal, 19 good.
    expect(k).toMatchObject({
      assetId: 'a',
      readings: 2,
      plannedS: 60,
      runningS: 48,
      downtimeS: 12,
      goodUnits: 19,
      rejectedUnits: 1,
      energyKwh: 0.75,
      idealS: 40,
      availability: 0.8,
      quality: 0.95,
    });
    expect(k.performance).toBeCloseTo(40 / 48, 12);
    expect(k.oee).toBeCloseTo(0.8 * (40 / 48) * 0.95, 12);
    expect(k.energyPerUnitKwh).toBeCloseTo(0.75 / 19, 12);
  });

  it('caps performance at 1 when units come faster than the ideal rate', () => {
    const k = agg.result(
      over([scored(0, { plannedS: 60, runningS: 48, good: 30, rejected: 0, energyKwh: 1 })]),
    );
    expect(k.performance).toBe(1);
    expect(k.idealS).toBe(48);
    expect(k.oee).toBe(0.8);
  });

  it('gives null ratios where they are undefined, and OEE 0 when planned time made nothing', () => {
    expect(agg.result(agg.create())).toMatchObject({
      availability: null,
      performance: null,
      quality: null,
      oee: null,
      energyPerUnitKwh: null,
      readings: 0,
    });
    const down = agg.result(
      over([scored(0, { plannedS: 60, runningS: 0, good: 0, rejected: 0, energyKwh: 0 })]),
    );
    expect(down).toMatchObject({ availability: 0, performance: null, quality: null, oee: 0, downtimeS: 60 });
    const idleRun = agg.result(
      over([scored(0, { plannedS: 60, runningS: 60, good: 0, rejected: 0, energyKwh: 1 })]),
    );
    expect(idleRun).toMatchObject({ availability: 1, performance: 0, quality: null, oee: 0 });
  });

  it('excludes time outside planned production (maintenance by command) from availability', () => {
    const k = agg.result(
      over([
        scored(0, { plannedS: 30, runningS: 30, good: 15, rejected: 0, energyKwh: 0.5 }),
        scored(30_000, { plannedS: 0, runningS: 0, good: 0, rejected: 0, energyKwh: 0 }),
      ]),
    );
    expect(k).toMatchObject({ availability: 1, downtimeS: 0, oee: 1 });
  });

  it('ignores deltas the enrichment could not compute (NaN, negative)', () => {
    const k = agg.result(
      over([
        scored(0, { plannedS: 60, runningS: 60, good: 30, rejected: 0, energyKwh: 1 }),
        scored(1, { plannedS: Number.NaN, runningS: -5, good: -3, rejected: Number.NaN, energyKwh: -1 }),
      ]),
    );
    expect(k).toMatchObject({ plannedS: 60, runningS: 60, goodUnits: 30, energyKwh: 1, readings: 2 });
  });

  it('runs per asset and minute in windowAggregate', async () => {
    const input: Array<StreamElement<ScoredReading>> = [0, 20_000, 40_000, 60_000].map((ts) => ({
      kind: 'record',
      value: scored(ts, { plannedS: 20, runningS: 10, good: 5, rejected: 0, energyKwh: 0.1 }),
      ts,
      key: 'a',
    }));
    input.push({ kind: 'watermark', ts: Number.POSITIVE_INFINITY });
    const out = await lastValueFrom(
      from(input).pipe(windowAggregate(tumbling(60_000), agg), values(), toArray()),
    );
    expect(out.map((w) => [w.start, w.value.plannedS, w.value.availability, w.value.performance])).toEqual([
      [0, 60, 0.5, 1],
      [60_000, 20, 0.5, 1],
    ]);
  });
});

const eighth = (min: number, max: number) => fc.integer({ min: min * 8, max: max * 8 }).map((x) => x / 8);
const readingArb = fc
  .record({
    plannedS: eighth(0, 30),
    running: fc.double({ min: 0, max: 1, noNaN: true }),
    good: fc.integer({ min: 0, max: 20 }),
    rejected: fc.integer({ min: 0, max: 3 }),
    energyKwh: eighth(0, 2),
  })
  .map((d) => scored(0, { ...d, runningS: Math.floor(d.plannedS * d.running * 8) / 8 }));

describe('kpiAggregator (property)', () => {
  it('merging the accumulators of any split equals accumulating the whole, also through JSON', () => {
    fc.assert(
      fc.property(fc.array(readingArb, { maxLength: 40 }), fc.nat(), (readings, cut) => {
        const k = readings.length === 0 ? 0 : cut % (readings.length + 1);
        const whole = over(readings);
        const left = JSON.parse(JSON.stringify(over(readings.slice(0, k)))) as KpiAccumulator;
        const merged = agg.merge(left, over(readings.slice(k)));
        expect(merged).toEqual(whole);
        expect(agg.result(merged)).toEqual(kpiOf(whole));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps every ratio within [0, 1] and OEE equal to their product', () => {
    fc.assert(
      fc.property(fc.array(readingArb, { maxLength: 40 }), (readings) => {
        const k = agg.result(over(readings));
        for (const v of [k.availability, k.performance, k.quality, k.oee]) {
          if (v !== null) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
        if (k.availability !== null && k.performance !== null && k.quality !== null) {
          expect(k.oee).toBeCloseTo(k.availability * k.performance * k.quality, 12);
        }
      }),
      { numRuns: 300 },
    );
  });
});
