/**
 * What the plant's events cost, per line: the prices a return on the twin is
 * counted in. They are assumptions of the plant's controller, not facts of
 * physics, so they live in the catalogue beside the assets they price and
 * every figure derived from them says which currency it is in.
 */

/**
 * Prices for one line. Downtime is charged per asset-hour on that line, on
 * top of the units the stop did not make (those are valued by
 * `marginPerUnit`, so an hour is not counted twice).
 *
 * @example
 * const r: CostRates = {
 *   unplannedDowntimePerHour: 1500, repairPerFailure: 3500, maintenancePerEvent: 900,
 *   dispatchPerEvent: 180, energyPerKwh: 0.16, marginPerUnit: 0.04,
 * };
 */
export interface CostRates {
  /** Cost of one asset-hour of unplanned stop (idle crew, expediting, restart scrap), beyond lost units. */
  readonly unplannedDowntimePerHour: number;
  /** Parts and emergency labour of one repair after a failure. */
  readonly repairPerFailure: number;
  /** Parts and labour of one planned maintenance. */
  readonly maintenancePerEvent: number;
  /** One technician sent to look at an asset. */
  readonly dispatchPerEvent: number;
  readonly energyPerKwh: number;
  /** Contribution margin of one good unit: what a unit made or not made is worth. */
  readonly marginPerUnit: number;
}

/**
 * The resolved cost table: a currency and the rates of every line.
 *
 * @example
 * catalogue.costs.byLine['north-l1'].repairPerFailure; // 3500
 */
export interface CostTable {
  /** ISO 4217 code the rates are in, e.g. "EUR". */
  readonly currency: string;
  readonly byLine: Readonly<Record<string, CostRates>>;
}

/**
 * The rates a catalogue without a `costs` section gets, and the ones a
 * `costs` section starts from. Stated in the README as assumptions: a
 * mid-size European bottling and packaging plant, 2026 prices.
 *
 * @example
 * DEFAULT_COST_RATES.energyPerKwh; // 0.16
 */
export const DEFAULT_COST_RATES: CostRates = {
  unplannedDowntimePerHour: 1500,
  repairPerFailure: 3500,
  maintenancePerEvent: 900,
  dispatchPerEvent: 180,
  energyPerKwh: 0.16,
  marginPerUnit: 0.04,
};

export const DEFAULT_CURRENCY = 'EUR';
