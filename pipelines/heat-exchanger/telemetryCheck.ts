import { fieldRanges, type ValueCheck } from 'twinflow';
import type { HxTelemetry } from './contracts.js';

/**
 * What a reading may physically hold. Water circuits of a substation or a
 * process plant stay between freezing and 200 °C (pressurised); a flow is
 * never negative and a valve is between shut and open. Wider than normal
 * operation on purpose: these catch a broken sensor or encoder, the twin's
 * plausibility checks judge the merely odd.
 *
 * @example
 * HX_TELEMETRY_RANGES.valvePct; // { min: 0, max: 100 }
 */
export const HX_TELEMETRY_RANGES = {
  ts: { min: 0, integer: true },
  hotInletC: { min: -5, max: 200 },
  hotOutletC: { min: -5, max: 200 },
  coldInletC: { min: -5, max: 200 },
  coldOutletC: { min: -5, max: 200 },
  hotFlowKgS: { min: 0, max: 10_000 },
  coldFlowKgS: { min: 0, max: 10_000 },
  pressureDropKpa: { min: 0, max: 5_000 },
  valvePct: { min: 0, max: 100 },
} as const;

const numericFields = fieldRanges<HxTelemetry>(HX_TELEMETRY_RANGES);

/**
 * Why a decoded reading cannot be accepted (no exchanger id, or a value
 * that is NaN, infinite or outside HX_TELEMETRY_RANGES); undefined when it
 * can. The job's source dead-letters a refused reading with this reason, so
 * a NaN never reaches the fouling estimate.
 *
 * @example
 * hxTelemetryCheck({ ...reading, hotInletC: Number.NaN }); // 'hotInletC is NaN, not a finite number'
 */
export const hxTelemetryCheck: ValueCheck<HxTelemetry> = (t) => {
  if (t.exchangerId === '') return 'exchangerId is empty';
  return numericFields(t);
};
