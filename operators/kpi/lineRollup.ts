import type { Aggregator } from '../windows/aggregators/aggregator.js';
import {
  createKpiAccumulator,
  type KpiAccumulator,
  type KpiMinute,
  kpiOf,
  mergeKpiAccumulators,
} from './kpiAggregator.js';

/** KPIs of a line (or any group of assets) over one window. */
export interface LineKpi extends Omit<KpiMinute, 'assetId'> {
  /** Assets that contributed a row. */
  readonly assets: number;
}

/**
 * Per-asset sums of a line's window. A later row of an asset replaces its
 * earlier one, since a late re-firing of an asset's window carries the
 * whole window again, not a delta.
 */
export interface LineRollupAccumulator {
  byAsset: Record<string, KpiAccumulator>;
}

function sumsOf(row: KpiMinute): KpiAccumulator {
  return {
    assetId: row.assetId,
    readings: row.readings,
    plannedS: row.plannedS,
    runningS: row.runningS,
    goodUnits: row.goodUnits,
    rejectedUnits: row.rejectedUnits,
    energyKwh: row.energyKwh,
    // Already capped at the asset's running time: one asset's over-speed cannot lift another's performance.
    idealS: row.idealS,
  };
}

function lineOf(acc: LineRollupAccumulator): LineKpi {
  const total = createKpiAccumulator();
  let assets = 0;
  for (const id of Object.keys(acc.byAsset).sort()) {
    mergeKpiAccumulators(total, acc.byAsset[id]);
    assets++;
  }
  const { assetId: _, ...kpi } = kpiOf(total);
  return { ...kpi, assets };
}

function keyOf(row: KpiMinute, acc: LineRollupAccumulator): string {
  // Rows without an asset cannot replace one another: each gets a key of its own.
  return row.assetId ?? `#${Object.keys(acc.byAsset).length}`;
}

/**
 * Line KPIs from per-asset KPI rows of the same window: sums first, then
 * ratios (line OEE = Σ ideal time × quality / Σ planned time), so a big,
 * busy asset weighs more than an idle one; never an average of ratios.
 *
 * @example
 * rollupLine([pumpMinute, motorMinute]).oee;
 */
export function rollupLine(rows: readonly KpiMinute[]): LineKpi {
  const acc: LineRollupAccumulator = { byAsset: {} };
  for (const row of rows) acc.byAsset[keyOf(row, acc)] = sumsOf(row);
  return lineOf(acc);
}

/**
 * The same rollup as a window aggregator over per-asset KPI rows keyed by
 * line (mergeable, JSON-serialisable).
 *
 * @example
 * assetKpis$.pipe(
 *   keyBy((w) => lineOfAsset(w.key)),
 *   mapRecords((w) => w.value),
 *   windowAggregate(tumbling(60_000), lineRollup(), { id: 'kpi-line' }),
 * );
 */
export function lineRollup(): Aggregator<KpiMinute, LineRollupAccumulator, LineKpi> {
  return {
    create: () => ({ byAsset: {} }),
    add(acc, row) {
      acc.byAsset[keyOf(row, acc)] = sumsOf(row);
      return acc;
    },
    merge(a, b) {
      for (const id of Object.keys(b.byAsset)) a.byAsset[id] = b.byAsset[id];
      return a;
    },
    result: lineOf,
  };
}
