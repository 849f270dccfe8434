import type { Aggregator, NumberOf } from './aggregator.js';

// The empty accumulator is null rather than ±Infinity, which JSON cannot hold.

/**
 * Smallest value of a numeric field (null for an empty window, which only a
 * merged-away accumulator can be).
 *
 * @example
 * windowAggregate(tumbling(60_000), min((t) => t.pressure))
 */
export function min<T>(f: NumberOf<T>): Aggregator<T, number | null, number | null> {
  return {
    create: () => null,
    add: (acc, v) => {
      const x = f(v);
      return acc === null || x < acc ? x : acc;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : Math.min(a, b)),
    result: (acc) => acc,
  };
}

/**
 * Largest value of a numeric field.
 *
 * @example
 * windowAggregate(tumbling(60_000), max((t) => t.temperature))
 */
export function max<T>(f: NumberOf<T>): Aggregator<T, number | null, number | null> {
  return {
    create: () => null,
    add: (acc, v) => {
      const x = f(v);
      return acc === null || x > acc ? x : acc;
    },
    merge: (a, b) => (a === null ? b : b === null ? a : Math.max(a, b)),
    result: (acc) => acc,
  };
}
