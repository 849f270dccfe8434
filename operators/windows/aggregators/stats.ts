import type { Aggregator, NumberOf } from './aggregator.js';

/** Running moments (Welford), merged with Chan et al.'s parallel formula: stable where sum/sum-of-squares cancels. */
export interface MomentsAccumulator {
  n: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
}

export interface Stats {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Population variance (divides by n), as numpy's default. */
  readonly variance: number;
  readonly stddev: number;
}

function createMoments(): MomentsAccumulator {
  return { n: 0, mean: 0, m2: 0, min: null, max: null };
}

function addMoment(acc: MomentsAccumulator, x: number): MomentsAccumulator {
  const n = acc.n + 1;
  const delta = x - acc.mean;
  const mean = acc.mean + delta / n;
  acc.m2 += delta * (x - mean);
  acc.mean = mean;
  acc.n = n;
  if (acc.min === null || x < acc.min) acc.min = x;
  if (acc.max === null || x > acc.max) acc.max = x;
  return acc;
}

function mergeMoments(a: MomentsAccumulator, b: MomentsAccumulator): MomentsAccumulator {
  if (b.n === 0) return a;
  if (a.n === 0) return { ...b };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  a.m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  a.mean = a.mean + (delta * b.n) / n;
  a.n = n;
  a.min = a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min);
  a.max = a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max);
  return a;
}

/**
 * Count, mean, min, max, variance and standard deviation of a numeric field,
 * numerically stable.
 *
 * @example
 * windowAggregate(tumbling(60_000), stats((t) => t.vibrationRms))
 */
export function stats<T>(f: NumberOf<T>): Aggregator<T, MomentsAccumulator, Stats> {
  return {
    create: createMoments,
    add: (acc, v) => addMoment(acc, f(v)),
    merge: mergeMoments,
    result: (acc) => {
      const variance = acc.n === 0 ? Number.NaN : Math.max(0, acc.m2 / acc.n);
      return {
        count: acc.n,
        mean: acc.n === 0 ? Number.NaN : acc.mean,
        min: acc.min ?? Number.NaN,
        max: acc.max ?? Number.NaN,
        variance,
        stddev: Math.sqrt(variance),
      };
    },
  };
}

/**
 * Arithmetic mean of a numeric field (incremental, so no large running sum).
 *
 * @example
 * windowAggregate(tumbling(60_000), mean((t) => t.load))
 */
export function mean<T>(f: NumberOf<T>): Aggregator<T, MomentsAccumulator, number> {
  return {
    create: createMoments,
    add: (acc, v) => addMoment(acc, f(v)),
    merge: mergeMoments,
    result: (acc) => (acc.n === 0 ? Number.NaN : acc.mean),
  };
}
