import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Aggregator, quantiles } from '../../../../../operators/index.js';
import { uniformSource } from '../../../../../operators/scoring/seededRandom.js';

function fold<T, A, R>(agg: Aggregator<T, A, R>, values: T[]): A {
  let acc = agg.create();
  for (const v of values) acc = agg.add(acc, v);
  return acc;
}

/** Fraction of the sorted data at or below x. */
function rankOf(sorted: number[], x: number): number {
  let lo = 0;
  while (lo < sorted.length && sorted[lo] <= x) lo++;
  return lo / sorted.length;
}

const id = (v: number) => v;

describe('quantiles', () => {
  it('is exact at the extremes and close to the true rank in between', () => {
    const random = uniformSource(7);
    const xs = Array.from({ length: 50_000 }, () => -50 + 100 * random() ** 2);
    const qs = [0, 0.01, 0.5, 0.9, 0.99, 0.999, 1];
    const agg = quantiles(id, qs);
    const result = agg.result(fold(agg, xs));
    const sorted = xs.slice().sort((a, b) => a - b);
    expect(result[0]).toBe(sorted[0]);
    expect(result[6]).toBe(sorted.at(-1));
    for (let i = 1; i < qs.length - 1; i++) {
      // Rank error: tight in the tails (t-digest's strength), looser at the median.
      const tolerance = 0.01 * Math.max(0.05, 4 * qs[i] * (1 - qs[i]));
      expect(Math.abs(rankOf(sorted, result[i]) - qs[i])).toBeLessThanOrEqual(tolerance);
    }
  });

  it('handles negative values and merges to about the same quantiles as one digest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 10, maxLength: 3000 }),
        fc.nat(),
        (xs, cut) => {
          const at = cut % xs.length;
          const agg = quantiles(id, [0.1, 0.5, 0.9]);
          const merged = agg.result(agg.merge(fold(agg, xs.slice(0, at)), fold(agg, xs.slice(at))));
          const sorted = xs.slice().sort((a, b) => a - b);
          const span = sorted.at(-1)! - sorted[0];
          const whole = agg.result(fold(agg, xs));
          for (let i = 0; i < 3; i++) {
            expect(merged[i]).toBeGreaterThanOrEqual(sorted[0]);
            expect(merged[i]).toBeLessThanOrEqual(sorted.at(-1)!);
            expect(Math.abs(merged[i] - whole[i])).toBeLessThanOrEqual(0.05 * span + 1e-9);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is deterministic and survives a JSON round trip with identical results', () => {
    const random = uniformSource(3);
    const xs = Array.from({ length: 5_000 }, () => random() * 100);
    const agg = quantiles(id, [0.5, 0.95]);
    const acc = fold(agg, xs);
    const copy = JSON.parse(JSON.stringify(acc));
    for (const x of [1, 2, 3]) {
      agg.add(acc, x);
      agg.add(copy, x);
    }
    expect(agg.result(copy)).toEqual(agg.result(acc));
    expect(agg.result(fold(agg, xs))).toEqual(agg.result(fold(agg, xs)));
  });

  it('returns the value itself for a single value', () => {
    const agg = quantiles(id, [0.5, 0.99]);
    expect(agg.result(fold(agg, [42]))).toEqual([42, 42]);
  });

  it('rejects quantiles outside [0, 1]', () => {
    expect(() => quantiles(id, [1.5])).toThrow(/\[0, 1\]/);
  });
});
