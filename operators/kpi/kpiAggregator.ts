import type { ScoredReading } from '../control/scoredReading.js';
import type { AssetSpec } from '../scoring/assetPhysics.js';
import type { Aggregator } from '../windows/aggregators/aggregator.js';

/**
 * Sums over a window, from which every KPI follows. Plain JSON data, and
 * sums merge exactly, so windows (and line rollups) merge without loss.
 */
export interface KpiAccumulator {
  /** The asset the readings came from (null before the first reading, or for a mix of assets). */
  assetId: string | null;
  readings: number;
  plannedS: number;
  runningS: number;
  goodUnits: number;
  rejectedUnits: number;
  energyKwh: number;
  /** Σ units × idealCycleTimeS: the running time the units would have taken at the ideal rate. */
  idealS: number;
}

/**
 * The KPIs of one window (per asset and minute, or rolled up per line).
 * Ratios are null where undefined (no planned time, no running time, no units).
 *
 * @example
 * // 60 s planned, 48 s running, 40 units at 1 s ideal, 38 good:
 * // availability 0.8, performance 40/48, quality 0.95, oee 0.8 × 40/48 × 0.95 ≈ 0.633, downtimeS 12
 */
export interface KpiMinute {
  readonly assetId: string | null;
  readonly readings: number;
  readonly plannedS: number;
  readonly runningS: number;
  /** Planned time not running: plannedS − runningS (never negative). */
  readonly downtimeS: number;
  readonly goodUnits: number;
  readonly rejectedUnits: number;
  readonly energyKwh: number;
  /** Ideal time of the units made, capped at runningS (performance never exceeds 1). */
  readonly idealS: number;
  /** runningS / plannedS (at most 1). */
  readonly availability: number | null;
  /** units × idealCycleTimeS / runningS (at most 1). */
  readonly performance: number | null;
  /** good / (good + rejected). */
  readonly quality: number | null;
  /** availability × performance × quality; 0 when planned but nothing (good) was made. */
  readonly oee: number | null;
  /** Energy per good unit; null when no good unit was made. */
  readonly energyPerUnitKwh: number | null;
}

/** An empty accumulator. */
export function createKpiAccumulator(): KpiAccumulator {
  return {
    assetId: null,
    readings: 0,
    plannedS: 0,
    runningS: 0,
    goodUnits: 0,
    rejectedUnits: 0,
    energyKwh: 0,
    idealS: 0,
  };
}

/** Adds b's sums into a (in place) and returns a. */
export function mergeKpiAccumulators(a: KpiAccumulator, b: KpiAccumulator): KpiAccumulator {
  if (a.assetId === null) a.assetId = b.assetId;
  a.readings += b.readings;
  a.plannedS += b.plannedS;
  a.runningS += b.runningS;
  a.goodUnits += b.goodUnits;
  a.rejectedUnits += b.rejectedUnits;
  a.energyKwh += b.energyKwh;
  a.idealS += b.idealS;
  return a;
}

/**
 * The KPIs of accumulated sums. Ratios of sums, never averages of ratios, so
 * an asset (or line) is weighted by its time and units.
 *
 * @example
 * kpiOf({ assetId: 'p1', readings: 60, plannedS: 60, runningS: 48, goodUnits: 38, rejectedUnits: 2, energyKwh: 1.2, idealS: 40 }).availability; // 0.8
 */
export function kpiOf(acc: KpiAccumulator): KpiMinute {
  const units = acc.goodUnits + acc.rejectedUnits;
  const idealS = Math.min(acc.idealS, acc.runningS);
  const availability = acc.plannedS > 0 ? Math.min(1, acc.runningS / acc.plannedS) : null;
  const performance = acc.runningS > 0 ? idealS / acc.runningS : null;
  const quality = units > 0 ? acc.goodUnits / units : null;
  let oee: number | null = null;
  if (availability !== null) {
    oee = performance === null || quality === null ? 0 : availability * performance * quality;
  }
  return {
    assetId: acc.assetId,
    readings: acc.readings,
    plannedS: acc.plannedS,
    runningS: acc.runningS,
    downtimeS: Math.max(0, acc.plannedS - acc.runningS),
    goodUnits: acc.goodUnits,
    rejectedUnits: acc.rejectedUnits,
    energyKwh: acc.energyKwh,
    idealS,
    availability,
    performance,
    quality,
    oee,
    energyPerUnitKwh: acc.goodUnits > 0 ? acc.energyKwh / acc.goodUnits : null,
  };
}

/** A delta the enrichment could not compute (NaN, or negative after a counter reset) adds nothing. */
function amount(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

/**
 * Per-window KPIs of one asset's scored readings (availability, performance,
 * quality, OEE, downtime, units, energy, energy per unit). The asset's
 * ideal cycle time comes from `specOf`, looked up when a reading is added,
 * so accumulators stay plain sums and merge exactly.
 *
 * @example
 * scored$.pipe(
 *   keyBy((r) => r.telemetry.assetId),
 *   windowAggregate(tumbling(60_000), kpiAggregator((id) => catalogue.specs[id]), { id: 'kpi-minute', snapshots }),
 * );
 */
export function kpiAggregator(
  specOf: (assetId: string) => AssetSpec,
): Aggregator<ScoredReading, KpiAccumulator, KpiMinute> {
  return {
    create: createKpiAccumulator,
    add(acc, r) {
      const assetId = r.telemetry.assetId;
      if (acc.assetId === null) acc.assetId = assetId;
      const good = amount(r.goodDelta);
      const rejected = amount(r.rejectedDelta);
      acc.readings += 1;
      acc.plannedS += amount(r.plannedS);
      acc.runningS += amount(r.runningS);
      acc.goodUnits += good;
      acc.rejectedUnits += rejected;
      acc.energyKwh += amount(r.energyKwh);
      if (good + rejected > 0) acc.idealS += (good + rejected) * specOf(assetId).idealCycleTimeS;
      return acc;
    },
    merge: mergeKpiAccumulators,
    result: kpiOf,
  };
}
