import type { Aggregator, NumberOf } from './aggregator.js';
import { addToDigest, createDigest, digestQuantile, mergeDigests, type TDigestState } from './tDigest.js';

export interface QuantileOptions {
  /** t-digest compression δ: more centroids, more precision (default 100). */
  readonly compression?: number;
}

/**
 * Approximate quantiles of a numeric field with a streaming, mergeable
 * t-digest; the result lists one value per requested quantile, in order.
 *
 * @example
 * windowAggregate(tumbling(60_000), quantiles((t) => t.latencyMs, [0.5, 0.99])) // value: [p50, p99]
 */
export function quantiles<T>(
  f: NumberOf<T>,
  qs: readonly number[],
  options: QuantileOptions = {},
): Aggregator<T, TDigestState, number[]> {
  for (const q of qs) {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantiles: every quantile must be in [0, 1], got ${q}`);
  }
  const compression = options.compression ?? 100;
  if (!(compression >= 10)) throw new RangeError(`quantiles: compression must be >= 10, got ${compression}`);
  return {
    create: createDigest,
    add: (acc, v) => addToDigest(acc, f(v), compression),
    merge: (a, b) => mergeDigests(a, b, compression),
    result: (acc) => qs.map((q) => digestQuantile(acc, q, compression)),
  };
}
