import type { Aggregator } from './aggregator.js';

/**
 * Counts records.
 *
 * @example
 * windowAggregate(tumbling(60_000), count())
 */
export function count<T = unknown>(): Aggregator<T, number, number> {
  return {
    create: () => 0,
    add: (acc) => acc + 1,
    merge: (a, b) => a + b,
    result: (acc) => acc,
  };
}
