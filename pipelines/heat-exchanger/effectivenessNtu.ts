/**
 * The effectiveness-NTU method: how much of the thermodynamically possible
 * heat an exchanger transfers, from its size relative to the flows
 * (NTU = UA / Cmin) and the ratio of the two sides' capacity rates
 * (Cr = Cmin / Cmax). It needs only inlet temperatures, so it predicts the
 * outlets and the duty of a given exchanger, and, inverted, turns measured
 * temperatures into the UA the exchanger has now.
 */

/** Specific heat of water in the range of district heating, J/(kg·K). */
export const WATER_CP_J_KG_K = 4186;

/** Flow arrangements with closed-form ε(NTU, Cr) and its inverse. */
export type FlowArrangement = 'counterflow' | 'shell-and-tube-1-2';

/** Below this the sides are treated as balanced (Cr = 1), where the counter-flow formula is 0/0. */
const BALANCED = 1e-9;

/**
 * Effectiveness ε of an exchanger. Counter-flow (plate packs):
 * ε = (1 − e^{−NTU(1−Cr)}) / (1 − Cr·e^{−NTU(1−Cr)}), NTU/(1+NTU) at Cr = 1.
 * One shell pass, two tube passes: ε = 2 / (1 + Cr + s·(1+e^{−NTU·s})/(1−e^{−NTU·s})), s = √(1+Cr²).
 * Cr = 0 (one side boiling or condensing, or a huge flow) gives 1 − e^{−NTU} for both.
 *
 * @example
 * effectiveness(1, 1, 'counterflow'); // 0.5
 * effectiveness(2, 0, 'counterflow'); // 1 - Math.exp(-2)
 */
export function effectiveness(ntu: number, cr: number, arrangement: FlowArrangement): number {
  if (!(ntu >= 0) || !(cr >= 0 && cr <= 1)) {
    throw new RangeError(`effectiveness: NTU must be >= 0 and Cr in [0, 1], got NTU=${ntu}, Cr=${cr}`);
  }
  if (ntu === 0) return 0;
  if (arrangement === 'counterflow') {
    if (1 - cr < BALANCED) return ntu / (1 + ntu);
    const e = Math.exp(-ntu * (1 - cr));
    return (1 - e) / (1 - cr * e);
  }
  const s = Math.sqrt(1 + cr * cr);
  const e = Math.exp(-ntu * s);
  return 2 / (1 + cr + (s * (1 + e)) / (1 - e));
}

/**
 * The NTU that gives effectiveness ε: the inverse of {@link effectiveness}.
 * Infinity when ε is at or beyond what any size can reach (1 for a
 * counter-flow, less for shell-and-tube), which a fouling estimate must
 * treat as implausible, not as an infinitely large exchanger.
 *
 * @example
 * ntuOf(0.5, 1, 'counterflow'); // 1
 */
export function ntuOf(eps: number, cr: number, arrangement: FlowArrangement): number {
  if (!(eps >= 0) || !(cr >= 0 && cr <= 1)) {
    throw new RangeError(`ntuOf: ε must be >= 0 and Cr in [0, 1], got ε=${eps}, Cr=${cr}`);
  }
  if (eps === 0) return 0;
  if (arrangement === 'counterflow') {
    if (1 - cr < BALANCED) return eps < 1 ? eps / (1 - eps) : Number.POSITIVE_INFINITY;
    if (eps >= 1) return Number.POSITIVE_INFINITY;
    return Math.log((1 - eps * cr) / (1 - eps)) / (1 - cr);
  }
  const s = Math.sqrt(1 + cr * cr);
  const big = (2 / eps - (1 + cr)) / s;
  if (!(big > 1)) return Number.POSITIVE_INFINITY;
  return -Math.log((big - 1) / (big + 1)) / s;
}

/** Both sides' capacity rates (W/K) and what ε-NTU makes of them. */
export interface CapacityRates {
  readonly hotWK: number;
  readonly coldWK: number;
  readonly minWK: number;
  /** Cmin / Cmax, in [0, 1]. */
  readonly ratio: number;
}

/**
 * Capacity rates C = ṁ·cp of the two sides.
 *
 * @example
 * capacityRates(2, 4).ratio; // 0.5
 */
export function capacityRates(hotFlowKgS: number, coldFlowKgS: number, cp = WATER_CP_J_KG_K): CapacityRates {
  const hotWK = hotFlowKgS * cp;
  const coldWK = coldFlowKgS * cp;
  const minWK = Math.min(hotWK, coldWK);
  const maxWK = Math.max(hotWK, coldWK);
  return { hotWK, coldWK, minWK, ratio: maxWK > 0 ? minWK / maxWK : 0 };
}

/** The operating point of an exchanger: what goes in. */
export interface OperatingPoint {
  readonly uaWK: number;
  readonly hotInletC: number;
  readonly coldInletC: number;
  readonly hotFlowKgS: number;
  readonly coldFlowKgS: number;
  readonly arrangement: FlowArrangement;
}

/** What comes out: the duty and both outlet temperatures. */
export interface ExchangerOutcome {
  readonly dutyW: number;
  readonly hotOutletC: number;
  readonly coldOutletC: number;
  readonly effectiveness: number;
}

/**
 * Duty Q = ε·Cmin·(Th,in − Tc,in) and the outlets it implies
 * (Th,out = Th,in − Q/Ch, Tc,out = Tc,in + Q/Cc). A side without flow
 * transfers nothing: its outlet is taken as its inlet.
 *
 * @example
 * exchangerOutcome({ uaWK: 4186, hotInletC: 90, coldInletC: 50, hotFlowKgS: 1, coldFlowKgS: 1, arrangement: 'counterflow' }).dutyW; // 83720 (ε = 0.5)
 */
export function exchangerOutcome(p: OperatingPoint): ExchangerOutcome {
  const c = capacityRates(p.hotFlowKgS, p.coldFlowKgS);
  if (c.minWK <= 0) {
    return { dutyW: 0, hotOutletC: p.hotInletC, coldOutletC: p.coldInletC, effectiveness: 0 };
  }
  const eps = effectiveness(p.uaWK / c.minWK, c.ratio, p.arrangement);
  const dutyW = eps * c.minWK * (p.hotInletC - p.coldInletC);
  return {
    dutyW,
    hotOutletC: p.hotInletC - dutyW / c.hotWK,
    coldOutletC: p.coldInletC + dutyW / c.coldWK,
    effectiveness: eps,
  };
}
