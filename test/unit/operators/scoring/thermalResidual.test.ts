import { describe, expect, it } from 'vitest';
import { type AssetSpec, nextTemperature } from '../../../../operators/scoring/assetPhysics.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';
import {
  initialThermalResidualState,
  resetThermalResidual,
  updateThermalResidual,
} from '../../../../operators/scoring/thermalResidual.js';
import { pump } from './assetFixtures.js';

const TICK_S = 30;

/**
 * A plant asset as the simulator advances it: first-order thermal response to a varying load
 * with the given cooling, read with 0.3 °C of noise; `edit` may change a reading.
 */
function run(
  spec: AssetSpec,
  readings: number,
  coolingAt: (i: number) => number,
  edit: (i: number, measured: number) => number = (_, m) => m,
) {
  const noise = normalSource(uniformSource(7));
  const state = initialThermalResidualState();
  let temperature = spec.ambientC + spec.heatRiseAtRatedC * 0.64;
  const out: Array<{ i: number; flagged: boolean; residualC: number | null }> = [];
  for (let i = 0; i < readings; i++) {
    // Load swings between 0.5 and 0.95 over a few hours, as demand does.
    const load = 0.725 + 0.225 * Math.sin((2 * Math.PI * i * TICK_S) / (3 * 3600));
    temperature = nextTemperature(
      spec,
      { temperatureC: temperature, load, coolingFactor: coolingAt(i), wear: 0.2, wearFactor: 1 },
      TICK_S,
    );
    const measured = edit(i, Math.round((temperature + 0.3 * noise()) * 100) / 100);
    const r = updateThermalResidual(state, spec, {
      ts: i * TICK_S * 1000,
      temperatureC: measured,
      load,
      running: true,
    });
    out.push({ i, flagged: r.flagged, residualC: r.residualC });
  }
  return { out, state };
}

describe('thermal residual', () => {
  it('stays quiet on a healthy asset whose load swings, over two days of readings', () => {
    const { out } = run(pump, 5760, () => 1);
    expect(out.filter((r) => r.flagged)).toEqual([]);
    const residuals = out.slice(100).map((r) => Math.abs(r.residualC ?? 0));
    expect(Math.max(...residuals)).toBeLessThan(1);
  });

  it('flags a mild cooling loss (factor 0.85) starting at half load within 30 minutes, and holds the flag', () => {
    const start = 1000;
    const { out } = run(pump, 1600, (i) => (i >= start ? 0.85 : 1));
    expect(out.slice(0, start).some((r) => r.flagged)).toBe(false);
    const first = out.findIndex((r) => r.flagged);
    expect(first).toBeGreaterThan(start);
    expect((first - start) * TICK_S).toBeLessThanOrEqual(30 * 60);
    expect(out.slice(first + 60).every((r) => r.flagged)).toBe(true);
  });

  it('is not fooled by single spikes, nor by a burst where one reading in five is wild', () => {
    const { out } = run(
      pump,
      2000,
      () => 1,
      (i, m) => (i % 200 === 0 || (i > 1200 && i < 1400 && i % 5 === 0) ? m + 50 : m),
    );
    expect(out.some((r) => r.flagged)).toBe(false);
  });

  it('ignores a stuck sensor repeating its last value, and starts afresh after a reset', () => {
    let stuck = 0;
    const { out, state } = run(
      pump,
      1200,
      () => 1,
      (i, m) => {
        if (i === 400) stuck = m + 8;
        return i >= 400 && i < 600 ? stuck : m;
      },
    );
    // The first repeat is the only one used: one reading cannot reach the threshold.
    expect(out.some((r) => r.flagged)).toBe(false);
    expect(out.filter((r) => r.i > 400 && r.i < 600).every((r) => r.residualC === null)).toBe(true);
    state.cusum = 100;
    resetThermalResidual(state);
    expect(state.cusum).toBe(0);
    expect(state.recent).toEqual([]);
  });

  it('does not accumulate while the asset is stopped, and returns no residual without a reading', () => {
    const state = initialThermalResidualState();
    const stopped = { ts: 0, temperatureC: 90, load: 0, running: false };
    expect(updateThermalResidual(state, pump, stopped).flagged).toBe(false);
    expect(updateThermalResidual(state, pump, { ...stopped, ts: 30_000, temperatureC: null })).toEqual({
      residualC: null,
      score: 0,
      flagged: false,
    });
    // The model cooled towards ambient meanwhile.
    expect(state.expectedC).toBeLessThan(90);
  });
});
