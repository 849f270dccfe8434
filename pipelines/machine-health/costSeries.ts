import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { CostedCommand } from './plantCosts.js';
import type { PlantSeries } from './plantSeries.js';

/** A command with the time it was decided, for cost over time. */
export interface TimedCommand extends CostedCommand {
  readonly decidedAt: number;
}

/**
 * A run's cost accumulated over its buckets, priced as plantCosts prices the
 * whole run (unplanned downtime and energy from the hourly series; repairs,
 * maintenances and dispatches at their event times), so the last value is
 * the run's total cost. Element k is the cost up to the end of bucket k.
 *
 * @example
 * const twin = cumulativeCost(report.series.twin, report.truth, catalogue, dispatches);
 * twin.at(-1); // === report.costs.twin.cost.total (up to rounding)
 */
export function cumulativeCost(
  series: PlantSeries,
  truth: GroundTruth,
  catalogue: Catalogue,
  commands: readonly TimedCommand[] = [],
): number[] {
  const lineOf = new Map(catalogue.assets.map((a) => [a.id, a.line]));
  const rates = (assetOrLine: string, isAsset: boolean) => {
    const line = isAsset ? lineOf.get(assetOrLine) : assetOrLine;
    const r = line === undefined ? undefined : catalogue.costs.byLine[line];
    if (r === undefined)
      throw new Error(`cumulativeCost: no cost rates for ${assetOrLine} in ${catalogue.source}`);
    return r;
  };
  const perBucket = series.ts.map(() => 0);
  for (const [line, b] of Object.entries(series.byLine)) {
    const r = rates(line, false);
    b.failedS.forEach((s, k) => {
      perBucket[k] += (s / 3600) * r.unplannedDowntimePerHour + b.energyKwh[k] * r.energyPerKwh;
    });
  }
  const bucketOf = (ts: number): number => {
    // Bucket k covers (ts[k-1], ts[k]]; the run's first instant belongs to bucket 0.
    let lo = 0;
    let hi = series.ts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (series.ts[mid] < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const f of truth.failures) perBucket[bucketOf(f.ts)] += rates(f.assetId, true).repairPerFailure;
  for (const [assetId, a] of Object.entries(truth.assets)) {
    for (const s of a.timeline) {
      if (s.state === 'MAINTENANCE') perBucket[bucketOf(s.ts)] += rates(assetId, true).maintenancePerEvent;
    }
  }
  for (const c of commands) {
    if (c.action === 'DISPATCH_TECHNICIAN')
      perBucket[bucketOf(c.decidedAt)] += rates(c.assetId, true).dispatchPerEvent;
  }
  let sum = 0;
  return perBucket.map((x) => {
    sum += x;
    return sum;
  });
}
