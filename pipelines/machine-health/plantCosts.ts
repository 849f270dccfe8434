import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { CostRates } from '../../connectors/catalogue/costTable.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { Action } from '../../operators/control/contracts.js';

/** The events a run is charged for, counted from ground truth (and the twin's commands). */
export interface CostFacts {
  /** Asset-hours FAILED. */
  readonly unplannedDowntimeH: number;
  readonly failures: number;
  /** Planned maintenances performed (entries into MAINTENANCE). */
  readonly maintenances: number;
  /** DISPATCH_TECHNICIAN commands sent: a technician goes whether or not the asset then obeys. */
  readonly dispatches: number;
  readonly energyKwh: number;
  readonly goodUnits: number;
}

/** What the facts cost, in the cost table's currency. */
export interface CostBreakdown {
  readonly unplannedDowntime: number;
  readonly repairs: number;
  readonly maintenance: number;
  readonly dispatches: number;
  readonly energy: number;
  /** The sum of the above (lost production is a difference between runs: see RunSavings). */
  readonly total: number;
}

/** Facts and their cost, for the plant, each line and each asset. */
export interface PlantCosts {
  readonly currency: string;
  readonly facts: CostFacts;
  readonly cost: CostBreakdown;
  readonly byLine: Readonly<Record<string, { readonly facts: CostFacts; readonly cost: CostBreakdown }>>;
  readonly byAsset: Readonly<Record<string, { readonly facts: CostFacts; readonly cost: CostBreakdown }>>;
}

/** A command as far as cost is concerned. */
export interface CostedCommand {
  readonly assetId: string;
  readonly action: Action;
}

const ZERO_FACTS: CostFacts = {
  unplannedDowntimeH: 0,
  failures: 0,
  maintenances: 0,
  dispatches: 0,
  energyKwh: 0,
  goodUnits: 0,
};

const ZERO_COST: CostBreakdown = {
  unplannedDowntime: 0,
  repairs: 0,
  maintenance: 0,
  dispatches: 0,
  energy: 0,
  total: 0,
};

/**
 * What one run cost, from the simulator's ground truth, priced by the
 * catalogue's cost table line by line: unplanned downtime, repairs, planned
 * maintenance, technician dispatches and energy. Units are counted, not
 * priced here: a unit's margin only means something against another run.
 *
 * @example
 * const twin = plantCosts(truth, catalogue, commands);
 * twin.cost.total; twin.byLine['north-l1'].cost.repairs;
 */
export function plantCosts(
  truth: GroundTruth,
  catalogue: Catalogue,
  commands: readonly CostedCommand[] = [],
): PlantCosts {
  const lineOf = new Map(catalogue.assets.map((a) => [a.id, a.line]));
  const dispatches = new Map<string, number>();
  for (const c of commands) {
    if (c.action === 'DISPATCH_TECHNICIAN') dispatches.set(c.assetId, (dispatches.get(c.assetId) ?? 0) + 1);
  }
  const byAsset: Record<string, { facts: CostFacts; cost: CostBreakdown }> = {};
  const lineFacts = new Map<string, CostFacts>();
  for (const [assetId, a] of Object.entries(truth.assets)) {
    const line = lineOf.get(assetId);
    if (line === undefined)
      throw new Error(`plantCosts: asset ${assetId} of the ground truth is not in ${catalogue.source}`);
    const facts: CostFacts = {
      unplannedDowntimeH: a.unplannedDowntimeS / 3600,
      failures: a.failures,
      maintenances: a.timeline.filter((s) => s.state === 'MAINTENANCE').length,
      dispatches: dispatches.get(assetId) ?? 0,
      energyKwh: a.energyKwh,
      goodUnits: a.goodUnits,
    };
    byAsset[assetId] = { facts, cost: priceOf(facts, ratesOf(catalogue, line)) };
    lineFacts.set(line, addFacts(lineFacts.get(line) ?? ZERO_FACTS, facts));
  }
  const byLine: Record<string, { facts: CostFacts; cost: CostBreakdown }> = {};
  let facts = ZERO_FACTS;
  let cost = ZERO_COST;
  for (const [line, f] of lineFacts) {
    const c = priceOf(f, ratesOf(catalogue, line));
    byLine[line] = { facts: f, cost: c };
    facts = addFacts(facts, f);
    cost = addCost(cost, c);
  }
  return { currency: catalogue.costs.currency, facts, cost, byLine, byAsset };
}

