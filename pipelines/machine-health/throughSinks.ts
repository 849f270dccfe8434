import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement } from '../../operators/core/element.js';
import type { MachineHealthOutput } from './machineHealth.js';
import type { MachineHealthSinks } from './plantLoop.js';

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
 */
export function throughSinks(
  sinks: MachineHealthSinks,
): OperatorFunction<StreamElement<MachineHealthOutput>, StreamElement<MachineHealthOutput>> {
  return (source) =>
    new Observable<StreamElement<MachineHealthOutput>>((subscriber) => {
      const queue: StreamElement<MachineHealthOutput>[] = [];
      let head = 0;
      let waiting = false;
      let ended = false;
      let closed = false;

      const fail = (error: unknown): void => {
        closed = true;
        subscriber.error(error);
      };
      const resumeWith = (element: StreamElement<MachineHealthOutput>) => () => {
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
            if (element.kind === 'record') hold = sinks.write(element.value) ?? undefined;
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
          subscriber.complete();
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
