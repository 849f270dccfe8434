import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import type { CostTable } from './costTable.js';

/**
 * Load-limit bounds of one asset, in percent of rated load: what the control
 * policy may command and what the plant's controller accepts.
 *
 * @example
 * const b: LoadBounds = { minLoadLimitPct: 50, maxLoadLimitPct: 105, reduceStepPct: 15 };
 */
export interface LoadBounds {
  readonly minLoadLimitPct: number;
  readonly maxLoadLimitPct: number;
  /** How far one REDUCE_LOAD without an explicit limit lowers the limit. */
  readonly reduceStepPct: number;
}

/**
 * Daily demand profile of a site: demanded load (fraction of rated) swings
 * between `minLoad` and `maxLoad`, peaking at `peakHourUtc`.
 *
 * @example
 * const d: DemandProfile = { minLoad: 0.7, maxLoad: 1.05, peakHourUtc: 14 };
 */
export interface DemandProfile {
  readonly minLoad: number;
  readonly maxLoad: number;
  readonly peakHourUtc: number;
}

/**
 * A production shift, in minutes of the UTC day; `endMinute < startMinute`
 * wraps past midnight (22:00–06:00).
 *
 * @example
 * const night: Shift = { name: 'night', startMinute: 22 * 60, endMinute: 6 * 60 };
 */
export interface Shift {
  readonly name: string;
  readonly startMinute: number;
  readonly endMinute: number;
}

/**
 * A site: its ambient, demand and shifts (planned production time; outside
 * every shift assets are IDLE), and the ids of its lines.
 *
 * @example
 * catalogue.sites[0].lines; // ['north-l1', 'north-l2']
 */
export interface SiteSpec {
  readonly id: string;
  readonly name: string;
  readonly ambientC: number;
  readonly demand: DemandProfile;
  readonly shifts: readonly Shift[];
  readonly lines: readonly string[];
}

/**
 * A production line and the ids of its assets, in catalogue order.
 *
 * @example
 * catalogue.lines.find((l) => l.id === 'north-l1')?.assets; // ['pump-001', …]
 */
export interface LineSpec {
  readonly id: string;
  readonly name: string;
  readonly site: string;
  readonly assets: readonly string[];
}

/**
 * The validated asset catalogue: every asset resolved to a full `AssetSpec`
 * (kind defaults, site ambient and per-asset overrides applied), its load
 * bounds, and the sites and lines. Plain data, JSON-serialisable.
 *
 * @example
 * const catalogue = await loadCatalogue('pipelines/machine-health/catalogue.yaml');
 * const pump = catalogue.assets[0];
 * catalogue.bounds[pump.id].maxLoadLimitPct; // 105
 */
export interface Catalogue {
  /** Where it was read from (a file path), for messages. */
  readonly source: string;
  readonly sites: readonly SiteSpec[];
  readonly lines: readonly LineSpec[];
  readonly assets: readonly AssetSpec[];
  readonly bounds: Readonly<Record<string, LoadBounds>>;
  /** What downtime, repairs, maintenance, dispatches, energy and units cost, per line. */
  readonly costs: CostTable;
}
