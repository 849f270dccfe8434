import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';
import type { ClickHouseSink } from './clickhouseSink.js';

/**
 * Writes every record through a {@link ClickHouseSink} and forwards the
 * stream unchanged, in order. A barrier is held until the sink has flushed
 * everything before it, so a barrier that passes this operator means its
 * epoch's rows are durable in ClickHouse (the runtime commits the epoch only
 * then). When the sink is full, later elements wait here (in order) until it
 * has room; when the input completes, the sink is flushed before completion.
 * A sink failure errors the stream with the sink's `ClickHouseSinkError`.
 *
 * @example
 * enriched$.pipe(
 *   toClickHouse(telemetrySink, (t, r) => telemetryEnrichedRow(t.reading, t.scores, epochOf(r))),
 * );
 */
export function toClickHouse<T, Row>(
  sink: ClickHouseSink<Row>,
  rowOf: (value: T, record: StreamRecord<T>) => Row,
): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      // Elements that arrived while a flush or back-pressure wait was in progress, in order.
      const queue: StreamElement<T>[] = [];
      let waiting = false;
      let completed = false;
      let done = false;

      const fail = (err: unknown) => {
        done = true;
        subscriber.error(err);
      };
      const resume = () => {
        waiting = false;
        drain();
      };
      const forwardAfter = (element: StreamElement<T>) => () => {
        subscriber.next(element);
        resume();
      };

      function drain(): void {
        while (!waiting && !done && queue.length > 0) {
          const element = queue.shift()!;
          if (element.kind === 'record') {
            let room: Promise<void> | undefined;
            try {
              room = sink.write(rowOf(element.value, element));
            } catch (err) {
              fail(err);
              return;
            }
            subscriber.next(element);
            if (room !== undefined) {
              waiting = true;
              room.then(resume, fail);
            }
          } else if (element.kind === 'barrier') {
            waiting = true;
            sink.flush().then(forwardAfter(element), fail);
          } else {
            subscriber.next(element);
          }
        }
        if (!waiting && !done && completed && queue.length === 0) {
          done = true;
          sink.flush().then(
            () => subscriber.complete(),
            (err: unknown) => subscriber.error(err),
          );
        }
      }

      const subscription = source.subscribe({
        next(element) {
          queue.push(element);
          drain();
        },
        error: fail,
        complete() {
          completed = true;
          drain();
        },
      });
      return () => {
        done = true;
        subscription.unsubscribe();
      };
    });
}
