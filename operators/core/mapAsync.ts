import { Observable, type OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from './element.js';

export interface MapAsyncOptions {
  /** Calls in flight at most (default 1). */
  readonly concurrency?: number;
}

/** Raised when the function of mapAsync fails; names the record it failed on. */
export class MapAsyncError extends Error {
  constructor(record: StreamRecord<unknown>, cause: unknown) {
    const where = record.pos ? ` from ${record.pos.topic}[${record.pos.partition}]@${record.pos.offset}` : '';
    super(
      `mapAsync: call failed for record at event time ${record.ts}${record.key ? ` key ${record.key}` : ''}${where}`,
      {
        cause,
      },
    );
    this.name = 'MapAsyncError';
  }
}

interface Slot<T, R> {
  element: StreamElement<T> | StreamElement<R>;
  done: boolean;
}

/**
 * Flink's async I/O, ordered: calls `fn` for each record with at most
 * `concurrency` calls in flight, emits results in input order, and holds
 * watermarks and barriers back until every record before them has
 * completed, so a barrier still closes exactly its epoch. The output record
 * keeps the input's ts, key and position.
 *
 * @example
 * features$.pipe(mapAsync((f) => surrogate.score(f), { concurrency: 4 }))
 */
export function mapAsync<T, R>(
  fn: (value: T, record: StreamRecord<T>) => Promise<R> | R,
  options: MapAsyncOptions = {},
): OperatorFunction<StreamElement<T>, StreamElement<R>> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`mapAsync: concurrency must be a positive integer, got ${concurrency}`);
  }
  return (source) =>
    new Observable<StreamElement<R>>((subscriber) => {
      const queue: Array<Slot<T, R>> = [];
      let head = 0;
      let nextToStart = 0;
      let inFlight = 0;
      let sourceDone = false;
      let closed = false;

      const drain = (): void => {
        while (head < queue.length && queue[head].done) {
          const slot = queue[head];
          queue[head++] = undefined as unknown as Slot<T, R>;
          subscriber.next(slot.element as StreamElement<R>);
        }
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          nextToStart = Math.max(0, nextToStart - head);
          head = 0;
        }
        if (sourceDone && head === queue.length) subscriber.complete();
      };

      const startWaiting = (): void => {
        if (nextToStart < head) nextToStart = head;
        while (inFlight < concurrency && nextToStart < queue.length) {
          const slot = queue[nextToStart++];
          if (slot.done) continue;
          start(slot);
        }
      };

      const start = (slot: Slot<T, R>): void => {
        const input = slot.element as StreamRecord<T>;
        inFlight++;
        const settle = (value: R): void => {
          if (closed) return;
          slot.element = { kind: 'record', value, ts: input.ts, key: input.key, pos: input.pos };
          slot.done = true;
          inFlight--;
          startWaiting();
          drain();
        };
        const fail = (err: unknown): void => {
          if (closed) return;
          closed = true;
          subscriber.error(new MapAsyncError(input, err));
        };
        let result: Promise<R> | R;
        try {
          result = fn(input.value, input);
        } catch (err) {
          fail(err);
          return;
        }
        if (result instanceof Promise) result.then(settle, fail);
        else Promise.resolve(result).then(settle, fail);
      };

      const subscription = source.subscribe({
        next(element) {
          const slot: Slot<T, R> = { element, done: element.kind !== 'record' };
          queue.push(slot);
          if (element.kind === 'record') startWaiting();
          drain();
        },
        error(err) {
          closed = true;
          subscriber.error(err);
        },
        complete() {
          sourceDone = true;
          drain();
        },
      });
      return () => {
        closed = true;
        subscription.unsubscribe();
      };
    });
}
