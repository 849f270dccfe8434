import { describe, expect, it } from 'vitest';
import { powerOf, vibrationOf } from '../../../../operators/scoring/assetPhysics.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';
import {
  initialWearTrendState,
  resetWearTrend,
  updateWearTrend,
} from '../../../../operators/scoring/wearTrend.js';
import { pump } from './assetFixtures.js';

const TICK_MS = 30_000;

/** Readings of a pump whose wear grows at `ratePerHour` from `from` on; load swings; 3 % vibration and 1 % power noise. */
function run(readings: number, wear0: number, ratePerHour: number, from: number, seed = 11) {
  const u = uniformSource(seed);
  const n = normalSource(u);
  const state = initialWearTrendState();
  const out: Array<{ i: number; flagged: boolean; ratePerHour: number }> = [];
  let wear = wear0;
  for (let i = 0; i < readings; i++) {
    if (i >= from) wear += (ratePerHour * TICK_MS) / 3_600_000;
    const load = 0.75 + 0.2 * Math.sin((2 * Math.PI * i * TICK_MS) / (4 * 3_600_000));
    const t = updateWearTrend(state, pump, {
      ts: i * TICK_MS,
      load,
      vibrationMmS: vibrationOf(pump, wear, load) * (1 + 0.03 * n()),
      powerKw: powerOf(pump, wear, load) * (1 + 0.01 * (2 * u() - 1)),
    });
    out.push({ i, flagged: t.flagged, ratePerHour: t.ratePerHour });
  }
  return { out, state };
}

describe('wear trend', () => {
  it.each([1, 2, 3])('stays quiet on a healthy bearing over two days (seed %i)', (seed) => {
    const { out } = run(5760, 0.25, 0.0005, 0, seed);
    expect(out.filter((r) => r.flagged)).toEqual([]);
  });

  it('flags a defect wearing 0.03 per hour within two hours, with a rate near the true one', () => {
    const start = 600;
    const { out } = run(1200, 0.2, 0.03, start);
    expect(out.slice(0, start).some((r) => r.flagged)).toBe(false);
    const first = out.findIndex((r) => r.flagged);
    expect(first).toBeGreaterThan(start);
    expect(((first - start) * TICK_MS) / 3_600_000).toBeLessThanOrEqual(2);
    const last = out.at(-1)!;
    expect(last.flagged).toBe(true);
    expect(last.ratePerHour).toBeGreaterThan(0.015);
    expect(last.ratePerHour).toBeLessThan(0.045);
  });

  it('skips low-load and missing readings, and forgets the trend on reset', () => {
    const state = initialWearTrendState();
    for (let i = 0; i < 100; i++) {
      updateWearTrend(state, pump, { ts: i * TICK_MS, load: 0.1, vibrationMmS: 1, powerKw: 10 });
      updateWearTrend(state, pump, { ts: i * TICK_MS + 1, load: 0.8, vibrationMmS: null, powerKw: null });
    }
    expect(state.vibration).toEqual([]);
    expect(state.power).toEqual([]);
    const { state: busy } = run(600, 0.2, 0.03, 0);
    expect(busy.power.length).toBeGreaterThan(0);
    resetWearTrend(busy);
    expect(busy).toEqual(initialWearTrendState());
  });
});
