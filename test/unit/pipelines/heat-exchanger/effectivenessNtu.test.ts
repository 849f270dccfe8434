import { describe, expect, it } from 'vitest';
import {
  effectiveness,
  exchangerOutcome,
  ntuOf,
  WATER_CP_J_KG_K,
} from '../../../../pipelines/heat-exchanger/effectivenessNtu.js';

describe('effectiveness', () => {
  it('is 1 − e^−NTU when one side has no capacity limit (Cr = 0), for both arrangements', () => {
    for (const ntu of [0.1, 1, 3]) {
      expect(effectiveness(ntu, 0, 'counterflow')).toBeCloseTo(1 - Math.exp(-ntu), 12);
      expect(effectiveness(ntu, 0, 'shell-and-tube-1-2')).toBeCloseTo(1 - Math.exp(-ntu), 12);
    }
  });

  it('is NTU / (1 + NTU) for a balanced counter-flow exchanger (Cr = 1)', () => {
    expect(effectiveness(1, 1, 'counterflow')).toBe(0.5);
    expect(effectiveness(3, 1, 'counterflow')).toBeCloseTo(0.75, 12);
  });

  it('matches a hand-computed counter-flow value (NTU 2, Cr 0.5: (1 − e^−1) / (1 − 0.5 e^−1))', () => {
    const e = Math.exp(-1);
    expect(effectiveness(2, 0.5, 'counterflow')).toBeCloseTo((1 - e) / (1 - 0.5 * e), 12);
  });

  it('is lower for one shell pass and two tube passes than for counter-flow at the same size', () => {
    expect(effectiveness(2, 0.5, 'shell-and-tube-1-2')).toBeLessThan(effectiveness(2, 0.5, 'counterflow'));
  });

  it('refuses a capacity ratio outside [0, 1]', () => {
    expect(() => effectiveness(1, 1.5, 'counterflow')).toThrow(RangeError);
  });
});

describe('ntuOf', () => {
  it('inverts effectiveness for both arrangements', () => {
    for (const arrangement of ['counterflow', 'shell-and-tube-1-2'] as const) {
      for (const cr of [0, 0.3, 0.7, 1]) {
        for (const ntu of [0.2, 1, 2.5]) {
          expect(ntuOf(effectiveness(ntu, cr, arrangement), cr, arrangement)).toBeCloseTo(ntu, 8);
        }
      }
    }
  });

  it('is infinite for an effectiveness no size reaches', () => {
    expect(ntuOf(1, 0.5, 'counterflow')).toBe(Number.POSITIVE_INFINITY);
    expect(ntuOf(0.95, 1, 'shell-and-tube-1-2')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('exchangerOutcome', () => {
  it('gives Q = ε·Cmin·(Th,in − Tc,in) and outlets that close the heat balance', () => {
    const out = exchangerOutcome({
      uaWK: WATER_CP_J_KG_K,
      hotInletC: 90,
      coldInletC: 50,
      hotFlowKgS: 1,
      coldFlowKgS: 1,
      arrangement: 'counterflow',
    });
    expect(out.effectiveness).toBe(0.5);
    expect(out.dutyW).toBeCloseTo(0.5 * WATER_CP_J_KG_K * 40, 6);
    expect(out.hotOutletC).toBeCloseTo(70, 9);
    expect(out.coldOutletC).toBeCloseTo(70, 9);
  });

  it('transfers nothing without flow', () => {
    expect(
      exchangerOutcome({
        uaWK: 1e4,
        hotInletC: 90,
        coldInletC: 50,
        hotFlowKgS: 0,
        coldFlowKgS: 2,
        arrangement: 'counterflow',
      }).dutyW,
    ).toBe(0);
  });
});