/** Baseline against twin, in money: what the twin saved, per day and per asset. */
export interface RunSavings {
  readonly currency: string;
  readonly days: number;
  readonly assets: number;
  /** Baseline cost minus twin cost, per cost item (positive: the twin spent less). */
  readonly saved: CostBreakdown;
  /** (twin good units − baseline good units) × margin, line by line: what the twin's extra (or lost) production is worth. */
  readonly productionValue: number;
  /** saved.total + productionValue. */
  readonly net: number;
  readonly netPerDay: number;
  readonly netPerAssetDay: number;
  readonly byLine: Readonly<Record<string, { readonly net: number; readonly productionValue: number }>>;
}

/**
 * The twin's net saving over the baseline on the same plant and days: the
 * costs it avoided (or added) plus the margin of the units it made more (or
 * fewer). Both runs must be priced with one cost table.
 *
 * @example
 * const s = runSavings(plantCosts(baselineTruth, catalogue), plantCosts(truth, catalogue, commands), catalogue, 2);
 * s.netPerDay; // EUR per day
 */
export function runSavings(
  baseline: PlantCosts,
  twin: PlantCosts,
  catalogue: Catalogue,
  days: number,
): RunSavings {
  if (!(days > 0)) throw new Error(`runSavings: days must be > 0 (got ${days})`);
  const byLine: Record<string, { net: number; productionValue: number }> = {};
  let productionValue = 0;
  for (const [line, b] of Object.entries(baseline.byLine)) {
    const t = twin.byLine[line] ?? { facts: ZERO_FACTS, cost: ZERO_COST };
    const value = (t.facts.goodUnits - b.facts.goodUnits) * ratesOf(catalogue, line).marginPerUnit;
    productionValue += value;
    byLine[line] = { net: b.cost.total - t.cost.total + value, productionValue: value };
  }
  const saved = subtractCost(baseline.cost, twin.cost);
  const net = saved.total + productionValue;
  const assets = Object.keys(baseline.byAsset).length;
  return {
    currency: baseline.currency,
    days,
    assets,
    saved,
    productionValue,
    net,
    netPerDay: net / days,
    netPerAssetDay: assets > 0 ? net / days / assets : 0,
    byLine,
  };
}

function ratesOf(catalogue: Catalogue, line: string): CostRates {
  const rates = catalogue.costs.byLine[line];
  if (rates === undefined)
    throw new Error(`plantCosts: line ${line} has no cost rates in ${catalogue.source}`);
  return rates;
}

function priceOf(f: CostFacts, r: CostRates): CostBreakdown {
  const unplannedDowntime = f.unplannedDowntimeH * r.unplannedDowntimePerHour;
  const repairs = f.failures * r.repairPerFailure;
  const maintenance = f.maintenances * r.maintenancePerEvent;
  const dispatches = f.dispatches * r.dispatchPerEvent;
  const energy = f.energyKwh * r.energyPerKwh;
  return {
    unplannedDowntime,
    repairs,
    maintenance,
    dispatches,
    energy,
    total: unplannedDowntime + repairs + maintenance + dispatches + energy,
  };
}

function addFacts(a: CostFacts, b: CostFacts): CostFacts {
  return {
    unplannedDowntimeH: a.unplannedDowntimeH + b.unplannedDowntimeH,
    failures: a.failures + b.failures,
    maintenances: a.maintenances + b.maintenances,
    dispatches: a.dispatches + b.dispatches,
    energyKwh: a.energyKwh + b.energyKwh,
    goodUnits: a.goodUnits + b.goodUnits,
  };
}

/**
 * The cost items in the order reports show them, with their labels.
 *
 * @example
 * for (const { label, item } of COST_ROWS) console.log(label, costs.cost[item]);
 */
export const COST_ROWS: readonly { readonly label: string; readonly item: keyof CostBreakdown }[] = [
  { label: 'unplanned downtime', item: 'unplannedDowntime' },
  { label: 'repairs', item: 'repairs' },
  { label: 'planned maintenance', item: 'maintenance' },
  { label: 'technician dispatches', item: 'dispatches' },
  { label: 'energy', item: 'energy' },
  { label: 'total', item: 'total' },
];

const COST_ITEMS = COST_ROWS.map((r) => r.item);

function addCost(a: CostBreakdown, b: CostBreakdown): CostBreakdown {
  return Object.fromEntries(COST_ITEMS.map((k) => [k, a[k] + b[k]])) as unknown as CostBreakdown;
}

function subtractCost(a: CostBreakdown, b: CostBreakdown): CostBreakdown {
  return Object.fromEntries(COST_ITEMS.map((k) => [k, a[k] - b[k]])) as unknown as CostBreakdown;
}
