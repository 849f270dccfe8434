import { describe, expect, it } from 'vitest';
import { parseSoakArgs, SOAK_ASSETS, SoakUsageError, soakPlan } from '../../../bench/soakPlan.js';

describe('parseSoakArgs', () => {
  it('defaults to the 20-minute soak at 5,000 events/s, data dropped', () => {
    expect(parseSoakArgs([])).toEqual({ minutes: 20, rate: 5_000, keep: false });
  });

  it('takes a shorter run, another rate and --keep', () => {
    expect(parseSoakArgs(['--minutes', '3', '--rate', '2000', '--keep'])).toEqual({
      minutes: 3,
      rate: 2_000,
      keep: true,
    });
    expect(parseSoakArgs(['--minutes', '0.5']).minutes).toBe(0.5);
  });

  it('refuses a bad value or an unknown flag, naming it', () => {
    expect(() => parseSoakArgs(['--minutes', 'long'])).toThrow(
      new SoakUsageError('--minutes must be a number > 0, got "long"'),
    );
    expect(() => parseSoakArgs(['--minutes', '0'])).toThrow(SoakUsageError);
    expect(() => parseSoakArgs(['--minutes', ''])).toThrow(SoakUsageError);
    expect(() => parseSoakArgs(['--rate', '2.5'])).toThrow(/--rate must be a whole number/);
    expect(() => parseSoakArgs(['--config', 'job.yaml'])).toThrow(/--config/);
  });
});

describe('soakPlan', () => {
  it('plans the full soak: 6M events, the 2-minute outage at 30 %, the broker restart at 65 %', () => {
    const plan = soakPlan({ minutes: 20, rate: 5_000 });
    expect(plan).toMatchObject({
      durationMs: 1_200_000,
      assets: SOAK_ASSETS,
      tickMs: 50,
      ticks: 24_000,
      events: 6_000_000,
      warmupMs: 240_000,
    });
    expect(plan.faults).toEqual([
      { kind: 'clickhouse-outage', atMs: 360_000, durationMs: 120_000, shortened: false },
      { kind: 'broker-restart', atMs: 780_000 },
    ]);
  });

  it('keeps event time in pace with the wall clock: assets per tick give the rate', () => {
    for (const rate of [1_000, 2_500, 5_000, 10_000]) {
      const plan = soakPlan({ minutes: 10, rate });
      expect((plan.assets * 1000) / plan.tickMs).toBe(rate);
      expect(plan.events / (plan.durationMs / 1000)).toBe(rate);
    }
  });

  it('shortens the outage in proportion below 6 minutes, and says so', () => {
    const plan = soakPlan({ minutes: 3, rate: 5_000 });
    expect(plan.faults).toEqual([
      { kind: 'clickhouse-outage', atMs: 54_000, durationMs: 60_000, shortened: true },
      { kind: 'broker-restart', atMs: 117_000 },
    ]);
    expect(soakPlan({ minutes: 6, rate: 5_000 }).faults[0]).toMatchObject({
      durationMs: 120_000,
      shortened: false,
    });
  });

  it('refuses a rate the plant cannot give at whole-millisecond ticks', () => {
    expect(() => soakPlan({ minutes: 1, rate: 600_000 })).toThrow(SoakUsageError);
    // 250 assets at 31 events/s is an 8,065 ms tick; 8.065 s × 1000 is not 8,065 in floating point.
    expect(() => soakPlan({ minutes: 1, rate: 31 })).toThrow(/8065 ms tick/);
  });
});
