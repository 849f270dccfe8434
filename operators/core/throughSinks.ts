import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from './element.js';

/**
 * Where a job's outputs go besides the stream (ClickHouse, files, a test's
 * list): `write` takes each record's value, and may return a promise when the
 * sink is full; `flush` runs at every barrier and must make the epoch's
 * writes durable before it resolves; `end`, if given, runs when the input
 * completes, before the output does.
 *
 * @example
 * const sinks: EpochSinks<number> = { write: (v) => void rows.push(v), flush: async () => undefined };
 */
export interface EpochSinks<T> {
  write(value: T, record: StreamRecord<T>): void | Promise<void>;
  flush(epoch: number): Promise<void>;
  end?(): Promise<void>;
}

/**
 * Writes every output through the job's idempotent sinks (ClickHouse) and
 * holds each barrier until the sinks have flushed its epoch, so a barrier
 * that passes means the epoch's rows are durable: the Kafka transaction
 * after it may commit, and a crash before that commit replays into the
 * same rows (deterministic ids). Nothing overtakes a held barrier: a record
 * of the next epoch must not join this epoch's transaction. A write that
 * returns a promise (the sink is full) holds the stream the same way.
 *
 * A loop over a queue rather than `concatMap`: tens of thousands of
 * elements can wait behind one flush, and concatMap drains them by
 * recursion, one stack frame set per element.
 *
 * @example
 * graph$.pipe(throughSinks(new MachineHealthClickHouseSinks(client, 'twinflow', catalogue)), transactionalSink(…));
 * readings$.pipe(throughSinks({ write: (r) => sink.write(rowOf(r)), flush: () => sink.flush() }));
 */
export function throughSinks<T>(sinks: EpochSinks<T>): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      const queue: StreamElement<T>[] = [];
      let head = 0;
      let waiting = false;
      let ended = false;
      let closed = false;

      const fail = (error: unknown): void => {
        closed = true;
        subscriber.error(error);
      };
      const resumeWith = (element: StreamElement<T>) => () => {
        waiting = false;
        if (closed) return;
        subscriber.next(element);
        drain();
      };

      function drain(): void {
        while (!waiting && !closed && head < queue.length) {
          const element = queue[head++]!;
          let hold: Promise<void> | undefined;
          try {
            if (element.kind === 'record') hold = sinks.write(element.value, element) ?? undefined;
            else if (element.kind === 'barrier') hold = sinks.flush(element.epoch);
          } catch (error) {
            fail(error);
            return;
          }
          if (hold === undefined) subscriber.next(element);
          else {
            waiting = true;
            hold.then(resumeWith(element), fail);
          }
        }
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        if (!waiting && !closed && ended && queue.length === 0) {
          closed = true;
          if (sinks.end === undefined) subscriber.complete();
          else
            sinks.end().then(
              () => subscriber.complete(),
              (error: unknown) => subscriber.error(error),
            );
        }
      }

      const subscription = source.subscribe({
        next(element) {
          queue.push(element);
          if (!waiting) drain();
        },
        error: fail,
        complete() {
          ended = true;
          drain();
        },
      });
      return () => {
        closed = true;
        subscription.unsubscribe();
      };
    });
}
