import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FLAT_GROWTH_SHARE,
  type LagSample,
  lagRecovery,
  leastSquaresSlope,
  type MemorySample,
  memoryTrend,
  memoryWindow,
} from '../../../bench/soakFigures.js';

const HOUR = 3_600_000;

describe('leastSquaresSlope', () => {
  it('finds the slope of points on a line, whatever the line and the points', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.uniqueArray(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 2, maxLength: 50 }),
        (a, b, xs) => {
          const slope = leastSquaresSlope(xs.map((x) => ({ x, y: a * x + b })));
          expect(slope).not.toBeNull();
          expect(slope!).toBeCloseTo(a, 6);
        },
      ),
    );
  });

  it('fits the line through noisy points: a sawtooth around a flat level has no slope', () => {
    const points = Array.from({ length: 100 }, (_, i) => ({ x: i, y: 100 + (i % 2 === 0 ? 5 : -5) }));
    expect(leastSquaresSlope(points)!).toBeCloseTo(0, 2);
  });

  it('has no slope for fewer than two points or a single x', () => {
    expect(leastSquaresSlope([])).toBeNull();
    expect(leastSquaresSlope([{ x: 1, y: 2 }])).toBeNull();
    expect(
      leastSquaresSlope([
        { x: 3, y: 1 },
        { x: 3, y: 9 },
      ]),
    ).toBeNull();
  });
});

describe('memoryTrend', () => {
  it('reports the slope in MB per hour with first, last, max and mean', () => {
    const trend = memoryTrend([
      { atMs: 0, mb: 100 },
      { atMs: HOUR / 2, mb: 110 },
      { atMs: HOUR, mb: 102 },
    ]);
    expect(trend.samples).toBe(3);
    expect(trend.slopeMBPerHour).toBeCloseTo(2, 9);
    expect(trend.growthOverWindowMB).toBeCloseTo(2, 9);
    expect(trend).toMatchObject({ fromS: 0, toS: 3600, firstMB: 100, lastMB: 102, maxMB: 110 });
    expect(trend.meanMB).toBeCloseTo(104, 9);
    expect(trend.flat).toBe(true);
  });

  it('is flat when the fitted growth over the window stays within the share of the mean, not beyond', () => {
    const window = 20 * 60_000;
    const series = (growthMB: number) =>
      Array.from({ length: 21 }, (_, i) => ({
        atMs: i * 60_000,
        mb: 200 + (growthMB * i * 60_000) / window,
      }));
    // Mean 200 + growth/2: the bound is FLAT_GROWTH_SHARE of it.
    expect(memoryTrend(series(20)).flat).toBe(true);
    expect(memoryTrend(series(30)).flat).toBe(false);
    expect(FLAT_GROWTH_SHARE).toBe(0.1);
  });

  it('says nothing of a series too short to fit', () => {
    expect(memoryTrend([]).flat).toBeNull();
    const one = memoryTrend([{ atMs: 5_000, mb: 90 }]);
    expect(one).toMatchObject({ samples: 1, firstMB: 90, lastMB: 90, slopeMBPerHour: null, flat: null });
  });
});

describe('memoryWindow', () => {
  const sample = (atMs: number, process: number): MemorySample => ({
    atMs,
    process,
    heapUsedMB: 1,
    rssMB: 2,
  });

  it('keeps the samples after the warm-up up to the end of production', () => {
    const samples = [0, 5_000, 10_000, 15_000, 20_000, 25_000].map((at) => sample(at, 0));
    expect(memoryWindow(samples, 10_000, 20_000).map((s) => s.atMs)).toEqual([10_000, 15_000, 20_000]);
  });

  it('counts warm-up from the start of production for a process started before it', () => {
    const samples = [-3_000, 2_000, 7_000].map((at) => sample(at, 0));
    expect(memoryWindow(samples, 5_000, 60_000).map((s) => s.atMs)).toEqual([7_000]);
  });

  it('judges only the last process, after its own warm-up', () => {
    const samples = [
      ...[0, 10_000, 20_000, 30_000].map((at) => sample(at, 0)),
      ...[40_000, 50_000, 60_000, 70_000].map((at) => sample(at, 1)),
    ];
    expect(memoryWindow(samples, 15_000, 100_000).map((s) => [s.atMs, s.process])).toEqual([
      [60_000, 1],
      [70_000, 1],
    ]);
  });

  it('is empty without samples', () => {
    expect(memoryWindow([], 1_000, 2_000)).toEqual([]);
  });
});

describe('lagRecovery', () => {
  const rule = { maxLag: 100, holdMs: 3_000 };
  /** One sample a second from 0, the lag of each given in turn. */
  const series = (...lags: (number | undefined)[]): LagSample[] =>
    lags.map((lag, i) => ({ atMs: i * 1_000, lag }));

  it('times the recovery from the end of the fault to the start of the caught-up stretch', () => {
    // Fault from 1 s to 3 s; lag high until 5 s, then caught up for good.
    const samples = series(10, 500, 900, 800, 300, 50, 60, 40, 20, 10);
    expect(lagRecovery(samples, { startMs: 1_000, endMs: 3_000, untilMs: Infinity }, rule)).toEqual({
      seconds: 2,
      recoveredAtMs: 5_000,
      peakLag: 900,
    });
  });

  it('does not take one low sample for a recovery: the stretch must hold', () => {
    // A low sample at 3 s (the producer held up by the same fault), then its backlog arrives.
    const samples = series(10, 500, 900, 50, 700, 400, 80, 70, 60, 50);
    expect(lagRecovery(samples, { startMs: 1_000, endMs: 3_000, untilMs: Infinity }, rule).seconds).toBe(3);
  });

  it('lets an unreadable sample break a stretch: nothing is known of it', () => {
    const samples = series(0, 50, undefined, 50, 50, 50, 50);
    expect(lagRecovery(samples, { startMs: 0, endMs: 0, untilMs: Infinity }, rule)).toMatchObject({
      seconds: 3,
      peakLag: 50,
    });
  });

  it('finds no recovery when the stretch does not come before the next fault', () => {
    const samples = series(10, 900, 900, 900, 50, 50, 50, 50, 50);
    expect(lagRecovery(samples, { startMs: 1_000, endMs: 2_000, untilMs: 5_000 }, rule)).toEqual({
      seconds: null,
      recoveredAtMs: null,
      peakLag: 900,
    });
  });

  it('is immediate when the fault never held the job back', () => {
    const samples = series(10, 20, 30, 20, 10, 20, 30);
    expect(lagRecovery(samples, { startMs: 1_000, endMs: 2_000, untilMs: Infinity }, rule)).toEqual({
      seconds: 0,
      recoveredAtMs: 2_000,
      peakLag: 30,
    });
  });

  it('has no peak when no lag could be read', () => {
    const samples = series(undefined, undefined);
    expect(lagRecovery(samples, { startMs: 0, endMs: 0, untilMs: Infinity }, rule)).toEqual({
      seconds: null,
      recoveredAtMs: null,
      peakLag: null,
    });
  });
});
