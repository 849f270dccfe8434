import type { ClickHouseClient } from '@clickhouse/client';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { PlantCosts } from './plantCosts.js';

/**
 * Writes the catalogue's cost table to `cost_rates`, one row per line, so
 * `roi_by_line_day` prices what the job measured with the rates the report
 * used. A later write for a line replaces the earlier one (ReplacingMergeTree).
 *
 * @example
 * await writeCostRates(client, 'twinflow', catalogue);
 */
export async function writeCostRates(
  client: ClickHouseClient,
  database: string,
  catalogue: Catalogue,
): Promise<void> {
  const values = Object.entries(catalogue.costs.byLine).map(([line, r]) => ({
    line,
    currency: catalogue.costs.currency,
    unplanned_downtime_per_hour: r.unplannedDowntimePerHour,
    repair_per_failure: r.repairPerFailure,
    maintenance_per_event: r.maintenancePerEvent,
    dispatch_per_event: r.dispatchPerEvent,
    energy_per_kwh: r.energyPerKwh,
    margin_per_unit: r.marginPerUnit,
    source: catalogue.source,
  }));
  await client.insert({ table: `${database}.cost_rates`, values, format: 'JSONEachRow' });
}

/**
 * Writes what the plant did without the twin over `days`, per line, to
 * `cost_baseline_by_line`: the average day `roi_by_line_day` sets each
 * measured day against.
 *
 * @example
 * await writeCostBaseline(client, 'twinflow', report.costs.baseline, 2, 'simulated baseline, seed 42');
 */
export async function writeCostBaseline(
  client: ClickHouseClient,
  database: string,
  baseline: PlantCosts,
  days: number,
  source: string,
): Promise<void> {
  const values = Object.entries(baseline.byLine).map(([line, { facts }]) => ({
    line,
    days,
    unplanned_downtime_h: facts.unplannedDowntimeH,
    failures: facts.failures,
    maintenances: facts.maintenances,
    dispatches: facts.dispatches,
    energy_kwh: facts.energyKwh,
    good_units: facts.goodUnits,
    source,
  }));
  await client.insert({ table: `${database}.cost_baseline_by_line`, values, format: 'JSONEachRow' });
}
