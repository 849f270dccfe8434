import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { PlantSimulator } from '../../../../connectors/simulator/plantSimulator.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import { plantKpis } from '../../../../pipelines/machine-health/plantKpis.js';
import {
  hourlyLineKpis,
  type LineBuckets,
  type PlantSeries,
  plantSeriesRecorder,
} from '../../../../pipelines/machine-health/plantSeries.js';
import { plantSource, runBaseline } from '../../../../pipelines/machine-health/plantSource.js';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

async function plant(tickMs = 60_000) {
  const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
  const sim = new PlantSimulator({
    catalogue,
    seed: 7,
    startTs: START,
    tickMs,
    faults: { faults: [{ assetId: 'pump-001', kind: 'bearing-defect', at: START + 2 * HOUR, severity: 1 }] },
  });
  return { catalogue, sim };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('plantSeriesRecorder', () => {
  it('samples every simulated hour, one bucket per line each, ending at the plant time', async () => {
    const { catalogue, sim } = await plant();
    const recorder = plantSeriesRecorder(catalogue);
    runBaseline(sim, 30 * 60, recorder); // 30 h of 1-minute ticks
    const s = recorder.series();
    expect(s.from).toBe(START);
    expect(s.ts).toEqual(Array.from({ length: 30 }, (_, k) => START + (k + 1) * HOUR));
    expect(Object.keys(s.byLine).sort()).toEqual([...new Set(catalogue.assets.map((a) => a.line))].sort());
    for (const b of Object.values(s.byLine))
      for (const field of Object.values(b)) expect(field).toHaveLength(30);
  });

  it('buckets add up to the ground truth of each line and of the plant', async () => {
    const { catalogue, sim } = await plant();
    const recorder = plantSeriesRecorder(catalogue);
    const truth = runBaseline(sim, 26 * 60, recorder);
    const s = recorder.series();
    for (const line of catalogue.lines) {
      const b = s.byLine[line.id];
      const assets = line.assets.map((id) => truth.assets[id]);
      expect(sum(b.runningS)).toBeCloseTo(sum(assets.map((a) => a.timeInStateS.RUNNING)), 6);
      expect(sum(b.failedS)).toBeCloseTo(sum(assets.map((a) => a.timeInStateS.FAILED)), 6);
      expect(sum(b.goodUnits)).toBe(sum(assets.map((a) => a.goodUnits)));
      expect(sum(b.rejectedUnits)).toBe(sum(assets.map((a) => a.rejectedUnits)));
      expect(sum(b.energyKwh)).toBeCloseTo(sum(assets.map((a) => a.energyKwh)), 6);
    }
    // Whole-run OEE from the buckets' sums is plantKpis' OEE.
    const all = Object.values(s.byLine);
    const one: PlantSeries = {
      bucketMs: 26 * HOUR,
      from: s.from,
      ts: [s.ts[s.ts.length - 1]],
      byLine: {
        plant: Object.fromEntries(
          (Object.keys(all[0]) as (keyof LineBuckets)[]).map((f) => [f, [sum(all.map((b) => sum(b[f])))]]),
        ) as unknown as LineBuckets,
      },
    };
    expect(hourlyLineKpis(one).plant.oee[0]).toBeCloseTo(plantKpis(truth, catalogue).oee, 9);
    expect(truth.failures.length).toBeGreaterThan(0); // the injected defect shows in the buckets
    expect(sum(Object.values(s.byLine).flatMap((b) => b.failedS))).toBeGreaterThan(0);
  });

  it('ends with a shorter bucket when the run stops inside an hour, and sampling again adds nothing', async () => {
    const { catalogue, sim } = await plant();
    const recorder = plantSeriesRecorder(catalogue);
    runBaseline(sim, 90, recorder); // 1.5 h
    const first = recorder.series();
    expect(first.ts).toEqual([START + HOUR, START + 90 * 60_000]);
    expect(recorder.series()).toEqual(first);
  });

  it('closes a bucket at the first tick at or past the hour when ticks do not divide it', async () => {
    const { catalogue, sim } = await plant(7 * 60_000);
    const recorder = plantSeriesRecorder(catalogue);
    runBaseline(sim, 18, recorder); // 126 min
    expect(recorder.series().ts).toEqual([START + 63 * 60_000, START + 126 * 60_000]);
  });

  it('refuses a second plant and a bucket of no length', async () => {
    const { catalogue, sim } = await plant();
    const recorder = plantSeriesRecorder(catalogue);
    sim.step();
    recorder.observe(sim);
    const other = (await plant()).sim;
    other.step();
    expect(() => recorder.observe(other)).toThrow(/second plant/);
    expect(() => plantSeriesRecorder(catalogue, 0)).toThrow(/bucketMs must be > 0/);
  });

  it('records the same buckets from the closed-loop source as from the baseline loop, and nothing past its ticks', async () => {
    const a = await plant();
    const fromBaseline = plantSeriesRecorder(a.catalogue);
    runBaseline(a.sim, 3 * 60, fromBaseline);
    const b = await plant();
    const fromSource = plantSeriesRecorder(b.catalogue);
    const source = plantSource(b.sim, 3 * 60, fromSource);
    let steps = 0;
    while (source.step() !== undefined) steps++;
    expect(source.step()).toBeUndefined();
    expect(steps).toBe(3 * 60);
    expect(fromSource.series()).toEqual(fromBaseline.series());
  });

  it('is empty before the plant ran', async () => {
    const { catalogue } = await plant();
    const s = plantSeriesRecorder(catalogue).series();
    expect(s.ts).toEqual([]);
    expect(Object.values(s.byLine).every((b) => b.runningS.length === 0)).toBe(true);
  });
});

describe('hourlyLineKpis', () => {
  const bucket = (b: Partial<Record<keyof LineBuckets, number[]>>): LineBuckets => ({
    runningS: [],
    failedS: [],
    goodUnits: [],
    rejectedUnits: [],
    idealS: [],
    energyKwh: [],
    ...b,
  });

  it('applies the OEE definitions per bucket and null where nothing was planned or made', () => {
    const s: PlantSeries = {
      bucketMs: HOUR,
      from: START,
      ts: [START + HOUR, START + 2 * HOUR, START + 3 * HOUR],
      byLine: {
        a: bucket({
          runningS: [3000, 0, 3600],
          failedS: [600, 0, 0],
          goodUnits: [900, 0, 1000],
          rejectedUnits: [100, 0, 0],
          idealS: [2000, 0, 7200],
          energyKwh: [45, 0, 20],
        }),
        b: bucket({
          runningS: [0, 0, 0],
          failedS: [3600, 0, 0],
          goodUnits: [0, 0, 0],
          rejectedUnits: [0, 0, 0],
          idealS: [0, 0, 0],
          energyKwh: [0, 0, 0],
        }),
      },
    };
    const k = hourlyLineKpis(s);
    // availability 3000/3600, performance 2000/3000, quality 0.9
    expect(k.byLine.a.oee[0]).toBeCloseTo((3000 / 3600) * (2000 / 3000) * 0.9, 12);
    expect(k.byLine.a.oee[1]).toBeNull();
    expect(k.byLine.a.oee[2]).toBe(1); // performance capped at 1
    expect(k.byLine.a.energyPerGoodUnitKwh).toEqual([0.05, null, 0.02]);
    expect(k.byLine.b.oee[0]).toBe(0); // failed all hour
    expect(k.byLine.b.energyPerGoodUnitKwh[0]).toBeNull();
    // The plant: ratios of the lines' sums.
    expect(k.plant.oee[0]).toBeCloseTo((3000 / 7200) * (2000 / 3000) * 0.9, 12);
    expect(k.plant.energyPerGoodUnitKwh[0]).toBeCloseTo(0.05, 12);
    expect(k.ts).toBe(s.ts);
  });
});
