import type { OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from './element.js';
import { elementOperator } from './elementOperator.js';

/**
 * Maps each record's value synchronously, keeping its ts, key and position;
 * watermarks and barriers pass unchanged. (For calls that return promises,
 * use mapAsync.)
 *
 * @example
 * windows$.pipe(mapRecords((w) => ({ asset: w.key, minute: w.start, meanTemp: w.value.mean })))
 */
export function mapRecords<A, B>(
  fn: (value: A, record: StreamRecord<A>) => B,
): OperatorFunction<StreamElement<A>, StreamElement<B>> {
  return elementOperator<A, B>(() => ({
    record(r, out) {
      const mapped: StreamRecord<B> = { kind: 'record', value: fn(r.value, r), ts: r.ts };
      if (r.key !== undefined) mapped.key = r.key;
      if (r.pos !== undefined) mapped.pos = r.pos;
      out.next(mapped);
    },
  }));
}
