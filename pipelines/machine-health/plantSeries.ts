import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';

/**
 * One line's production accounting per bucket (index k is bucket k): the
 * inputs of OEE and energy per good unit, so any ratio of the whole run is a
 * ratio of the buckets' sums.
 */
export interface LineBuckets {
  /** Asset-seconds RUNNING. */
  readonly runningS: readonly number[];
  /** Asset-seconds FAILED. */
  readonly failedS: readonly number[];
  readonly goodUnits: readonly number[];
  readonly rejectedUnits: readonly number[];
  /** (good + rejected units) × each asset's ideal cycle time: the running time the units needed at rated speed. */
  readonly idealS: readonly number[];
  readonly energyKwh: readonly number[];
}

/** A run's production per line over simulated time, in buckets of `bucketMs`. */
export interface PlantSeries {
  readonly bucketMs: number;
  /** The run's start (epoch ms): bucket 0 covers (from, ts[0]]. */
  readonly from: number;
  /** Each bucket's end (epoch ms), the plant's time when it was sampled; the last may be shorter. */
  readonly ts: readonly number[];
  readonly byLine: Readonly<Record<string, LineBuckets>>;
}

/** Samples a plant's ground truth every bucket while it runs (see {@link plantSeriesRecorder}). */
export interface PlantSeriesRecorder {
  /** Call after each `plant.step()`: samples when the plant's time reached the next bucket's end. */
  observe(plant: PlantSimulator): void;
  /** The buckets so far, the plant's time since the last full bucket included as a shorter last one. */
  series(): PlantSeries;
}

type Totals = { -readonly [K in keyof LineBuckets]: number };

/**
 * Records a run's per-line production every simulated `bucketMs` (default an
 * hour) from the simulator's ground truth, for charts over time. It reads the
 * ground truth once a bucket, not per reading, so recording costs the run
 * next to nothing; buckets hold differences of the cumulative figures, so
 * they add up to the run's totals exactly.
 *
 * @example
 * const recorder = plantSeriesRecorder(catalogue);
 * const truth = runBaseline(new PlantSimulator(options), ticks, recorder);
 * hourlyLineKpis(recorder.series()).byLine['north-l1'].oee;
 */
export function plantSeriesRecorder(catalogue: Catalogue, bucketMs = 3_600_000): PlantSeriesRecorder {
  if (!(bucketMs > 0)) throw new Error(`plantSeriesRecorder: bucketMs must be > 0 (got ${bucketMs})`);
  const lineOf = new Map(catalogue.assets.map((a) => [a.id, a.line]));
  const cycleOf = new Map(catalogue.assets.map((a) => [a.id, a.idealCycleTimeS]));
  const lines = [...new Set(catalogue.assets.map((a) => a.line))];
  const byLine: Record<string, { -readonly [K in keyof LineBuckets]: number[] }> = {};
  const previous = new Map<string, Totals>();
  for (const line of lines) {
    byLine[line] = { runningS: [], failedS: [], goodUnits: [], rejectedUnits: [], idealS: [], energyKwh: [] };
    previous.set(line, zeroTotals());
  }
  const ts: number[] = [];
  let plant: PlantSimulator | undefined;
  let from = 0;
  let nextAt = Number.POSITIVE_INFINITY;
  let sampledAt = 0;

  const sample = (p: PlantSimulator): void => {
    const now = totalsByLine(p, lineOf, cycleOf, lines);
    for (const line of lines) {
      const b = byLine[line];
      const was = previous.get(line)!;
      const is = now.get(line)!;
      b.runningS.push(is.runningS - was.runningS);
      b.failedS.push(is.failedS - was.failedS);
      b.goodUnits.push(is.goodUnits - was.goodUnits);
      b.rejectedUnits.push(is.rejectedUnits - was.rejectedUnits);
      b.idealS.push(is.idealS - was.idealS);
      b.energyKwh.push(is.energyKwh - was.energyKwh);
      previous.set(line, is);
    }
    ts.push(p.now);
    sampledAt = p.now;
    while (nextAt <= p.now) nextAt += bucketMs;
  };

  return {
    observe(p) {
      if (plant === undefined) {
        plant = p;
        from = p.startTs;
        sampledAt = from;
        nextAt = from + bucketMs;
      } else if (plant !== p) {
        throw new Error('plantSeriesRecorder: observed a second plant; use one recorder per run');
      }
      if (p.now >= nextAt) sample(p);
    },
    series() {
      if (plant !== undefined && plant.now > sampledAt) sample(plant);
      const copy: Record<string, LineBuckets> = {};
      for (const line of lines) {
        const b = byLine[line];
        copy[line] = {
          runningS: b.runningS.slice(),
          failedS: b.failedS.slice(),
          goodUnits: b.goodUnits.slice(),
          rejectedUnits: b.rejectedUnits.slice(),
          idealS: b.idealS.slice(),
          energyKwh: b.energyKwh.slice(),
        };
      }
      return { bucketMs, from, ts: ts.slice(), byLine: copy };
    },
  };
}

