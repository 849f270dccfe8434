import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement } from '../core/element.js';
import { eventTimeOf } from './eventTimeOf.js';
import type { WatermarkStrategy } from './watermarkStrategy.js';

/**
 * Enters the element model: each value becomes a record stamped with its
 * event time, followed by a watermark whenever the strategy's watermark
 * advances; when the input completes, a final +Infinity watermark fires
 * everything still open. A value whose event time is not a finite number
 * errors the stream with an InvalidEventTimeError naming its index.
 *
 * @example
 * telemetry$.pipe(withEventTime((t) => t.ts, boundedOutOfOrderness(5_000)))
 */
export function withEventTime<T>(
  tsOf: (value: T) => number,
  strategy: WatermarkStrategy,
): OperatorFunction<T, StreamElement<T>> {
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      const generator = strategy.createGenerator();
      let emitted = Number.NEGATIVE_INFINITY;
      let index = 0;
      return source.subscribe({
        next(value) {
          let ts: number;
          try {
            ts = eventTimeOf(tsOf, value, index++);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next({ kind: 'record', value, ts });
          generator.onEvent(ts);
          const wm = generator.current();
          if (wm > emitted) {
            emitted = wm;
            subscriber.next({ kind: 'watermark', ts: wm });
          }
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          if (emitted < Number.POSITIVE_INFINITY)
            subscriber.next({ kind: 'watermark', ts: Number.POSITIVE_INFINITY });
          subscriber.complete();
        },
      });
    });
}
