import type { OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from './element.js';
import { mapAsyncBatch } from './mapAsyncBatch.js';

export interface MapAsyncOptions {
  /** Calls in flight at most (default 1). */
  readonly concurrency?: number;
}

/**
 * Flink's async I/O, ordered: calls `fn` for each record with at most
 * `concurrency` calls in flight, emits results in input order, and holds
 * watermarks and barriers back until every record before them has
 * completed, so a barrier still closes exactly its epoch. The output record
 * keeps the input's ts, key and position. (mapAsyncBatch with batches of one.)
 *
 * @example
 * features$.pipe(mapAsync((f) => lookupAsset(f.assetId), { concurrency: 4 }))
 */
export function mapAsync<T, R>(
  fn: (value: T, record: StreamRecord<T>) => Promise<R> | R,
  options: MapAsyncOptions = {},
): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  return mapAsyncBatch<T, R>(async (values, records) => [await fn(values[0], records[0])], {
    maxBatch: 1,
    concurrency: options.concurrency ?? 1,
  });
}