function zeroTotals(): Totals {
  return { runningS: 0, failedS: 0, goodUnits: 0, rejectedUnits: 0, idealS: 0, energyKwh: 0 };
}

function totalsByLine(
  plant: PlantSimulator,
  lineOf: ReadonlyMap<string, string>,
  cycleOf: ReadonlyMap<string, number>,
  lines: readonly string[],
): Map<string, Totals> {
  const out = new Map<string, Totals>(lines.map((l) => [l, zeroTotals()]));
  for (const [id, a] of Object.entries(plant.groundTruth().assets)) {
    const t = out.get(lineOf.get(id) ?? '');
    if (t === undefined)
      throw new Error(`plantSeriesRecorder: asset ${id} of the plant is not in the catalogue`);
    t.runningS += a.timeInStateS.RUNNING;
    t.failedS += a.timeInStateS.FAILED;
    t.goodUnits += a.goodUnits;
    t.rejectedUnits += a.rejectedUnits;
    t.idealS += (a.goodUnits + a.rejectedUnits) * (cycleOf.get(id) ?? 0);
    t.energyKwh += a.energyKwh;
  }
  return out;
}

/** OEE and energy per good unit per bucket; null where the bucket had nothing to divide by. */
export interface BucketKpis {
  /** null in a bucket with no planned production time (no asset running or failed, e.g. outside shifts). */
  readonly oee: readonly (number | null)[];
  /** kWh per good unit; null in a bucket without good units. */
  readonly energyPerGoodUnitKwh: readonly (number | null)[];
}

/**
 * OEE (plantKpis' definitions: availability = running / (running + failed),
 * performance = min(1, ideal / running), quality = good / (good + rejected))
 * and energy per good unit in each bucket, per line and for the plant (ratios
 * of the lines' sums).
 *
 * @example
 * const k = hourlyLineKpis(series);
 * k.plant.energyPerGoodUnitKwh[0]; k.byLine['south-air'].oee;
 */
export function hourlyLineKpis(series: PlantSeries): {
  readonly ts: readonly number[];
  readonly byLine: Readonly<Record<string, BucketKpis>>;
  readonly plant: BucketKpis;
} {
  const lines = Object.values(series.byLine);
  const plant: LineBuckets = {
    runningS: series.ts.map((_, k) => sumAt(lines, 'runningS', k)),
    failedS: series.ts.map((_, k) => sumAt(lines, 'failedS', k)),
    goodUnits: series.ts.map((_, k) => sumAt(lines, 'goodUnits', k)),
    rejectedUnits: series.ts.map((_, k) => sumAt(lines, 'rejectedUnits', k)),
    idealS: series.ts.map((_, k) => sumAt(lines, 'idealS', k)),
    energyKwh: series.ts.map((_, k) => sumAt(lines, 'energyKwh', k)),
  };
  const byLine: Record<string, BucketKpis> = {};
  for (const [line, b] of Object.entries(series.byLine)) byLine[line] = kpisOf(b);
  return { ts: series.ts, byLine, plant: kpisOf(plant) };
}

function sumAt(lines: readonly LineBuckets[], field: keyof LineBuckets, k: number): number {
  let s = 0;
  for (const l of lines) s += l[field][k];
  return s;
}

function kpisOf(b: LineBuckets): BucketKpis {
  const oee: (number | null)[] = [];
  const energy: (number | null)[] = [];
  for (let k = 0; k < b.runningS.length; k++) {
    const running = b.runningS[k];
    const planned = running + b.failedS[k];
    const units = b.goodUnits[k] + b.rejectedUnits[k];
    if (planned > 0) {
      const availability = running / planned;
      const performance = running > 0 ? Math.min(1, b.idealS[k] / running) : 0;
      const quality = units > 0 ? b.goodUnits[k] / units : 0;
      oee.push(availability * performance * quality);
    } else oee.push(null);
    energy.push(b.goodUnits[k] > 0 ? b.energyKwh[k] / b.goodUnits[k] : null);
  }
  return { oee, energyPerGoodUnitKwh: energy };
}
