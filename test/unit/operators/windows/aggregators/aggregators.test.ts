import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Aggregator,
  aggregate,
  count,
  max,
  mean,
  min,
  stats,
  sum,
} from '../../../../../operators/index.js';

function fold<T, A, R>(agg: Aggregator<T, A, R>, values: T[]): A {
  let acc = agg.create();
  for (const v of values) acc = agg.add(acc, v);
  return acc;
}

const id = (v: number) => v;

describe('count, sum, min, max, mean', () => {
  it('compute their result over the added values', () => {
    const xs = [3, -1, 4, 1, 5];
    expect(count().result(fold(count(), xs))).toBe(5);
    expect(sum(id).result(fold(sum(id), xs))).toBe(12);
    expect(min(id).result(fold(min(id), xs))).toBe(-1);
    expect(max(id).result(fold(max(id), xs))).toBe(5);
    expect(mean(id).result(fold(mean(id), xs))).toBeCloseTo(2.4, 12);
  });

  it('merge split inputs to the result of the whole (session merging relies on it)', () => {
    const aggs: Array<Aggregator<number, unknown, unknown>> = [count(), sum(id), min(id), max(id), mean(id)];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1 }), fc.nat(), (xs, cut) => {
        const at = cut % (xs.length + 1);
        for (const agg of aggs) {
          const whole = agg.result(fold(agg, xs));
          const merged = agg.result(agg.merge(fold(agg, xs.slice(0, at)), fold(agg, xs.slice(at))));
          if (typeof whole === 'number') expect(merged as number).toBeCloseTo(whole, 9);
          else expect(merged).toEqual(whole);
        }
      }),
    );
  });

  it('keep empty min and max accumulators JSON-safe', () => {
    expect(JSON.parse(JSON.stringify(min(id).create()))).toBeNull();
    expect(max(id).merge(max(id).create(), 3)).toBe(3);
  });
});

describe('stats', () => {
  it('gives count, mean, min, max, population variance and stddev', () => {
    const s = stats(id).result(fold(stats(id), [2, 4, 4, 4, 5, 5, 7, 9]));
    expect(s).toEqual({ count: 8, mean: 5, min: 2, max: 9, variance: 4, stddev: 2 });
  });

  it('stays accurate for values with a large common offset, where sum of squares fails', () => {
    const base = 1e9;
    const xs = [base + 4, base + 7, base + 13, base + 16];
    const s = stats(id).result(fold(stats(id), xs));
    expect(s.variance).toBeCloseTo(22.5, 6);
    const n = xs.length;
    const naive = xs.reduce((a, x) => a + x * x, 0) / n - (xs.reduce((a, x) => a + x, 0) / n) ** 2;
    expect(Math.abs(naive - 22.5)).toBeGreaterThan(1);
  });

  it('merges partial moments to the moments of the whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2 }),
        fc.nat(),
        (xs, cut) => {
          const at = cut % (xs.length + 1);
          const agg = stats(id);
          const whole = agg.result(fold(agg, xs));
          const merged = agg.result(agg.merge(fold(agg, xs.slice(0, at)), fold(agg, xs.slice(at))));
          expect(merged.count).toBe(whole.count);
          expect(merged.min).toBe(whole.min);
          expect(merged.max).toBe(whole.max);
          expect(merged.mean).toBeCloseTo(whole.mean, 3);
          expect(Math.abs(merged.variance - whole.variance)).toBeLessThanOrEqual(
            1e-6 * Math.max(1, whole.variance),
          );
        },
      ),
    );
  });
});

describe('aggregate', () => {
  it('runs named aggregators side by side', () => {
    const agg = aggregate({ n: count<{ t: number }>(), hot: max((r: { t: number }) => r.t) });
    const result = agg.result(fold(agg, [{ t: 60 }, { t: 90 }, { t: 70 }]));
    expect(result).toEqual({ n: 3, hot: 90 });
  });

  it('merges and serialises each part', () => {
    const agg = aggregate({ n: count<number>(), s: stats(id) });
    const merged = agg.merge(fold(agg, [1, 2]), fold(agg, [3]));
    const restored = agg.deserialize!(JSON.parse(JSON.stringify(agg.serialize!(merged))));
    expect(agg.result(restored)).toEqual(agg.result(fold(agg, [1, 2, 3])));
  });
});
