import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';

/** Plant-wide figures of one run, from the simulator's ground truth. */
export interface PlantKpis {
  readonly failures: number;
  readonly unplannedDowntimeH: number;
  readonly plannedDowntimeH: number;
  readonly availability: number;
  readonly performance: number;
  readonly quality: number;
  readonly oee: number;
  readonly goodUnits: number;
  readonly rejectedUnits: number;
  readonly energyKwh: number;
  readonly energyPerUnitKwh: number;
}

/**
 * OEE and friends over the whole plant from ground truth, with the same
 * definitions as the job's KPI windows: planned time is running or failed
 * (planned maintenance and twin shutdowns are planned downtime, idle is
 * outside shifts), ratios are ratios of sums.
 *
 * @example
 * const twin = plantKpis(result.truth, catalogue); twin.oee;
 */
export function plantKpis(truth: GroundTruth, catalogue: Catalogue): PlantKpis {
  const cycle = new Map(catalogue.assets.map((a) => [a.id, a.idealCycleTimeS]));
  let running = 0;
  let failed = 0;
  let ideal = 0;
  for (const [id, a] of Object.entries(truth.assets)) {
    running += a.timeInStateS.RUNNING;
    failed += a.timeInStateS.FAILED;
    ideal += (a.goodUnits + a.rejectedUnits) * (cycle.get(id) ?? 0);
  }
  const t = truth.totals;
  const availability = running + failed > 0 ? running / (running + failed) : 0;
  const performance = running > 0 ? Math.min(1, ideal / running) : 0;
  const units = t.goodUnits + t.rejectedUnits;
  const quality = units > 0 ? t.goodUnits / units : 0;
  return {
    failures: t.failures,
    unplannedDowntimeH: t.unplannedDowntimeS / 3600,
    plannedDowntimeH: t.plannedDowntimeS / 3600,
    availability,
    performance,
    quality,
    oee: availability * performance * quality,
    goodUnits: t.goodUnits,
    rejectedUnits: t.rejectedUnits,
    energyKwh: t.energyKwh,
    energyPerUnitKwh: t.goodUnits > 0 ? t.energyKwh / t.goodUnits : 0,
  };
}
