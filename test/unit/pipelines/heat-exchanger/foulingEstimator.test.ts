import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HX_CATALOGUE,
  exchangerLookup,
  loadHxCatalogue,
} from '../../../../pipelines/heat-exchanger/catalogue.js';
import type { HxTelemetry } from '../../../../pipelines/heat-exchanger/contracts.js';
import { exchangerOutcome } from '../../../../pipelines/heat-exchanger/effectivenessNtu.js';
import { foulingUa } from '../../../../pipelines/heat-exchanger/fouling.js';
import { estimateFouling } from '../../../../pipelines/heat-exchanger/foulingEstimator.js';
import {
  addTrendSample,
  hoursUntilLimit,
  type TrendSamples,
  trendSlopePerDay,
} from '../../../../pipelines/heat-exchanger/foulingTrend.js';

const specOf = exchangerLookup(await loadHxCatalogue(DEFAULT_HX_CATALOGUE));

/** A noise-free reading of an exchanger with fouling Rf, from the physics. */
function reading(id: string, fouling: number, flowShare = 1): HxTelemetry {
  const s = specOf(id);
  const hotFlowKgS = s.designHotFlowKgS * flowShare;
  const out = exchangerOutcome({
    uaWK: foulingUa(s.designUaWK, s.areaM2, fouling),
    hotInletC: s.designHotInletC,
    coldInletC: s.designColdInletC,
    hotFlowKgS,
    coldFlowKgS: s.designColdFlowKgS,
    arrangement: s.arrangement,
  });
  return {
    exchangerId: id,
    ts: 0,
    hotInletC: s.designHotInletC,
    hotOutletC: out.hotOutletC,
    coldInletC: s.designColdInletC,
    coldOutletC: out.coldOutletC,
    hotFlowKgS,
    coldFlowKgS: s.designColdFlowKgS,
    pressureDropKpa: 40,
    valvePct: 100 * flowShare,
  };
}

describe('estimateFouling', () => {
  it('recovers the fouling of synthetic readings for both arrangements', () => {
    for (const [id, rf] of [
      ['hx-north', 4e-5],
      ['hx-preheat-a', 3e-4],
    ] as const) {
      const e = estimateFouling(reading(id, rf), specOf(id));
      expect(e.status).toBe('ok');
      expect(e.foulingM2KW).toBeCloseTo(rf, 9);
      expect(e.heatBalanceMismatch).toBeCloseTo(0, 9);
    }
  });

  it('is not misled by a drifting cold outlet thermometer: the mismatch shows it instead', () => {
    const r = reading('hx-north', 4e-5);
    const e = estimateFouling({ ...r, coldOutletC: r.coldOutletC + 2 }, specOf('hx-north'));
    expect(e.foulingM2KW).toBeCloseTo(4e-5, 9);
    expect(e.heatBalanceMismatch).toBeLessThan(-0.05);
  });

  it('calls an exchanger without flow out of service and impossible temperatures implausible', () => {
    const r = reading('hx-north', 0);
    expect(estimateFouling({ ...r, hotFlowKgS: 0 }, specOf('hx-north')).status).toBe('out-of-service');
    expect(estimateFouling({ ...r, hotInletC: r.coldInletC }, specOf('hx-north')).status).toBe('implausible');
    expect(estimateFouling({ ...r, coldOutletC: r.coldInletC + 60 }, specOf('hx-north')).status).toBe(
      'implausible',
    );
  });

  it('does not estimate UA where ε is too close to 1 for the inversion to be trusted', () => {
    expect(estimateFouling(reading('hx-north', 0, 0.3), specOf('hx-north')).status).toBe('ill-conditioned');
  });
});

describe('fouling trend', () => {
  it('fits the slope of hourly samples and predicts the hours to the limit', () => {
    const samples: TrendSamples = [];
    for (let h = 0; h <= 24; h++)
      addTrendSample(samples, h * 3_600_000, 1e-5 + (h / 24) * 2e-6, { sampleMs: 3_600_000, maxSamples: 48 });
    const slope = trendSlopePerDay(samples, 12);
    expect(slope).toBeCloseTo(2e-6, 12);
    expect(hoursUntilLimit(1.2e-5, slope, 1.6e-5)).toBeCloseTo(48, 6);
    expect(hoursUntilLimit(2e-5, slope, 1.6e-5)).toBe(0);
    expect(trendSlopePerDay(samples.slice(0, 5), 12)).toBeNull();
  });
});
