import { exchangerOutcome, type FlowArrangement } from './effectivenessNtu.js';

/**
 * Fouling as a thermal resistance: deposits on the plates or tubes add
 * Rf (m²K/W) in series with the clean heat-transfer coefficient,
 * 1/U = 1/U_clean + Rf, so UA falls as the layer grows, and the narrowed
 * channels raise the pressure drop at the same flow.
 */

/**
 * How much one m²K/W of fouling raises the hot-side pressure drop, relative.
 * A plate pack's channels are a few mm wide; Rf = 2·10⁻⁴ m²K/W of scale is
 * about a fifth of a millimetre, which raises the drop by roughly half.
 */
export const PRESSURE_DROP_PER_FOULING = 2_500;
/** Turbulent flow: the pressure drop grows with the flow to this power. */
const FLOW_EXPONENT = 1.8;

/**
 * UA of an exchanger with fouling Rf: A / (A/UA_clean + Rf).
 *
 * @example
 * foulingUa(60_000, 15, 0); // 60000
 * foulingUa(60_000, 15, 2.5e-4); // 30000 (U halves when Rf equals 1/U_clean)
 */
export function foulingUa(cleanUaWK: number, areaM2: number, foulingM2KW: number): number {
  return areaM2 / (areaM2 / cleanUaWK + Math.max(0, foulingM2KW));
}

/**
 * The fouling resistance that explains a measured UA: A/UA − A/UA_clean
 * (negative when the exchanger does better than its clean design, which
 * measurement noise does near zero fouling).
 *
 * @example
 * foulingOf(30_000, 60_000, 15); // 2.5e-4
 */
export function foulingOf(uaWK: number, cleanUaWK: number, areaM2: number): number {
  return areaM2 / uaWK - areaM2 / cleanUaWK;
}

/**
 * Hot-side pressure drop: the clean drop at design flow, scaled with the
 * flow (turbulent, exponent 1.8) and raised by fouling.
 *
 * @example
 * pressureDropKpa(40, 6, 6, 0); // 40
 */
export function pressureDropKpa(
  cleanDropKpa: number,
  flowKgS: number,
  designFlowKgS: number,
  foulingM2KW: number,
): number {
  const flow = Math.max(0, flowKgS) / designFlowKgS;
  return cleanDropKpa * flow ** FLOW_EXPONENT * (1 + PRESSURE_DROP_PER_FOULING * Math.max(0, foulingM2KW));
}

/** What an exchanger was designed for: the conditions its capacity and contract refer to. */
export interface DesignPoint {
  readonly designUaWK: number;
  readonly areaM2: number;
  readonly designHotFlowKgS: number;
  readonly designColdFlowKgS: number;
  readonly designHotInletC: number;
  readonly designColdInletC: number;
  readonly arrangement: FlowArrangement;
}

/**
 * The duty (kW) the exchanger can deliver at its design flows and inlet
 * temperatures with fouling Rf: what its contract minimum is checked against.
 *
 * @example
 * capacityKw(spec, 0); // the clean design duty
 */
export function capacityKw(design: DesignPoint, foulingM2KW: number): number {
  return (
    exchangerOutcome({
      uaWK: foulingUa(design.designUaWK, design.areaM2, foulingM2KW),
      hotInletC: design.designHotInletC,
      coldInletC: design.designColdInletC,
      hotFlowKgS: design.designHotFlowKgS,
      coldFlowKgS: design.designColdFlowKgS,
      arrangement: design.arrangement,
    }).dutyW / 1000
  );
}

/**
 * The fouling at which the design capacity falls to `minDutyKw`: 0 when
 * even the clean exchanger cannot deliver it. Capacity falls monotonically
 * with Rf, so a bisection up to the point where U has dropped a
 * hundredfold finds it.
 *
 * @example
 * capacityKw(spec, foulingLimit(spec, spec.contractMinDutyKw)); // ≈ spec.contractMinDutyKw
 */
export function foulingLimit(design: DesignPoint, minDutyKw: number): number {
  if (capacityKw(design, 0) <= minDutyKw) return 0;
  let lo = 0;
  let hi = (100 * design.areaM2) / design.designUaWK;
  if (capacityKw(design, hi) >= minDutyKw) return hi;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (capacityKw(design, mid) >= minDutyKw) lo = mid;
    else hi = mid;
  }
  return lo;
}
