import { fieldRanges, type ValueCheck } from '../core/fieldRanges.js';
import type { Telemetry } from './contracts.js';

/**
 * What a reading of the telemetry contract may physically hold. Beyond
 * these a value is a sensor or encoder fault, not a state of the asset:
 * it would poison the twin's state and KPIs (a NaN spreads through every
 * mean and EWMA) or be refused by ClickHouse's columns (a negative counter
 * in a UInt64). The bounds are wide on purpose: they catch the impossible,
 * not the unusual; the twin's anomaly detection judges the unusual.
 *
 * @example
 * TELEMETRY_RANGES.goodUnits; // { min: 0, integer: true }
 */
export const TELEMETRY_RANGES = {
  seq: { min: 0, integer: true },
  // Below absolute zero is impossible; above 2 000 °C every sensor of these assets has melted.
  temperatureC: { min: -273.15, max: 2_000, nullable: true },
  // A vibration velocity RMS is a magnitude; ISO 10816's worst zone starts near 11 mm/s.
  vibrationMmS: { min: 0, max: 1_000, nullable: true },
  loadPct: { min: 0, max: 1_000 },
  // Gauge pressure: a full vacuum is -1.01325 bar.
  pressureBar: { min: -1.01325, max: 10_000, nullable: true },
  powerKw: { min: 0, max: 1_000_000 },
  rpm: { min: 0, max: 1_000_000 },
  goodUnits: { min: 0, integer: true },
  rejectedUnits: { min: 0, integer: true },
  loadLimitPct: { min: 0, max: 1_000, nullable: true },
} as const;

const numericFields = fieldRanges<Telemetry>(TELEMETRY_RANGES);

/**
 * Why a decoded reading cannot be accepted (its asset id is empty, or a
 * value is outside TELEMETRY_RANGES: NaN, ±Infinity, negative counters,
 * the physically impossible); undefined when it can. The source of every
 * mode dead-letters a refused reading with this reason.
 *
 * @example
 * telemetryCheck({ ...reading, goodUnits: -5 }); // 'goodUnits is -5, below its minimum 0'
 */
export const telemetryCheck: ValueCheck<Telemetry> = (t) => {
  if (t.assetId === '') return 'assetId is empty';
  return numericFields(t);
};
