import { describe, expect, it } from 'vitest';
import {
  capacityKw,
  foulingLimit,
  foulingOf,
  foulingUa,
  pressureDropKpa,
} from '../../../../pipelines/heat-exchanger/fouling.js';

const plate = {
  designUaWK: 60_000,
  areaM2: 15,
  designHotFlowKgS: 6,
  designColdFlowKgS: 9,
  designHotInletC: 95,
  designColdInletC: 45,
  arrangement: 'counterflow' as const,
};

describe('fouling', () => {
  it('adds Rf to 1/U: UA halves when Rf equals 1/U_clean', () => {
    expect(foulingUa(60_000, 15, 0)).toBe(60_000);
    expect(foulingUa(60_000, 15, 15 / 60_000)).toBeCloseTo(30_000, 6);
  });

  it('recovers the fouling that explains a UA', () => {
    expect(foulingOf(foulingUa(60_000, 15, 4e-5), 60_000, 15)).toBeCloseTo(4e-5, 12);
  });

  it('raises the pressure drop with fouling and with flow to the power 1.8', () => {
    expect(pressureDropKpa(40, 6, 6, 0)).toBe(40);
    expect(pressureDropKpa(40, 3, 6, 0)).toBeCloseTo(40 * 0.5 ** 1.8, 9);
    expect(pressureDropKpa(40, 6, 6, 2e-4)).toBeGreaterThan(40);
  });

  it('lowers the design capacity as fouling grows', () => {
    expect(capacityKw(plate, 5e-5)).toBeLessThan(capacityKw(plate, 0));
  });

  it('finds the fouling at which the capacity falls to the contract minimum', () => {
    const limit = foulingLimit(plate, 900);
    expect(capacityKw(plate, limit)).toBeCloseTo(900, 3);
    expect(foulingLimit(plate, 10_000)).toBe(0);
  });
});
