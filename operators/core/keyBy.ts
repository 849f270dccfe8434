import type { OperatorFunction } from 'rxjs';
import type { StreamElement } from './element.js';
import { elementOperator } from './elementOperator.js';

/**
 * Partitions a stream by key: sets `record.key` for every record, so keyed
 * operators (windows, processKeyed) keep state per key.
 *
 * The record is updated in place rather than copied: records belong to the
 * stream, and a copy per record would dominate the cost of a keyed pipeline.
 *
 * @example
 * telemetry$.pipe(withEventTime((t) => t.ts, boundedOutOfOrderness(5_000)), keyBy((t) => t.assetId))
 */
export function keyBy<T>(keyOf: (value: T) => string): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return elementOperator<T, T>(() => ({
    record(r, out) {
      r.key = keyOf(r.value);
      out.next(r);
    },
  }));
}
