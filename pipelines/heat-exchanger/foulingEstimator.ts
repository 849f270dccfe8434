import type { ExchangerSpec } from './catalogue.js';
import type { HxTelemetry } from './contracts.js';
import { capacityRates, ntuOf } from './effectivenessNtu.js';
import { foulingOf } from './fouling.js';

/** Below this share of its design flow a side carries too little heat to estimate from: the exchanger is down. */
const MIN_FLOW_SHARE = 0.05;
/** Above this effectiveness the NTU inversion amplifies a 0.05 °C error into tens of percent of UA. */
const MAX_WELL_CONDITIONED_EPS = 0.9;
/** A heat balance off by more than this is not a leak or a drift any more: the reading is broken. */
const MAX_MISMATCH = 0.3;

/** What one reading says about the exchanger, before smoothing. */
export interface ReadingEstimate {
  /** `ill-conditioned`: in service and plausible, but too close to ε = 1 to estimate UA from. */
  readonly status: 'ok' | 'ill-conditioned' | 'out-of-service' | 'implausible';
  readonly note: string;
  readonly dutyKw: number;
  readonly heatBalanceMismatch: number;
  readonly uaWK: number;
  readonly foulingM2KW: number;
}

const notEstimated = (status: ReadingEstimate['status'], note: string, dutyKw = 0): ReadingEstimate => ({
  status,
  note,
  dutyKw,
  heatBalanceMismatch: 0,
  uaWK: Number.NaN,
  foulingM2KW: Number.NaN,
});

/**
 * UA and fouling from one reading by inverting ε-NTU on the hot side:
 * ε = Ch·(Th,in − Th,out) / (Cmin·(Th,in − Tc,in)), NTU = ntuOf(ε, Cr),
 * UA = NTU·Cmin, Rf = A/UA − A/UA_clean. The cold outlet is used only for
 * the heat balance (hot-side duty against cold-side duty), so a drifting
 * cold outlet thermometer shows up as a mismatch instead of corrupting the
 * fouling estimate, and a leak on the hot side (water metered in that never
 * comes out) shows as the opposite mismatch.
 *
 * @example
 * estimateFouling(reading, specOf(reading.exchangerId)).foulingM2KW; // ≈ 4e-5 for a slightly fouled plate pack
 */
export function estimateFouling(t: HxTelemetry, spec: ExchangerSpec): ReadingEstimate {
  if (
    t.hotFlowKgS < MIN_FLOW_SHARE * spec.designHotFlowKgS ||
    t.coldFlowKgS < MIN_FLOW_SHARE * spec.designColdFlowKgS
  )
    return notEstimated('out-of-service', 'no flow on one side');
  const approach = t.hotInletC - t.coldInletC;
  if (approach <= 2)
    return notEstimated('implausible', `hot inlet ${t.hotInletC} °C not above cold inlet ${t.coldInletC} °C`);
  if (t.hotFlowKgS > 3 * spec.designHotFlowKgS || t.coldFlowKgS > 3 * spec.designColdFlowKgS)
    return notEstimated('implausible', 'a flow above three times its design');
  const c = capacityRates(t.hotFlowKgS, t.coldFlowKgS);
  const hotW = c.hotWK * (t.hotInletC - t.hotOutletC);
  const coldW = c.coldWK * (t.coldOutletC - t.coldInletC);
  const dutyKw = hotW / 1000;
  if (hotW <= 0) return notEstimated('implausible', 'the hot side does not cool down');
  const mismatch = (hotW - coldW) / hotW;
  if (Math.abs(mismatch) > MAX_MISMATCH)
    return notEstimated('implausible', `heat balance off by ${(100 * mismatch).toFixed(0)} %`, dutyKw);
  const eps = hotW / (c.minWK * approach);
  const ntu = eps < 1 ? ntuOf(eps, c.ratio, spec.arrangement) : Number.POSITIVE_INFINITY;
  // Beyond what any size reaches: the hot-side duty is overstated (a leak meters water that never
  // cools), so UA cannot be read from it, but the heat balance still says what is wrong.
  if (!Number.isFinite(ntu)) {
    return {
      ...notEstimated(
        'ill-conditioned',
        `effectiveness ${eps.toFixed(3)} beyond what any size reaches`,
        dutyKw,
      ),
      heatBalanceMismatch: mismatch,
    };
  }
  const uaWK = ntu * c.minWK;
  const foulingM2KW = foulingOf(uaWK, spec.designUaWK, spec.areaM2);
  const status = eps > MAX_WELL_CONDITIONED_EPS ? 'ill-conditioned' : 'ok';
  const note = status === 'ok' ? '' : `effectiveness ${eps.toFixed(3)} too close to 1 to estimate UA`;
  return { status, note, dutyKw, heatBalanceMismatch: mismatch, uaWK, foulingM2KW };
}
