import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { keyBy, processKeyed, type StreamElement, values } from '../../../../operators/index.js';
import {
  type AssetSpec,
  powerOf,
  steadyTemperature,
  vibrationOf,
} from '../../../../operators/scoring/assetPhysics.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';
import {
  assetMonitor,
  BEARING_TREND_SIGNAL,
  COOLING_RESIDUAL_SIGNAL,
  type MonitoredReading,
} from '../../../../pipelines/machine-health/assetMonitor.js';

const spec: AssetSpec = {
  id: 'p1',
  kind: 'pump',
  site: 's',
  line: 'l',
  ratedPowerKw: 50,
  ratedRpm: 1500,
  ratedPressureBar: 6,
  ambientC: 25,
  heatRiseAtRatedC: 45,
  thermalTimeConstantS: 1200,
  temperatureAlarmC: 85,
  temperatureLimitC: 95,
  baseVibrationMmS: 1.5,
  vibrationAlarmMmS: 7,
  wearPerHourAtRated: 1 / 2000,
  idealCycleTimeS: 1,
  repairTimeS: 28_800,
  maintenanceTimeS: 7_200,
};

function reading(i: number, wear: number, o: Partial<Telemetry> = {}): Telemetry {
  return {
    assetId: 'p1',
    site: 's',
    line: 'l',
    ts: i * 30_000,
    seq: i,
    temperatureC: 60,
    vibrationMmS: vibrationOf(spec, wear, 0.8),
    loadPct: 80,
    pressureBar: 5,
    powerKw: 40,
    rpm: 1450,
    runState: 'RUNNING',
    goodUnits: i * 24,
    rejectedUnits: Math.floor(i / 10),
    loadLimitPct: 105,
    ...o,
  };
}

async function monitor(readings: Telemetry[]): Promise<MonitoredReading[]> {
  const input: Array<StreamElement<Telemetry>> = readings.map((t) => ({
    kind: 'record',
    value: t,
    ts: t.ts,
  }));
  return lastValueFrom(
    from(input).pipe(
      keyBy((t: Telemetry) => t.assetId),
      processKeyed(assetMonitor(() => spec)),
      values(),
      toArray(),
    ),
  );
}

describe('assetMonitor', () => {
  it('turns cumulative counters and power into per-reading deltas', async () => {
    const out = await monitor([
      reading(0, 0.2),
      reading(1, 0.2),
      reading(2, 0.2, { runState: 'FAILED', powerKw: 0 }),
    ]);
    expect(out.map((r) => [r.dtS, r.runningS, r.plannedS, r.goodDelta])).toEqual([
      [0, 0, 0, 0],
      [30, 30, 30, 24],
      [30, 0, 30, 24],
    ]);
    expect(out[1].energyKwh).toBeCloseTo((40 * 30) / 3600, 9);
  });

  it('estimates wear from vibration', async () => {
    const out = await monitor(Array.from({ length: 50 }, (_, i) => reading(i, 0.4)));
    expect(out.at(-1)!.features!.wearEstimate).toBeCloseTo(0.4, 6);
  });

  it('sees wear growing far faster than the catalogue rate and scales the projection', async () => {
    const steady = await monitor(Array.from({ length: 240 }, (_, i) => reading(i, 0.3)));
    expect(steady.at(-1)!.wearRateScale).toBe(1);
    // 0.05 wear per hour: about a hundred times the pump's rate at this load and temperature.
    const worn = await monitor(Array.from({ length: 240 }, (_, i) => reading(i, 0.3 + (0.05 * i) / 120)));
    expect(worn.at(-1)!.wearRateScale).toBeGreaterThan(20);
  });

  it('rides through a sensor drop-out on the last usable values', async () => {
    const out = await monitor([
      reading(0, 0.2),
      reading(1, 0.2),
      reading(2, 0.2, { temperatureC: null, vibrationMmS: null }),
    ]);
    expect(out[2].features).toEqual(out[1].features);
  });

  it('has no features for a running asset before its first usable reading', async () => {
    const out = await monitor([reading(0, 0.2, { temperatureC: null, vibrationMmS: null })]);
    expect(out[0].features).toBeNull();
  });

  /** Noisy readings at 80 % load of an asset with this cooling factor and wear growth (per hour). */
  function noisy(count: number, cooling: number, wearPerHour: number): Telemetry[] {
    const n = normalSource(uniformSource(3));
    const temperature = steadyTemperature(spec, 0.8, cooling);
    return Array.from({ length: count }, (_, i) => {
      const wear = 0.3 + (wearPerHour * i) / 120;
      return reading(i, wear, {
        temperatureC: Math.round((temperature + 0.3 * n()) * 100) / 100,
        vibrationMmS: vibrationOf(spec, wear, 0.8) * (1 + 0.03 * n()),
        powerKw: powerOf(spec, wear, 0.8) * (1 + 0.005 * n()),
      });
    });
  }
  const flagged = (out: MonitoredReading[], signal: string) =>
    out.filter((r) => r.anomaly.signals.includes(signal)).length;

  it('flags a cooling loss from the thermal model residual, and a healthy asset not', async () => {
    expect(flagged(await monitor(noisy(240, 1, 0)), COOLING_RESIDUAL_SIGNAL)).toBe(0);
    const hot = await monitor(noisy(240, 0.8, 0));
    // Already hot at the first reading, which anchors the model: the residual opens up over the time constant.
    expect(hot.slice(0, 3).some((r) => r.anomaly.signals.includes(COOLING_RESIDUAL_SIGNAL))).toBe(false);
    expect(hot.slice(60).every((r) => r.anomaly.signals.includes(COOLING_RESIDUAL_SIGNAL))).toBe(true);
  });

  it('flags a bearing defect from the wear-index trend, and a healthy bearing not', async () => {
    expect(flagged(await monitor(noisy(480, 1, 0)), BEARING_TREND_SIGNAL)).toBe(0);
    const worn = await monitor(noisy(480, 1, 0.05));
    expect(worn.at(-1)!.anomaly.signals).toContain(BEARING_TREND_SIGNAL);
    expect(worn.at(-1)!.anomaly.score).toBeGreaterThanOrEqual(1);
  });

  it('calls a temperature jump faster than the thermal time constant allows a spike, even while idle', async () => {
    const temps = [60, 60.2, 59.9, 95, 60.1, 60.3, 62, 64.5];
    const out = await monitor(
      temps.map((temperatureC, i) =>
        reading(i, 0.2, { temperatureC, runState: i === 3 ? 'IDLE' : 'RUNNING' }),
      ),
    );
    const spiky = out.map((r) => r.anomaly.signals.includes('temperatureC:spike'));
    // 95 °C after 59.9 °C in 30 s is a sensor, not heat; 2.5 °C in 30 s is heat.
    expect(spiky).toEqual([false, false, false, true, false, false, false, false]);
  });

  it('takes a new level after three readings at it (a sensor back from being stuck)', async () => {
    const temps = [60, 60.1, 75, 75.2, 75.1, 75.3];
    const out = await monitor(temps.map((temperatureC, i) => reading(i, 0.2, { temperatureC })));
    expect(out.map((r) => r.anomaly.signals.includes('temperatureC:spike'))).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});
