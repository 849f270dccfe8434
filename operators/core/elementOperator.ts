import { Observable, type OperatorFunction } from 'rxjs';
import type { Barrier, StreamElement, StreamRecord, Watermark } from './element.js';

/** Where an operator's handlers send their output. */
export interface Emitter<B> {
  next(element: StreamElement<B>): void;
  /** For failures outside a handler call (timer callbacks); handlers just throw. */
  error(err: unknown): void;
}

/**
 * What one operator does with each kind of element. Watermarks and barriers
 * are forwarded unchanged unless the operator handles them; `complete` runs
 * before the downstream completes (to flush), `teardown` on unsubscribe.
 */
export interface ElementHandlers<A, B> {
  record(record: StreamRecord<A>, out: Emitter<B>): void;
  watermark?(watermark: Watermark, out: Emitter<B>): void;
  barrier?(barrier: Barrier, out: Emitter<B>): void;
  complete?(out: Emitter<B>): void;
  teardown?(): void;
}

/**
 * The plumbing every element operator shares, written once (as RxJS's
 * `operate`): per-subscription handlers, forwarding of the element kinds an
 * operator does not handle, errors thrown by handlers sent downstream as
 * errors, completion and teardown.
 */
export function elementOperator<A, B>(
  setup: (out: Emitter<B>) => ElementHandlers<A, B>,
): OperatorFunction<StreamElement<A>, StreamElement<B>> {
  return (source) =>
    new Observable<StreamElement<B>>((subscriber) => {
      const handlers = setup(subscriber);
      const onRecord = handlers.record;
      const onWatermark = handlers.watermark;
      const onBarrier = handlers.barrier;
      const forward = subscriber as Emitter<unknown> as Emitter<B>;
      const subscription = source.subscribe({
        next(element) {
          try {
            if (element.kind === 'record') onRecord.call(handlers, element, subscriber);
            else if (element.kind === 'watermark') {
              if (onWatermark) onWatermark.call(handlers, element, subscriber);
              else forward.next(element);
            } else if (onBarrier) onBarrier.call(handlers, element, subscriber);
            else forward.next(element);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          try {
            handlers.complete?.(subscriber);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        handlers.teardown?.();
      };
    });
}
