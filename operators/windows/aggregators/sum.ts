import type { Aggregator, NumberOf } from './aggregator.js';

/**
 * Sums a numeric field.
 *
 * @example
 * windowAggregate(tumbling(60_000), sum((t) => t.energyWh))
 */
export function sum<T>(f: NumberOf<T>): Aggregator<T, number, number> {
  return {
    create: () => 0,
    add: (acc, v) => acc + f(v),
    merge: (a, b) => a + b,
    result: (acc) => acc,
  };
}
