import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { detectAnomaly, initialAnomalyState } from '../../../../operators/scoring/anomalyDetector.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';

function reading(noise: () => number, over: Partial<Telemetry> = {}): Telemetry {
  return {
    assetId: 'pump-1',
    site: 's',
    line: 'l',
    ts: 0,
    seq: 0,
    temperatureC: 70 + 0.3 * noise(),
    vibrationMmS: 2 + 0.05 * noise(),
    loadPct: 100,
    pressureBar: 6 + 0.05 * noise(),
    powerKw: 75 + 0.5 * noise(),
    rpm: 1480,
    runState: 'RUNNING',
    goodUnits: 0,
    rejectedUnits: 0,
    loadLimitPct: null,
    ...over,
  };
}

describe('detectAnomaly', () => {
  it('stays quiet on stationary noise and with sensor drop-outs', () => {
    const noise = normalSource(uniformSource(31));
    const state = initialAnomalyState();
    let max = 0;
    for (let i = 0; i < 3000; i++) {
      const r = reading(noise, i % 7 === 0 ? { temperatureC: null, pressureBar: null } : {});
      const a = detectAnomaly(state, r);
      expect(a.signals).toEqual([]);
      max = Math.max(max, a.score);
    }
    expect(max).toBeLessThan(1);
  });

  it('flags a spike on the signal that jumped', () => {
    const noise = normalSource(uniformSource(32));
    const state = initialAnomalyState();
    for (let i = 0; i < 300; i++) detectAnomaly(state, reading(noise));
    const a = detectAnomaly(state, reading(noise, { vibrationMmS: 4 }));
    expect(a.signals).toContain('vibrationMmS:spike');
    expect(a.score).toBeGreaterThan(2);
  });

  it('flags a stuck sensor repeating one value', () => {
    const noise = normalSource(uniformSource(33));
    const state = initialAnomalyState();
    for (let i = 0; i < 300; i++) detectAnomaly(state, reading(noise));
    let last = detectAnomaly(state, reading(noise, { pressureBar: 6.01 }));
    for (let i = 0; i < 20; i++) last = detectAnomaly(state, reading(noise, { pressureBar: 6.01 }));
    expect(last.signals).toEqual(['pressureBar:stuck']);
    expect(last.score).toBeGreaterThanOrEqual(1);
  });

  it('flags a slow vibration drift by CUSUM, and ignores assets that are not running', () => {
    const noise = normalSource(uniformSource(34));
    const state = initialAnomalyState();
    for (let i = 0; i < 300; i++) detectAnomaly(state, reading(noise));
    expect(detectAnomaly(state, reading(noise, { runState: 'IDLE', vibrationMmS: 50 })).score).toBe(0);
    let seen: readonly string[] = [];
    for (let i = 1; i <= 300 && seen.length === 0; i++) {
      seen = detectAnomaly(state, reading(noise, { vibrationMmS: 2 + 0.0005 * i + 0.05 * noise() })).signals;
    }
    expect(seen).toEqual(['vibrationMmS:cusum']);
  });

  it('keeps its state as plain JSON', () => {
    const noise = normalSource(uniformSource(35));
    const state = initialAnomalyState();
    for (let i = 0; i < 100; i++) detectAnomaly(state, reading(noise));
    const copy = JSON.parse(JSON.stringify(state));
    const r = reading(noise);
    expect(detectAnomaly(copy, r)).toEqual(detectAnomaly(state, r));
  });
});
