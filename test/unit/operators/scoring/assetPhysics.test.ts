import { describe, expect, it } from 'vitest';
import {
  coolingFromThermalBalance,
  nextTemperature,
  steadyTemperature,
} from '../../../../operators/scoring/assetPhysics.js';
import { pump } from './assetFixtures.js';

describe('coolingFromThermalBalance', () => {
  it('finds the cooling factor of an asset settled at its steady temperature', () => {
    const t = steadyTemperature(pump, 0.9, 0.7);
    expect(
      coolingFromThermalBalance(pump, { temperatureC: t, previousTemperatureC: t, dtS: 600, load: 0.9 }),
    ).toBeCloseTo(0.7, 10);
  });

  it('sees where a warming asset is heading, not where it is', () => {
    // Warming toward the steady temperature of a 0.75 cooler, one 30 s step of the physics.
    const c = { temperatureC: 60, wear: 0, load: 1, coolingFactor: 0.75, wearFactor: 1 };
    const next = nextTemperature(pump, c, 30);
    const estimate = coolingFromThermalBalance(pump, {
      temperatureC: next,
      previousTemperatureC: 60,
      dtS: 30,
      load: 1,
    });
    expect(estimate).toBeCloseTo(0.75, 1);
    // Where it is now would claim a far better cooler.
    expect((pump.heatRiseAtRatedC * 1) / (next - pump.ambientC)).toBeGreaterThan(1);
  });

  it('has no estimate barely above ambient, and clamps to 0.2..1.2', () => {
    expect(
      coolingFromThermalBalance(pump, { temperatureC: 25.5, previousTemperatureC: 25.5, dtS: 600, load: 1 }),
    ).toBeUndefined();
    expect(
      coolingFromThermalBalance(pump, { temperatureC: 300, previousTemperatureC: 300, dtS: 600, load: 1 }),
    ).toBe(0.2);
    expect(
      coolingFromThermalBalance(pump, { temperatureC: 30, previousTemperatureC: 30, dtS: 600, load: 1 }),
    ).toBe(1.2);
  });
});
